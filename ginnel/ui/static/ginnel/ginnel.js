// Progressive enhancement only: every page works without this file.
// Move focus to the error summary so screen reader and keyboard users hear the problems first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});

// A picker's "Search" button comes first in its form, so the browser would take Enter in any
// other field as "Search". Enter there sends the form with its own button, as people expect.
document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (event.key !== "Enter" || !field.form || field.closest(".picker")) { return; }
  if (field.tagName !== "INPUT" || ["text", "date", "number", "email", "tel"].indexOf(field.type) < 0) { return; }
  var picker = field.form.querySelector(".picker__button");
  var buttons = field.form.querySelectorAll("button[type=submit]:not(.picker__button)");
  if (!picker || !buttons.length || !field.form.requestSubmit) { return; }
  event.preventDefault();
  field.form.requestSubmit(buttons[buttons.length - 1]);
});
