// Starts Swagger UI on this member's contract. A file of its own, not an inline script, so /docs/ can forbid
// inline scripts in its Content-Security-Policy.
'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    // resolved against this page, so behind a proxy under /prefix/ the contract is /prefix/openapi.json; the
    // contract's relative server (".") then sends "Try it out" to /prefix/v3/... as well
    url: new URL('../openapi.json', document.baseURI).href,
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    deepLinking: true,
    // no ?url=... or ?configUrl=...: this page documents its own member only
    queryConfigEnabled: false,
    // the default validator is a remote service: nothing leaves for another site
    validatorUrl: null,
    displayRequestDuration: true,
    // a token typed into "Authorize" stays in this tab's memory, not in localStorage
    persistAuthorization: false
  });
});
