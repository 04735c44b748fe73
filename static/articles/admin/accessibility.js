// Names for the widgets Django's admin builds with select2 (the autocomplete fields):
// select2 labels its combobox with the current choice only (nothing when empty) and leaves
// its search fields without a label. Here each gets its field's label.
"use strict";
(function () {
  function fieldLabel(select) {
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    if (!label) return null;
    if (!label.id) label.id = `${select.id}-label`;
    return label;
  }

  function name(select) {
    const label = fieldLabel(select);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function fix() {
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      const label = fieldLabel(select);
      container.querySelectorAll(".select2-selection").forEach((box) => {
        const rendered = box.querySelector(".select2-selection__rendered");
        const ids = [label && label.id, rendered && rendered.id].filter(Boolean).join(" ");
        if (ids && box.getAttribute("aria-labelledby") !== ids) box.setAttribute("aria-labelledby", ids);
        if (!label) box.setAttribute("aria-label", name(select));
        // A single choice is shown in a span with role "textbox": it needs a name too.
        if (rendered && rendered.getAttribute("role") === "textbox" && !rendered.getAttribute("aria-label")) {
          rendered.setAttribute("aria-label", name(select));
        }
        // Several choices are a list, whose "remove all" button select2 puts straight
        // inside the <ul>: give it a list item of its own (select2's click handler is
        // delegated from the box, so it still works).
        box.querySelectorAll("ul.select2-selection__rendered > :not(li)").forEach((stray) => {
          const item = document.createElement("li");
          item.className = "select2-selection__clear-item";
          stray.replaceWith(item);
          item.append(stray);
        });
      });
      container.querySelectorAll(".select2-search__field").forEach((field) => {
        if (!field.getAttribute("aria-label")) field.setAttribute("aria-label", `Search: ${name(select)}`);
      });
    });
    document.querySelectorAll(".select2-dropdown .select2-search__field").forEach((field) => {
      if (!field.getAttribute("aria-label")) field.setAttribute("aria-label", "Search the choices");
    });
  }

  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", fix);
})();
