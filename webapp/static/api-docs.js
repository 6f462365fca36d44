// Swagger UI on the API's own OpenAPI document (no inline script: the pages' CSP forbids it).
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true });
})();
