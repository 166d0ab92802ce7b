// The projector page's "Volledig scherm" button (Fullscreen API). Hidden where the API is
// missing; Esc leaves full screen as usual. No inline script (CSP).
(function () {
  "use strict";
  const button = document.querySelector("[data-fullscreen]");
  const page = document.documentElement;
  if (!button || !document.fullscreenEnabled || typeof page.requestFullscreen !== "function") return;

  function label() {
    button.textContent = button.getAttribute(
      document.fullscreenElement ? "data-text-exit" : "data-text-enter"
    );
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    if (document.fullscreenElement) document.exitFullscreen();
    else page.requestFullscreen().catch(function () { /* refused: stay as we are */ });
  });
  document.addEventListener("fullscreenchange", label);
  label();
})();
