"""An original and its translation, paragraph by paragraph, as the side-by-side page shows
them, the workspace edits them (``static/articles/admin/workspace.js`` pairs them the same
way) and the translation memory keeps them.

Paragraphs are the Markdown's blocks between blank lines. The n-th paragraph of the original
goes with the n-th of the translation; the translation's image lines are its own (no
paragraph of the original's), and an original that still opens with its own headline (a
pasted one) gives it up: it is shown above. Paragraphs left over on either side are pairs
with one side empty, never shifted to fill a gap.
"""

import re
from dataclasses import dataclass
from html import unescape
from itertools import zip_longest

from django.utils.html import strip_tags

from articles.figures import IMAGE_LINE
from articles.markup import render_markdown
from articles.text import headline_key

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Pair:
    position: int  # from 0
    original: str  # Markdown; "" when the translation has more paragraphs
    translation: str  # Markdown; "" when not translated (yet)


def blocks(text: str) -> list[str]:
    """The Markdown's paragraphs: blocks between blank lines, trimmed, none empty."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return [block.strip() for block in _BLANK_LINE.split(text) if block.strip()]


def is_image_line(block: str) -> bool:
    return bool(IMAGE_LINE.fullmatch(block))


def plain(block: str) -> str:
    """A paragraph as the text a reader sees."""
    return unescape(strip_tags(render_markdown(block))).strip()


def original_paragraphs(original_body: str, original_headline: str = "") -> list[str]:
    found = blocks(original_body)
    if (
        found
        and original_headline
        and headline_key(plain(found[0])) == headline_key(original_headline)
    ):
        found = found[1:]
    return found


def translation_paragraphs(body: str) -> list[str]:
    return [block for block in blocks(body) if not is_image_line(block)]


def align(original_body: str, body: str, original_headline: str = "") -> list[Pair]:
    originals = original_paragraphs(original_body, original_headline)
    translations = translation_paragraphs(body)
    return [
        Pair(position, original, translation)
        for position, (original, translation) in enumerate(
            zip_longest(originals, translations, fillvalue="")
        )
    ]
