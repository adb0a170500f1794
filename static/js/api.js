// The API documentation page (Swagger UI, served from our static files) and the API tokens
// page. No inline script: the CSP forbids it.
document.addEventListener("DOMContentLoaded", () => {
  const docs = document.getElementById("swagger-ui");
  if (docs && window.SwaggerUIBundle) {
    // The CSRF token for "Try it out" with the browser session, from the header htmx uses.
    let csrf = "";
    try {
      csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      csrf = "";
    }
    window.SwaggerUIBundle({
      url: docs.dataset.schemaUrl,
      domNode: docs,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      persistAuthorization: false,
      requestInterceptor: (request) => {
        if (request.method && request.method !== "GET" && csrf) {
          request.headers["X-CSRFToken"] = csrf;
        }
        return request;
      },
    });
  }

  // Copy buttons next to a secret shown once.
  document.querySelectorAll("[data-copy-target]").forEach((button) => {
    button.addEventListener("click", () => {
      const field = document.getElementById(button.dataset.copyTarget);
      if (!field) return;
      field.select();
      const done = () => {
        const label = button.textContent;
        button.textContent = button.dataset.copiedLabel || "Copied";
        setTimeout(() => { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, () => {});
      } else {
        done();
      }
    });
  });
});
