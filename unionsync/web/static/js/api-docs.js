// Starts Swagger UI on the OpenAPI document named by the container's data attribute.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({ url: target.getAttribute("data-spec-url"), dom_id: "#swagger-ui",
    deepLinking: true, persistAuthorization: true });
})();
