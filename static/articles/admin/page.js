// A page's live preview: under the body, the page as readers will see it (the site's own
// stylesheet, the server's Markdown and sanitizing), following the text as it is typed. One
// render on its way at a time; the newest text waits for it. No framework.
(function () {
  "use strict";
  const configNode = document.getElementById("page-config");
  const body = document.getElementById("id_body");
  if (!configNode || !body) return;
  const config = JSON.parse(configNode.textContent);
  const token = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";

  const section = document.createElement("section");
  section.className = "page-preview";
  section.setAttribute("aria-labelledby", "page-preview-title");
  const title = document.createElement("h3");
  title.id = "page-preview-title";
  title.textContent = "Preview, as readers will see it";
  const host = document.createElement("div");
  host.className = "reader-preview";
  host.setAttribute("role", "region");
  host.setAttribute("aria-label", "Preview of the page");
  host.tabIndex = 0;
  section.append(title, host);
  body.closest(".form-row").after(section);
  const shadow = host.attachShadow({ mode: "open" });
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = config.readerCss;
  const content = document.createElement("div");
  content.className = "article-body";
  content.lang = "en";
  shadow.append(css, content);

  let running = false;
  let again = false;
  async function render() {
    if (running) { again = true; return; }
    running = true;
    const data = new FormData();
    data.append("body", body.value);
    try {
      const response = await fetch(config.previewUrl, {
        method: "POST", body: data, headers: { "X-CSRFToken": token }, credentials: "same-origin",
      });
      if (response.ok) {
        content.innerHTML = (await response.json()).html; // sanitized by the server
        host.dataset.updated = String(Date.now());
      }
    } catch (error) {
      content.textContent = "Preview unavailable.";
    } finally {
      running = false;
      if (again) { again = false; render(); }
    }
  }
  let timer = null;
  body.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(render, 300); });
  render();
})();
