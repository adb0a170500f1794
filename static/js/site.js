// Site behaviour that would otherwise need inline scripts (forbidden by our CSP).
document.addEventListener("DOMContentLoaded", () => {
  // Elements with data-confirm ask before their form submits.
  document.body.addEventListener("submit", (event) => {
    const message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
});
