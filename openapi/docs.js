// Starts Swagger UI on /openapi.json of this server. Nothing is loaded from
// another origin: no validator badge, no configuration from the query string.
// "Authorize" takes a token from POST /v1/auth/login or an API key; "Try it
// out" sends the request to this same server.
(function () {
  'use strict';
  var root = document.getElementById('swagger-ui');
  if (typeof window.SwaggerUIBundle !== 'function') {
    root.textContent = 'The documentation renderer is not installed on this server ' +
      '(deploy/lib/docs_assets.sh, OPOP_DOCS_DIR). The document itself: ';
    var link = document.createElement('a');
    link.href = 'openapi.json';
    link.textContent = 'openapi.json';
    root.appendChild(link);
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    queryConfigEnabled: false,
    deepLinking: true,
    filter: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    persistAuthorization: false,
    onComplete: function () { document.body.setAttribute('data-rendered', ''); },
  });
})();
