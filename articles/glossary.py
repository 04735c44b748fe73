"""The glossary: recurring terms readers abroad may not know ("mañanera", "ejido", "4T").

When an article is saved (``Article.derive_fields``), the first use of each term in its body
(accents and case do not matter; whole words only; never inside a link, a heading or a
quotation's attribution) gets an inline explanation: a button showing the word as written,
and the explanation in an HTML ``popover`` that the button opens and closes with no script,
by mouse, touch or keyboard. The article keeps the slugs of the terms it explains
(``Article.glossary_terms``) for the glossary page. Editing or deleting a term renders the
articles that use it (or now could) again (``articles.signal_handlers``).

This module reads nothing: it is given the terms (``GlossaryTerm.objects.for_rendering()``,
kept in the cache for a minute) as (slug, term, explanation, url), longest term first.
"""

import re
from html import escape

from articles.text import fold

SKIPPED = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "button", "code", "pre", "cite"}
NOTE_CLASS = "term-note"


def _pattern(known) -> re.Pattern:
    words = [r"\s+".join(map(re.escape, fold(term).split())) for _, term, _, _ in known]
    alternatives = "|".join(f"(?P<t{i}>{word})" for i, word in enumerate(words))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


# A tag, its quoted attribute values read whole: a ">" inside one ends nothing (the sanitizer
# escapes it, but the walk must not depend on that).
_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")


def explain(html: str, known) -> tuple[str, list[str]]:
    """The body's HTML with the first use of each term of ``known`` explained, and the
    terms' slugs.

    The HTML (sanitized already) is walked as tags and text: only text outside links,
    headings and the like is searched, and everything else is kept byte for byte."""
    if not known or not html:
        return html, []
    pattern = _pattern(known)
    used: list[str] = []
    inside: list[str] = []  # skipped elements open around the current text
    out = []
    for part in _TAG.split(html):
        tag = _TAG_NAME.match(part) if part.startswith("<") else None
        if tag:
            closing, name = tag[1] == "/", tag[2].lower()
            if name in SKIPPED and not part.endswith("/>"):
                if not closing:
                    inside.append(name)
                elif name in inside:
                    del inside[len(inside) - 1 - inside[::-1].index(name)]
            out.append(part)
        elif inside or not part.strip():
            out.append(part)
        else:
            out.append(_explain_text(part, pattern, known, used))
    return ("".join(out), used) if used else (html, [])


def _explain_text(text, pattern, known, used) -> str:
    """``text`` (HTML text, escaped) with the first use of each term not yet ``used``."""
    out, start = [], 0
    for match in pattern.finditer(fold(text)):
        slug, term, explanation, url = known[_index(match)]
        if slug in used:
            continue
        used.append(slug)
        out.append(text[start : match.start()])
        out.append(_markup(slug, term, text[match.start() : match.end()], explanation, url))
        start = match.end()
    out.append(text[start:])
    return "".join(out)


def _index(match: re.Match) -> int:
    return int(match.lastgroup[1:])


def _markup(slug, term, written, explanation, url) -> str:
    """``written``: the word as it stands in the HTML (escaped already)."""
    note = f"term-{slug}"
    more = f' <a href="{escape(url)}">Read more</a>' if url else ""
    return (
        f'<button type="button" class="term" popovertarget="{note}">{written}</button>'
        f'<span class="{NOTE_CLASS}" id="{note}" popover><strong>{escape(term)}</strong>: '
        f"{escape(explanation)}{more}</span>"
    )


_NOTE = re.compile(rf'<span class="{NOTE_CLASS}" id="[^"]*" popover>.*?</span>', re.DOTALL)
_BUTTON = re.compile(r'<button type="button" class="term" popovertarget="[^"]*">(.*?)</button>')


def without_explanations(html: str) -> str:
    """The body as written (for feeds: a feed reader shows no popover)."""
    return _BUTTON.sub(r"\1", _NOTE.sub("", html))


# -- Renderings, for translators ------------------------------------------------------------


def _words(phrases) -> re.Pattern | None:
    """Any of ``phrases``, whole words, accents and case aside (a form's own characters are
    taken as written: "(4T)" or "100%" match themselves)."""
    alternatives = [
        r"\s+".join(map(re.escape, fold(phrase).split())) for phrase in phrases if phrase.strip()
    ]
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def rendering_gaps(pairs, terms) -> list[dict]:
    """The paragraphs (``articles.pairing.Pair``) whose original uses a term of ``terms``
    ((slug, forms in the originals, agreed rendering), as
    ``GlossaryTerm.objects.for_translating()`` gives them) and whose translation, written,
    lacks the term's agreed rendering: ``{"paragraph": n (from 1), "term": slug, "form": the
    form found, "rendering": …}`` each. A term without an agreed rendering flags nothing."""
    checks = []
    for slug, forms, rendering in terms:
        found, wanted = _words(forms), _words([rendering])
        if found is not None and wanted is not None:
            checks.append((slug, found, rendering, wanted))
    gaps = []
    for pair in pairs:
        if not (pair.original and pair.translation):
            continue
        original, translation = fold(pair.original), fold(pair.translation)
        for slug, found, rendering, wanted in checks:
            match = found.search(original)
            if match and not wanted.search(translation):
                form = pair.original[match.start() : match.end()]
                gaps.append(
                    {
                        "paragraph": pair.position + 1,
                        "term": slug,
                        "form": form,
                        "rendering": rendering,
                    }
                )
    return gaps
