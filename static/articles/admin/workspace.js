// The translation workspace, grown from the article form: the original on the left and the
// translation on the right, paragraph by paragraph (paired as articles/pairing.py pairs them:
// the translation's image lines are its own, an original's own headline is set aside), each
// pair editable where it stands; suggestions from the archive's published translations for
// the paragraph being translated; the glossary's agreed renderings checked; a live preview
// one keystroke away (Alt+P); Ctrl+S saves and goes on editing. Editing a pair writes the
// form's own fields (body, original_body): saving is the form's. Without this script, the
// form is two text areas.
"use strict";

(() => {
  const BLANK_LINE = /\n[ \t]*\n/;
  const IMAGE_LINE = /^[ \t]*!\[[^\]\n]*\]\(image:\d+\)[ \t]*$/;
  const blocks = (text) =>
    text.replace(/\r\n?/g, "\n").split(BLANK_LINE).map((b) => b.trim()).filter((b) => b !== "");
  // Accents and case aside, as the server compares (articles/text.py: fold).
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const words = (text) => fold(text).replace(/[\\*_`#>\[\]()"“”'‘’«»]/g, " ").split(/\s+/).filter(Boolean).join(" ");
  const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const phrase = (text) =>
    new RegExp(`(^|[^\\p{L}\\p{N}])${fold(text).trim().split(/\s+/).map(escapeRegExp).join("\\s+")}($|[^\\p{L}\\p{N}])`, "u");

  function element(name, attributes = {}, ...children) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  // One request of a kind at a time: while one is on its way, only the newest next one
  // waits (the server refuses a second preview anyway).
  function oneAtATime(send) {
    let running = false;
    let waiting = null;
    const run = async (args) => {
      running = true;
      try {
        await send(...args);
      } finally {
        running = false;
        if (waiting) {
          const next = waiting;
          waiting = null;
          run(next);
        }
      }
    };
    return (...args) => (running ? (waiting = args) : run(args));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const body = document.getElementById("id_body");
    const original = document.getElementById("id_original_body");
    if (!body || !original) return;
    const config = JSON.parse(document.getElementById("editor-config")?.textContent || "{}");
    const form = body.closest("form");
    const token = form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    const headlineField = document.getElementById("id_original_headline");
    const languageField = document.getElementById("id_original_language");
    const language = () => (languageField && languageField.value) || "es";
    const rows = [original, body].map((field) => field.closest(".form-row") || field.parentElement);

    // -- The pairs, read from the two fields and written back to them ------------------------
    let headlineBlock = null; // an original's own headline, kept aside (shown above)
    let bodyItems = []; // the translation's blocks: {image, text}, images kept where they are

    function read() {
      const originals = blocks(original.value);
      headlineBlock = null;
      const headline = headlineField && words(headlineField.value);
      if (originals.length && headline && words(originals[0]) === headline) {
        headlineBlock = originals.shift();
      }
      bodyItems = blocks(body.value).map((text) => ({ image: IMAGE_LINE.test(text), text }));
      const translations = bodyItems.filter((item) => !item.image).map((item) => item.text);
      const count = Math.max(originals.length, translations.length, 1);
      return Array.from({ length: count }, (_, i) => [originals[i] || "", translations[i] || ""]);
    }

    function write() {
      const pairs = [...list.children].map((li) => li.workspacePair);
      const originals = pairs.map((pair) => pair.original.value.trim()).filter((t) => t !== "");
      original.value = [headlineBlock, ...originals].filter(Boolean).join("\n\n");
      const translations = pairs.map((pair) => pair.translation.value.trim());
      const out = [];
      let next = 0;
      for (const item of bodyItems) {
        if (item.image) out.push(item.text);
        else if (next < translations.length) out.push(translations[next++]);
      }
      while (next < translations.length) out.push(translations[next++]);
      body.value = out.filter((text) => text !== "").join("\n\n");
      bodyItems = blocks(body.value).map((text) => ({ image: IMAGE_LINE.test(text), text }));
      original.dispatchEvent(new Event("change", { bubbles: true }));
      body.dispatchEvent(new Event("change", { bubbles: true }));
    }

    // -- The workspace -----------------------------------------------------------------------
    const count = element("p", { className: "workspace-count", "aria-live": "polite" });
    const previewButton = element("button", {
      type: "button",
      className: "button",
      "aria-keyshortcuts": "Alt+P",
      "aria-expanded": "false",
      text: "Preview (Alt+P)",
    });
    const asText = element("button", { type: "button", className: "button", text: "Edit as one text" });
    const concordance = element("a", { href: config.concordanceUrl || "#", target: "_blank", text: "Concordance" });
    const keys = element("p", {
      className: "help workspace-keys",
      text: "Keys: Alt+↓ and Alt+↑ next and previous paragraph, Alt+1 to Alt+5 insert a suggestion, Alt+P preview, Ctrl+S save.",
    });
    const bar = element("div", { className: "workspace-bar" }, count, previewButton, asText, concordance, keys);
    const list = element("ol", { className: "workspace-pairs", "aria-label": "Paragraphs, original and translation" });
    const memoryTitle = element("h3", { id: "memory-title", text: "Suggestions" });
    const memoryHelp = element("p", {
      className: "help",
      text: "From the archive's published translations, for the paragraph being translated: Alt+1 to Alt+5 inserts one.",
    });
    const memoryList = element("ol", { className: "memory-suggestions" });
    const memoryStatus = element("p", { className: "memory-status", role: "status" });
    const termsBox = element("div", { className: "memory-terms" });
    const memory = element("aside", { className: "workspace-memory", "aria-labelledby": "memory-title" },
      memoryTitle, memoryHelp, termsBox, memoryStatus, memoryList);
    const layout = element("div", { className: "workspace-body" }, list, memory);
    const preview = element("section", { className: "workspace-preview", "aria-labelledby": "workspace-preview-title", hidden: "" });
    const previewTitle = element("h3", { id: "workspace-preview-title", text: "Preview, as readers will see it" });
    const host = element("div", { className: "reader-preview", role: "region", "aria-label": "Preview of the translation", tabindex: "0" });
    preview.append(previewTitle, host);
    const workspace = element("section", { className: "workspace", "aria-label": "Translation workspace" }, bar, layout, preview);
    rows[0].before(workspace);
    rows.forEach((row) => row.classList.add("workspace-replaced"));

    const shadow = host.attachShadow({ mode: "open" });
    if (config.readerCss) shadow.append(element("link", { rel: "stylesheet", href: config.readerCss }));
    const previewContent = element("div", { className: "article-body", lang: "en" });
    shadow.append(previewContent);

    let current = null;

    function autosize(area) {
      area.style.height = "auto";
      area.style.height = `${area.scrollHeight + 2}px`;
    }

    function pairItem(index, [originalText, translationText]) {
      const number = index + 1;
      const li = element("li", { className: "pair" });
      const side = (kind, label, text, lang) => {
        const id = `pair-${number}-${kind}`;
        const area = element("textarea", { id, rows: "3", lang, className: `pair-${kind}` });
        area.value = text;
        const box = element("div", { className: `pair-side pair-side-${kind}` },
          element("label", { for: id, text: `${label}, paragraph ${number}` }), area);
        return [box, area];
      };
      const [originalBox, originalArea] = side("original", "Original", originalText, language());
      const [translationBox, translationArea] = side("translation", "Translation", translationText, "en");
      const note = element("p", { className: "pair-note", id: `pair-${number}-note` });
      translationArea.setAttribute("aria-describedby", note.id);
      li.append(originalBox, translationBox, note);
      li.workspacePair = { original: originalArea, translation: translationArea, note };
      for (const area of [originalArea, translationArea]) {
        area.addEventListener("input", () => {
          autosize(area);
          write();
          check(li);
          counted();
          schedulePreview();
        });
        area.addEventListener("focus", () => focusPair(li));
        area.addEventListener("change", () => {
          // A blank line typed inside a paragraph makes two: pair everything again.
          if (BLANK_LINE.test(area.value.trim())) rebuild(area === originalArea ? "original" : "translation", li);
        });
      }
      return li;
    }

    function rebuild(kind, near) {
      const position = near ? [...list.children].indexOf(near) : 0;
      current = null;
      layout.append(memory);
      list.replaceChildren(...read().map((pair, i) => pairItem(i, pair)));
      list.querySelectorAll("textarea").forEach(autosize);
      list.querySelectorAll(".pair").forEach(check);
      counted();
      const again = list.children[Math.min(position, list.children.length - 1)];
      if (near && again) again.workspacePair[kind].focus();
    }

    function counted() {
      const pairs = [...list.children].map((li) => li.workspacePair);
      const total = pairs.filter((p) => p.original.value.trim()).length;
      const done = pairs.filter((p) => p.original.value.trim() && p.translation.value.trim()).length;
      const gap = pairs.findIndex((p, i) => !p.translation.value.trim() && pairs.slice(i + 1).some((q) => q.translation.value.trim()));
      let text = `${done} of ${total} paragraph${total === 1 ? "" : "s"} translated`;
      if (gap >= 0) text += `. Paragraph ${gap + 1} has no translation: saved so, the ones after it would pair one off`;
      count.textContent = text;
      count.classList.toggle("workspace-warning", gap >= 0);
    }

    // -- The glossary's agreed renderings -------------------------------------------------------
    const terms = (config.terms || []).map((term) => ({
      ...term,
      found: term.forms.map(phrase),
      agreed: phrase(term.rendering),
    }));

    function termsIn(text) {
      const folded = fold(text);
      return terms.filter((term) => term.found.some((pattern) => pattern.test(folded)));
    }

    function check(li) {
      const { original: o, translation: t, note } = li.workspacePair;
      const missing = t.value.trim() ? termsIn(o.value).filter((term) => !term.agreed.test(fold(t.value))) : [];
      li.classList.toggle("pair-flagged", missing.length > 0);
      note.textContent = missing.length
        ? `Agreed rendering missing: ${missing.map((term) => `“${term.rendering}”`).join(", ")}`
        : "";
    }

    // -- Suggestions ----------------------------------------------------------------------------
    const remembered = new Map();
    let shown = [];

    function showSuggestions(found, paragraph) {
      shown = found.suggestions || [];
      memoryList.replaceChildren(...shown.map((s, i) => {
        const insert = element("button", { type: "button", className: "button", "aria-keyshortcuts": `Alt+${i + 1}`, text: `Insert (Alt+${i + 1})` });
        insert.addEventListener("click", () => use(i));
        return element("li", { className: "memory-suggestion" },
          element("p", { className: "memory-share", text: `${s.share}% match, paragraph ${s.paragraph} of ` },
            element("a", { href: s.url, target: "_blank", text: s.headline })),
          element("p", { className: "memory-translation", lang: "en", text: s.translation }),
          element("p", { className: "memory-original", lang: language(), text: s.original }),
          insert);
      }));
      let status = shown.length ? "" : "No published translation comes close to this paragraph.";
      if (found.word_for_word) status += ` No stemmer for “${language()}”: words are matched as written.`;
      memoryStatus.textContent = status.trim();
      memoryTitle.textContent = `Suggestions for paragraph ${paragraph}`;
    }

    const ask = oneAtATime(async (text, paragraph) => {
      const key = `${language()}\u0000${text}`;
      if (!remembered.has(key)) {
        const data = new FormData();
        data.append("paragraph", text);
        data.append("language", language());
        data.append("article", config.article || "");
        try {
          const response = await fetch(config.memoryUrl, {
            method: "POST", body: data, headers: { "X-CSRFToken": token }, credentials: "same-origin",
          });
          if (!response.ok) throw new Error(String(response.status));
          remembered.set(key, await response.json());
        } catch (error) {
          memoryStatus.textContent = "Suggestions unavailable for now.";
          return;
        }
      }
      if (current && current.workspacePair.original.value.trim() === text) showSuggestions(remembered.get(key), paragraph);
    });

    // Beside the pairs on a wide screen; on a narrower one, under the pair being translated.
    const wide = window.matchMedia("(min-width: 1280px)");
    function placeMemory() {
      if (wide.matches || !current) layout.append(memory);
      else current.append(memory);
    }
    wide.addEventListener("change", placeMemory);

    function focusPair(li) {
      if (current === li) return;
      current?.classList.remove("current");
      current = li;
      li.classList.add("current");
      placeMemory();
      const text = li.workspacePair.original.value.trim();
      const paragraph = [...list.children].indexOf(li) + 1;
      const inTerms = termsIn(text);
      termsBox.replaceChildren(...(inTerms.length ? [element("p", { text: "Glossary: " + inTerms.map((t) => `${t.forms[0]} → ${t.rendering}`).join("; ") })] : []));
      // The last paragraph's suggestions go at once: Alt+1 never inserts one of them here.
      shown = [];
      memoryList.replaceChildren();
      memoryTitle.textContent = `Suggestions for paragraph ${paragraph}`;
      if (!text) {
        memoryStatus.textContent = "This paragraph has no original.";
        return;
      }
      memoryStatus.textContent = "Looking for suggestions…";
      ask(text, paragraph);
    }

    function use(index) {
      const suggestion = shown[index];
      if (!suggestion || !current) return;
      const area = current.workspacePair.translation;
      const { selectionStart: start, selectionEnd: end, value } = area;
      const empty = !value.trim();
      area.value = empty ? suggestion.translation : value.slice(0, start) + suggestion.translation + value.slice(end);
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }

    // -- The preview ------------------------------------------------------------------------------
    let previewTimer = null;
    const render = oneAtATime(async () => {
      const data = new FormData();
      data.append("body", body.value);
      try {
        const response = await fetch(config.previewUrl, {
          method: "POST", body: data, headers: { "X-CSRFToken": token }, credentials: "same-origin",
        });
        if (response.ok) {
          previewContent.innerHTML = (await response.json()).html; // sanitized by the server
          host.dataset.updated = String(Date.now());
        }
      } catch (error) {
        previewContent.textContent = "Preview unavailable.";
      }
    });
    function schedulePreview() {
      if (preview.hidden) return;
      clearTimeout(previewTimer);
      previewTimer = setTimeout(render, 300);
    }
    function togglePreview() {
      preview.hidden = !preview.hidden;
      previewButton.setAttribute("aria-expanded", String(!preview.hidden));
      if (!preview.hidden) {
        render();
        preview.scrollIntoView({ block: "nearest" });
      }
    }
    previewButton.addEventListener("click", togglePreview);

    // -- Plain text, and keys -----------------------------------------------------------------
    // "Edit as one text" shows the form's own two fields (the preview still follows the body);
    // a field the server sent back with an error opens that way, its message in sight.
    function setPlain(plain) {
      workspace.classList.toggle("as-text", plain);
      rows.forEach((row) => row.classList.toggle("workspace-replaced", !plain));
      asText.textContent = plain ? "Edit paragraph by paragraph" : "Edit as one text";
      if (!plain) rebuild();
    }
    asText.addEventListener("click", () => {
      const plain = !workspace.classList.contains("as-text");
      setPlain(plain);
      if (plain) body.focus();
    });
    body.addEventListener("input", schedulePreview);

    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "s" || event.key === "S")) {
        const save = form.querySelector("[name=_continue]");
        if (save) {
          event.preventDefault();
          save.click(); // "Save and continue editing"
        }
        return;
      }
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "p" || event.key === "P" || event.code === "KeyP") {
        event.preventDefault();
        togglePreview();
      } else if (workspace.classList.contains("as-text")) {
        // the pairs are put away: no suggestion to insert, no pair to move to
      } else if (/^Digit[1-5]$/.test(event.code) && current) {
        event.preventDefault();
        use(Number(event.code.slice(5)) - 1);
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && current) {
        const next = event.key === "ArrowDown" ? current.nextElementSibling : current.previousElementSibling;
        if (next) {
          event.preventDefault();
          next.workspacePair.translation.focus();
        }
      }
    });

    setPlain(rows.some((row) => row.querySelector(".errorlist")));
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
        note = element("p", { className: "errornote unsaved-note", role: "alert" });
        share.prepend(note);
      }
      note.textContent =
        "This article has changes that are not saved: a preview link shows it as saved. " +
        "Save first (“Save and continue editing”), then create the link.";
    });
  });
})();
