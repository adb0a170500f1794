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

// Time zones: a sign-up form's hidden field takes the browser's zone; the profile page
// offers the browser's zone when it differs from the saved one.
document.addEventListener("DOMContentLoaded", () => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("input[data-browser-timezone]").forEach((input) => {
    if (!input.value) {
      input.value = zone;
    }
  });
  const offer = document.getElementById("timezone-offer");
  if (offer && offer.dataset.savedTimezone !== zone) {
    offer.querySelector("input[name=timezone]").value = zone;
    offer.querySelectorAll("[data-zone]").forEach((el) => {
      el.textContent = zone;
    });
    offer.classList.remove("d-none");
  }
});

// Tag fields (comma-separated, with a <datalist> of suggestions): the suggestions complete
// the tag being typed, keeping the ones before it.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-tags]").forEach((input) => {
    const list = document.getElementById(input.dataset.tags);
    if (!list) {
      return;
    }
    const tags = Array.from(list.options).map((option) => option.value);
    input.addEventListener("input", () => {
      const parts = input.value.split(",");
      const done = parts.slice(0, -1).map((part) => part.trim()).filter(Boolean);
      const prefix = done.length ? done.join(", ") + ", " : "";
      list.replaceChildren(
        ...tags
          .filter((tag) => !done.includes(tag))
          .map((tag) => {
            const option = document.createElement("option");
            option.value = prefix + tag;
            return option;
          }),
      );
    });
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

// A form that failed opens on its error summary ([data-error-summary]): the focus goes there,
// so a keyboard or screen-reader user hears what is wrong and can follow a link to the field;
// the same after htmx puts a failed form back into the page.
document.addEventListener("DOMContentLoaded", () => {
  const focusSummary = (root) => {
    const summary = root.querySelector && root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  };
  focusSummary(document);
  document.body.addEventListener("htmx:afterSwap", (event) => {
    focusSummary(event.detail.target || document);
  });
});
