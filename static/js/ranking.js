/* Ranked ballots: the form has a place (1, 2, ...) per option; this shows the options as a
   list the voter orders with "omhoog" / "omlaag" buttons (keyboard, mouse and touch alike)
   and keeps every place in step with the list. Without JavaScript the places still work. */
(function () {
  "use strict";

  function setUp(list) {
    const items = Array.prototype.slice.call(list.querySelectorAll("[data-rank-item]"));
    const announce = list.parentNode.querySelector("[data-rank-announce]");
    const select = function (item) { return item.querySelector("select"); };
    const label = function (item) { return item.querySelector("label").textContent.trim(); };

    // Start from the places already chosen (after an error), the rest in their own order.
    items.sort(function (a, b) {
      const pa = parseInt(select(a).value, 10) || 1e6;
      const pb = parseInt(select(b).value, 10) || 1e6;
      return pa - pb;
    });
    items.forEach(function (item) { list.appendChild(item); });

    function renumber() {
      const ordered = list.querySelectorAll("[data-rank-item]");
      ordered.forEach(function (item, index) {
        select(item).value = String(index + 1);
        item.querySelector("[data-rank-place]").textContent = String(index + 1) + ".";
        item.querySelector("[data-rank-up]").disabled = index === 0;
        item.querySelector("[data-rank-down]").disabled = index === ordered.length - 1;
      });
    }

    function move(item, step) {
      const sibling = step < 0 ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) return;
      list.insertBefore(item, step < 0 ? sibling : sibling.nextElementSibling);
      renumber();
      const place = Array.prototype.indexOf.call(list.children, item) + 1;
      if (announce) {
        announce.textContent = list.getAttribute("data-text-moved")
          .replace("{label}", label(item)).replace("{place}", String(place));
      }
      item.querySelector(step < 0 ? "[data-rank-up]" : "[data-rank-down]").focus();
    }

    items.forEach(function (item) {
      const field = select(item);
      field.hidden = true;  // still submitted: the places are what the server reads
      field.setAttribute("tabindex", "-1");
      const place = document.createElement("span");
      place.className = "rank-place";
      place.setAttribute("data-rank-place", "");
      item.insertBefore(place, item.firstChild);
      const buttons = document.createElement("span");
      buttons.className = "rank-buttons";
      [["up", -1], ["down", 1]].forEach(function (pair) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button-secondary rank-button";
        button.setAttribute("data-rank-" + pair[0], "");
        const text = list.getAttribute("data-text-" + pair[0]);
        button.textContent = pair[0] === "up" ? "↑" : "↓";
        button.setAttribute("aria-label", text + ": " + label(item));
        button.addEventListener("click", function () { move(item, pair[1]); });
        buttons.appendChild(button);
      });
      item.appendChild(buttons);
    });
    list.classList.add("rank-list-enhanced");
    renumber();
  }

  document.querySelectorAll("[data-rank-list]").forEach(setUp);
})();
