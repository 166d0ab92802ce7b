// The projector's check-in code (issue #15): the token rotates every minute, so the image is
// fetched again every few seconds (a fresh URL each time; the server sends no-store).
(function () {
  "use strict";
  const image = document.querySelector("[data-checkin-code]");
  if (!image) return;
  const base = image.getAttribute("src");
  const seconds = parseInt(image.getAttribute("data-refresh-seconds"), 10) || 20;
  window.setInterval(function () {
    image.setAttribute("src", base + "?t=" + Date.now());
  }, seconds * 1000);
})();
