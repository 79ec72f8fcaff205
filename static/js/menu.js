/* On a small screen the main navigation folds into a "Menu" button, so a page starts with its content.
   Without this script the navigation stays open, as on a large screen. */
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle button");
  var links = document.getElementById("site-links");
  if (!button || !links) { return; }
  var small = window.matchMedia("(max-width: 768px)");
  function fold(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    links.classList.toggle("folded", !open && small.matches);
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    fold(button.getAttribute("aria-expanded") !== "true");
  });
  small.addEventListener("change", function () { fold(false); });
  fold(false);
})();
