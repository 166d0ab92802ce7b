// Live Markdown preview under every Markdown textarea in the FAQ admin. The server renders and
// sanitises (faq:markdown_preview), so the preview shows exactly what readers will see.
(function () {
  "use strict";
  const FIELDS = ["id_answer", "id_body"];
  const url = "/faq/voorbeeld/";
  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function attach(textarea) {
    const preview = document.createElement("div");
    preview.className = "markdown-preview";
    preview.setAttribute("aria-live", "polite");
    preview.setAttribute("aria-label", "Voorbeeld");
    textarea.insertAdjacentElement("afterend", preview);
    let timer = null;
    async function refresh() {
      const body = new URLSearchParams({ text: textarea.value });
      const response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        body: body,
        credentials: "same-origin",
      });
      if (response.ok) preview.innerHTML = await response.text();
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    FIELDS.forEach(function (id) {
      const textarea = document.getElementById(id);
      if (textarea) attach(textarea);
    });
  });
})();
