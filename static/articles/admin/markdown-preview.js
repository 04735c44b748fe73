// Live preview of the article body beside the field, rendered by the server through the
// same Markdown + sanitizing pipeline as the public page.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("id_body");
  if (!body) return;
  const form = body.closest("form");
  const token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  const url = body.closest("form").action.replace(/\/(\d+\/change|add)\/?(\?.*)?$/, "/markdown-preview/");
  const panel = document.createElement("div");
  panel.className = "markdown-preview";
  panel.setAttribute("aria-live", "polite");
  panel.setAttribute("aria-label", "Preview of the body");
  const heading = document.createElement("p");
  heading.className = "markdown-preview-label";
  heading.textContent = "Preview";
  const content = document.createElement("div");
  content.className = "markdown-preview-content";
  panel.append(heading, content);
  body.parentElement.classList.add("markdown-preview-row");
  body.insertAdjacentElement("afterend", panel);
  let timer = null;
  let sent = 0;
  const refresh = async () => {
    const mine = ++sent;
    const data = new FormData();
    data.append("body", body.value);
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
      });
      if (!response.ok || mine !== sent) return;
      // The HTML was sanitized by the server (articles/markup.py).
      content.innerHTML = (await response.json()).html;
    } catch (error) {
      content.textContent = "Preview unavailable.";
    }
  };
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
});
