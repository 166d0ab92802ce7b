// Weight splitting on the vote form (issue #16, item 6; no inline script: CSP).
// While any weight field holds a number, the radio buttons are disabled (a split and a single
// choice cannot both count: the server refuses both), and a live counter says how much of the
// voter's weight is left to divide. Texts come from data-text-* attributes rendered by Django.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  document.querySelectorAll("form[data-split-weight]").forEach(function (form) {
    const weight = Number(form.getAttribute("data-split-weight")) || 0;
    const parts = Array.prototype.slice.call(form.querySelectorAll("input[data-split-part]"));
    const radios = Array.prototype.slice.call(form.querySelectorAll('input[type="radio"]'));
    const counter = form.querySelector("[data-split-remaining]");
    if (!parts.length || !counter) return;

    function update() {
      let total = 0;
      let splitting = false;
      parts.forEach(function (input) {
        const value = parseInt(input.value, 10);
        if (input.value.trim() !== "") splitting = true;
        if (!isNaN(value) && value > 0) total += value;
      });
      radios.forEach(function (radio) {
        radio.disabled = splitting;
        if (splitting) radio.checked = false;
      });
      const remaining = weight - total;
      let state = "open";
      let message;
      if (remaining < 0) {
        state = "over";
        message = fill(form.getAttribute("data-text-over"), { over: -remaining, total: total, weight: weight });
      } else if (remaining === 0) {
        state = "done";
        message = form.getAttribute("data-text-done");
      } else {
        message = fill(form.getAttribute("data-text-remaining"), { remaining: remaining, weight: weight });
      }
      counter.setAttribute("data-state", state);
      if (counter.textContent !== message) counter.textContent = message;
    }

    parts.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });
})();
