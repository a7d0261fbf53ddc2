// Report desk enhancements; every page works without them.
(function () {
  "use strict";

  // One click sends the report once: disable the button after the first submit.
  document.querySelectorAll("form[data-desk-report-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("[data-desk-once]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });

  // Choosing a canned reply fills the reply box (the server also accepts the choice alone).
  var select = document.querySelector("form[data-desk-reply] select[name=canned]");
  var bodies = document.getElementById("canned-bodies");
  if (select && bodies) {
    select.addEventListener("change", function () {
      var source = bodies.content.querySelector('[data-canned-id="' + select.value + '"]');
      var box = select.form.querySelector("textarea[name=body]");
      if (source && box) {
        box.value = source.textContent;
        box.focus();
      }
    });
  }
})();
