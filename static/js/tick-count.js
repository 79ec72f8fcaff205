/* A button that says how many boxes are ticked ("Envoyer l'invitation à 3 personnes"), following the
   ticks as they change. The server counts again when the form arrives: this is only what people see.
   A button opts in with data-counts="<name of the boxes>" and data-one / data-many, its two wordings. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-counts]").forEach(function (button) {
    var form = button.form;
    var name = button.dataset.counts;
    function update() {
      var n = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]:checked').length;
      var wording = n === 1 ? button.dataset.one : button.dataset.many;
      button.textContent = wording.replace(/\d+/, String(n));
      button.disabled = n === 0;
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) { update(); }
    });
    update();
  });
})();
