// Reloads the page after the seconds in its data-refresh-after attribute (the check-in
// display: its code expires). A script rather than <meta http-equiv="refresh">, which
// axe-core reports (WCAG 2.2.1) and which cannot be paused while a board member reads it.
(function () {
  "use strict";
  var holder = document.querySelector("[data-refresh-after]");
  if (!holder) return;
  var seconds = parseInt(holder.getAttribute("data-refresh-after"), 10);
  if (!(seconds > 0)) return;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
