// Touchpoint's small progressive enhancements. Everything works without JavaScript.
(function () {
  "use strict";

  // Ask before submitting forms marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Live character counters: <textarea data-count-target="id" data-count-limit="280">.
  function updateCounter(box) {
    var target = document.getElementById(box.getAttribute("data-count-target"));
    if (!target) { return; }
    var limit = parseInt(box.getAttribute("data-count-limit") || "0", 10);
    var extra = parseInt(box.getAttribute("data-count-extra") || "0", 10);
    var used = Array.from(box.value).length + extra;
    target.textContent = limit ? used + " / " + limit : String(used);
    target.classList.toggle("text-danger", limit > 0 && used > limit);
  }
  document.querySelectorAll("[data-count-target]").forEach(function (box) {
    box.addEventListener("input", function () { updateCounter(box); });
    updateCounter(box);
  });
})();
