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

// A conversation ([data-scroll-bottom]) opens on its newest message, at the bottom (unless the
// address points at one message), and follows the new ones the poll brings in.
document.addEventListener("DOMContentLoaded", () => {
  const toBottom = (element) => {
    element.scrollTop = element.scrollHeight;
  };
  if (!window.location.hash.startsWith("#message-")) {
    document.querySelectorAll("[data-scroll-bottom]").forEach(toBottom);
  }
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target && target.matches && target.matches("[data-scroll-bottom]")) {
      toBottom(target);
    }
  });
});
