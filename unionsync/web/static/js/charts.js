// Draws every chart whose data the server embedded as JSON next to an empty container.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("script[data-chart-for]").forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-chart-for"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      Plotly.newPlot(target, figure.data, figure.layout,
        { displayModeBar: false, responsive: true });
      target.setAttribute("data-drawn", "true");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
