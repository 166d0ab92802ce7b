// Shows the time left until a ballot closes next to its closing time (no inline script: CSP).
// The server renders a fallback (".server-countdown", Django's timeuntil) for pages without
// JavaScript; once this runs, its ticking label replaces that. Words follow the page's language.
(function () {
  "use strict";
  const english = (document.documentElement.lang || "nl").slice(0, 2) === "en";
  const words = english
    ? { closed: " (closed)", left: " (", suffix: " left)", d: "d ", h: "h ", m: "m ", s: "s" }
    : { closed: " (gesloten)", left: " (nog ", suffix: ")", d: "d ", h: "u ", m: "m ", s: "s" };
  document.querySelectorAll("time[data-countdown]").forEach(function (element) {
    const end = new Date(element.getAttribute("datetime"));
    const fallback = element.nextElementSibling;
    if (fallback && fallback.classList.contains("server-countdown")) fallback.hidden = true;
    const label = document.createElement("span");
    label.className = "countdown";
    label.setAttribute("aria-live", "off");
    element.insertAdjacentElement("afterend", label);
    function update() {
      const seconds = Math.max(0, Math.round((end - new Date()) / 1000));
      const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
      const m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      label.textContent = seconds === 0 ? words.closed :
        words.left + (d ? d + words.d : "") + h + words.h + m + words.m + s + words.s + words.suffix;
    }
    update();
    setInterval(update, 1000);
  });
})();
