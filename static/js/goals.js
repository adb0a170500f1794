// Goals pages. No inline scripts (CSP): behaviour lives here.
document.addEventListener("DOMContentLoaded", () => {
  // After a refused save, take the mentee to the first field that needs her attention.
  const invalid = document.querySelector("#goal-form .is-invalid, .update-form .is-invalid, .comment-form .is-invalid, .milestone-form .is-invalid");
  if (invalid) {
    invalid.focus({ preventScroll: false });
  }
  // A celebrated message (milestone reached, goal completed) is announced and brought into view.
  const celebration = document.querySelector(".alert-celebrate");
  if (celebration) {
    celebration.setAttribute("role", "status");
    // It floats over the page; let it go by itself after a while.
    window.setTimeout(() => {
      celebration.classList.remove("show");
      window.setTimeout(() => celebration.remove(), 300);
    }, 8000);
  }
});
