// The main menu folds behind a button on narrow screens. Loaded in the head: it marks the page
// as scripted at once (without a script the menu simply stays open), then wires the button.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function wire() {
    var button = document.getElementById("menu-toggle");
    var bar = document.querySelector(".topbar");
    if (!button || !bar) { return; }
    button.addEventListener("click", function () {
      var open = bar.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
