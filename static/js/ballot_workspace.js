// The ballot workspace form: offer only combinations the rules allow (ballots.definitions
// .combination_problems says the same in words on the server, which stays the authority):
// ambassadors (weighted) vote named; a secret ballot shows no tally and allows no vote
// change; only a weighted ballot may split weight. Also: Enter in the link search searches
// instead of saving the form.
(function () {
  "use strict";
  const form = document.getElementById("workspace-form");
  if (!form) return;

  function checked(name) {
    const box = form.querySelector(`input[name="${name}"]:checked`);
    return box ? box.value : null;
  }

  function allow(input, allowed, fallback) {
    input.disabled = !allowed;
    if (!allowed && input.checked) {
      input.checked = false;
      if (fallback) fallback.checked = true;
    }
  }

  function apply() {
    const weighted = checked("electorate") === "ambassadors";
    const named = form.querySelector('input[name="secrecy"][value="named"]');
    const secretBox = form.querySelector('input[name="secrecy"][value="secret"]');
    if (secretBox) allow(secretBox, !weighted, named);
    const secret = checked("secrecy") === "secret";
    const hidden = form.querySelector('input[name="result_visibility"][value="closed"]');
    form.querySelectorAll('input[name="result_visibility"]').forEach((box) => {
      if (box !== hidden) allow(box, !secret, hidden);
    });
    const change = form.querySelector('input[name="vote_change_allowed"]');
    if (change) allow(change, !secret);
    const split = form.querySelector('input[name="vote_splitting"]');
    if (split) allow(split, weighted);
  }

  form.addEventListener("change", apply);
  apply();

  const search = document.getElementById("link-query");
  const searchButton = document.getElementById("link-search-button");
  if (search && searchButton) {
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        // With htmx the results come in place; without it the button reloads the form.
        if (window.htmx) window.htmx.trigger(search, "search");
        else searchButton.click();
      }
    });
  }
})();
