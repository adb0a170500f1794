// Goals pages. No inline scripts (CSP): behaviour lives here.
document.addEventListener("DOMContentLoaded", () => {
  // After a refused save, take the mentee to the first field that needs her attention.
  const invalid = document.querySelector("#goal-form .is-invalid, .update-form .is-invalid, .comment-form .is-invalid, .milestone-form .is-invalid");
  if (invalid) {
    invalid.focus({ preventScroll: false });
  }
  // Choosing a template replaces the form: ask first when the mentee has typed something.
  const templates = document.querySelector(".goal-templates[data-confirm-replace]");
  const goalForm = document.getElementById("goal-form");
  if (templates && goalForm) {
    const typed = () => Array.from(goalForm.querySelectorAll("input[type=text], input:not([type]), input[type=number], input[type=date], textarea"))
      .some((field) => field.value.trim() !== "" && field.value !== field.defaultValue);
    templates.addEventListener("click", (event) => {
      const link = event.target.closest("a");
      if (link && typed() && !window.confirm(templates.getAttribute("data-confirm-replace"))) {
        event.preventDefault();
      }
    });
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
