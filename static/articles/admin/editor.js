// The article editor: beside the translation, the original's paragraph that is being
// translated, and a live preview of the body as readers will see it (rendered by the server
// through the same Markdown + sanitizing pipeline, shown with the site's own stylesheet in a
// shadow root so the admin's styles do not touch it).
"use strict";

function paragraphIndex(text, caret) {
  // Paragraphs are separated by blank lines (several blank lines count as one): the caret's
  // paragraph is the number of paragraphs wholly before it.
  const parts = text.slice(0, caret).split(/\n[ \t]*\n/);
  return parts.slice(0, -1).filter((part) => part.trim() !== "").length;
}

function splitParagraphs(text) {
  return text
    .split(/\n[ \t]*\n/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("id_body");
  if (!body) return;
  const config = JSON.parse(document.getElementById("editor-config")?.textContent || "{}");
  const form = body.closest("form");
  const token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  const url = config.previewUrl;

  // The panes' titles come one level under the fieldset's heading (if it has one).
  const fieldset = body.closest("fieldset");
  const heading = fieldset && fieldset.querySelector("h2") ? "h3" : "h2";

  const workspace = document.createElement("div");
  workspace.className = "translation-desk";
  body.parentElement.classList.add("translation-desk-row");
  body.insertAdjacentElement("afterend", workspace);

  // The original, its current paragraph beside the one being written.
  const originalField = document.getElementById("id_original_body");
  const languageField = document.getElementById("id_original_language");
  let originalList = null;
  if (originalField && originalField.value.trim()) {
    const pane = document.createElement("section");
    pane.className = "desk-pane original-pane";
    pane.setAttribute("aria-labelledby", "original-pane-title");
    const title = document.createElement(heading);
    title.id = "original-pane-title";
    title.textContent = "Original, paragraph by paragraph";
    originalList = document.createElement("ol");
    originalList.className = "original-paragraphs";
    const language = (languageField && languageField.value) || config.originalLanguage || "";
    if (language) originalList.lang = language;
    for (const paragraph of splitParagraphs(originalField.value)) {
      const item = document.createElement("li");
      item.textContent = paragraph;
      originalList.append(item);
    }
    pane.append(title, originalList);
    workspace.append(pane);
  }

  const follow = () => {
    if (!originalList) return;
    const index = paragraphIndex(body.value, body.selectionStart || 0);
    originalList.querySelectorAll("li").forEach((item, position) => {
      const current = position === index;
      item.classList.toggle("current", current);
      if (current) {
        item.setAttribute("aria-current", "true");
        item.scrollIntoView({ block: "nearest" });
      } else {
        item.removeAttribute("aria-current");
      }
    });
  };

  // The preview.
  const preview = document.createElement("section");
  preview.className = "desk-pane preview-pane";
  preview.setAttribute("aria-labelledby", "preview-pane-title");
  const previewTitle = document.createElement(heading);
  previewTitle.id = "preview-pane-title";
  previewTitle.textContent = "Preview, as readers will see it";
  const host = document.createElement("div");
  host.className = "reader-preview";
  host.setAttribute("role", "region");
  host.setAttribute("aria-label", "Preview of the body");
  host.setAttribute("aria-live", "polite");
  const shadow = host.attachShadow({ mode: "open" });
  if (config.readerCss) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = config.readerCss;
    shadow.append(link);
  }
  const content = document.createElement("div");
  content.className = "article-body reader-preview-content";
  content.lang = "en";
  shadow.append(content);
  preview.append(previewTitle, host);
  workspace.append(preview);

  // One render at a time: while one is on its way, typing only marks the preview stale, and
  // the newest text is sent when it comes back (the server refuses a second one anyway).
  let timer = null;
  let sent = 0;
  let inFlight = false;
  let stale = false;
  const refresh = async () => {
    if (inFlight) {
      stale = true;
      return;
    }
    inFlight = true;
    stale = false;
    const mine = ++sent;
    const data = new FormData();
    data.append("body", body.value);
    let retry = 0;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
      });
      if (response.status === 429) {
        retry = 1000; // another tab of this account is rendering: try again shortly
      } else if (response.ok) {
        // The HTML was sanitized by the server (articles/markup.py).
        content.innerHTML = (await response.json()).html;
        host.dataset.updated = String(mine);
      }
    } catch (error) {
      content.textContent = "Preview unavailable.";
    } finally {
      inFlight = false;
    }
    if (stale || retry) setTimeout(refresh, retry);
  };
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
    follow();
  });
  for (const event of ["click", "keyup", "focus"]) body.addEventListener(event, follow);
  refresh();
  follow();
});

// A share-preview link shows the article as saved: with edits not saved yet, say so instead
// of creating a link that silently leaves them out.
document.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("article_form");
  const share = document.querySelector(".share-preview form[action$='/preview-links/']");
  if (!main || !share) return;
  const state = () => new URLSearchParams(new FormData(main)).toString();
  const saved = state();
  share.addEventListener("submit", (event) => {
    if (state() === saved) return;
    event.preventDefault();
    let note = share.querySelector(".unsaved-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "errornote unsaved-note";
      note.setAttribute("role", "alert");
      share.prepend(note);
    }
    note.textContent =
      "This article has changes that are not saved: a preview link shows it as saved. " +
      "Save first (“Save and continue editing”), then create the link.";
  });
});
