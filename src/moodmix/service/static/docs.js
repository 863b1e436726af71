// moodmix: start Swagger UI on /docs. Its parameters (FastAPI's defaults and the OpenAPI
// document's URL) come from the page's JSON data block, so the page has no inline script and
// passes the Content-Security-Policy.
//
//   <script id="page-config" type="application/json">{"url": "/openapi.json", ...}</script>
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  window.ui = SwaggerUIBundle(Object.assign(config, { presets: [SwaggerUIBundle.presets.apis] }));
})();
