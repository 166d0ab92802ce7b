// Shows the time left until a ballot closes next to its closing time (no inline script: CSP).
(function () {
  "use strict";
  document.querySelectorAll("time[data-countdown]").forEach(function (element) {
    const end = new Date(element.getAttribute("datetime"));
    const label = document.createElement("span");
    label.className = "countdown";
    label.setAttribute("aria-live", "off");
    element.insertAdjacentElement("afterend", label);
    function update() {
      const seconds = Math.max(0, Math.round((end - new Date()) / 1000));
      const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
      const m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
      label.textContent = seconds === 0 ? " (gesloten)" :
        " (nog " + (d ? d + "d " : "") + h + "u " + m + "m " + s + "s)";
    }
    update();
    setInterval(update, 1000);
  });
})();
