// "Copy" buttons: copy the text of the element named in data-copy to the clipboard.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      const source = document.querySelector(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Gekopieerd";
      });
    });
  });
})();
