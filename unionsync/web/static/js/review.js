// Keyboard review of matches: J/K move between cards, A accepts, R rejects, U withdraws.
// Each key submits the focused card's own form, so the server-side rules apply as for a click.
// Keys are read by their place on the keyboard (event.code), not the character they type, so
// they work the same on a Russian layout (the A key types «ф» there).
(function () {
  "use strict";
  function cards() { return Array.prototype.slice.call(document.querySelectorAll("article.match")); }
  function current() {
    var list = cards();
    var found = list.indexOf(document.activeElement && document.activeElement.closest ?
      document.activeElement.closest("article.match") : null);
    return found >= 0 ? found : -1;
  }
  function focusAt(index) {
    var list = cards();
    if (!list.length) { return; }
    var card = list[Math.max(0, Math.min(index, list.length - 1))];
    list.forEach(function (c) { c.classList.remove("focused"); });
    card.classList.add("focused");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });  // scroll-margin keeps it below the header
  }
  function submit(kind) {
    var list = cards();
    var index = current();
    if (index < 0) { return; }
    var form = list[index].querySelector("form.decide-" + kind);
    if (form) { form.submit(); }
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) { return; }
    var codes = { KeyJ: "j", KeyK: "k", KeyA: "a", KeyR: "r", KeyU: "u" };
    var key = codes[event.code];
    var index = current();
    if (key === "j") { focusAt(index + 1); }
    else if (key === "k") { focusAt(index < 0 ? 0 : index - 1); }
    else if (key === "a") { submit("accept"); }
    else if (key === "r") { submit("reject"); }
    else if (key === "u") { submit("undo"); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector(".review-list");
    var wanted = list ? list.getAttribute("data-focus") : "";
    var all = cards();
    var at = all.findIndex(function (c) { return c.getAttribute("data-match") === wanted; });
    if (all.length) { focusAt(at >= 0 ? at : 0); }
  });
})();
