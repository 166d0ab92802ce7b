// The check-in desk (issue #15): after Enter checked someone in, the search field is emptied
// and keeps the focus, ready for the next person. The rest is htmx (no inline script, CSP).
(function () {
  "use strict";
  const field = document.getElementById("desk-q");
  if (!field) return;
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (!event.detail.successful || !form || !form.querySelector) return;
    if (!form.querySelector("input[name=first]")) return;
    // Checked in: empty the field for the next person. Refused: keep it, to correct it.
    if (event.detail.xhr.responseText.indexOf("message-error") === -1) field.value = "";
    field.focus();
  });
})();
