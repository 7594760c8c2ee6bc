// Draws every chart whose data the server embedded as JSON next to an empty container.
(function () {
  "use strict";
  // On a phone a horizontal bar chart's long category names took the whole width: they are
  // shortened on the axis (the full name stays in the hover), legends go below the plot.
  function fitNarrow(target, figure) {
    if (target.clientWidth >= 600) { return; }
    var layout = figure.layout = figure.layout || {};
    (figure.data || []).forEach(function (trace) {
      if (trace.orientation !== "h" || !Array.isArray(trace.y)) { return; }
      layout.yaxis = Object.assign({}, layout.yaxis, {
        tickmode: "array",
        tickvals: trace.y,
        ticktext: trace.y.map(function (name) {
          name = String(name);
          return name.length > 18 ? name.slice(0, 17) + "…" : name;
        })
      });
      if (trace.hovertemplate && trace.hovertemplate.indexOf("%{y}") < 0) {
        trace.hovertemplate = "%{y}: " + trace.hovertemplate;
      }
    });
    layout.legend = Object.assign({}, layout.legend, { orientation: "h", y: -0.2 });
    layout.margin = Object.assign({}, layout.margin, { r: 10 });
  }

  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("script[data-chart-for]").forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-chart-for"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      fitNarrow(target, figure);
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
