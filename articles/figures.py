"""How articles show images: in an article's Markdown an image is a line of its own,
``![](image:12)`` (a text in the brackets replaces the image's alt text for that article).
When the article is saved the line becomes a ``<figure>`` with the image's copies, alt text,
caption and credit (:func:`render_body`, given the images by id: it reads nothing itself).
The lead image and listings' small pictures are drawn by the same :func:`img_html`.
"""

import re
from html import escape

from articles.markup import render_markdown
from articles.text import normalize_newlines

# The text column is 34rem (612 CSS pixels at the default size); on a narrower screen, the
# screen less the page's padding. The lead image spans the column and the side column
# beside it from 1,200 pixels (55rem).
ARTICLE_SIZES = "(min-width: 652px) 612px, calc(100vw - 40px)"
LEAD_SIZES = "(min-width: 1200px) 990px, (min-width: 652px) 612px, calc(100vw - 40px)"
CARD_SIZES = "128px"
# The front page's lead picture: three fifths of the wide column from 800 pixels.
FRONT_SIZES = "(min-width: 1300px) 780px, (min-width: 800px) 58vw, calc(100vw - 40px)"

IMAGE_LINE = re.compile(r"^[ \t]*!\[([^\]\n]*)\]\(image:(\d+)\)[ \t]*$", re.MULTILINE)
IMAGE_REFERENCE = re.compile(r"\(image:(\d+)\)")
_PLACEHOLDER = "ARCHIVEFIGURE{}X"
_PLACED = re.compile(r"<p>ARCHIVEFIGURE(\d+)X</p>")


def referenced(markdown_text: str) -> list[int]:
    """The ids of the images a body shows, in order."""
    lines = normalize_newlines(markdown_text or "")
    return list(dict.fromkeys(int(m.group(2)) for m in IMAGE_LINE.finditer(lines)))


def line_problems(markdown_text: str, known: set[int]) -> list[str]:
    """What is wrong with the body's image lines, one message each (for the article form):
    an image not on a line of its own, or not among ``known`` (the ids the writer may
    place)."""
    markdown_text = normalize_newlines(markdown_text)  # a browser sends CRLF
    problems = []
    on_own_line = {
        m.start(0) + m.group(0).rindex("(image:") for m in IMAGE_LINE.finditer(markdown_text)
    }
    for match in IMAGE_REFERENCE.finditer(markdown_text):
        line = markdown_text.count("\n", 0, match.start()) + 1
        number = int(match.group(1))
        if match.start() not in on_own_line:
            problems.append(
                f"Line {line}: put the image ![…](image:{number}) on a line of its own."
            )
        elif number not in known:
            problems.append(f"Line {line}: there is no image {number} (see Images).")
    return problems


def render_body(markdown_text: str, found: dict) -> tuple[str, list[int]]:
    """The body's safe HTML with each image line made a figure, and the ids of the images
    shown. ``found``: the images it may show, by id (the ones its lines name, read by the
    caller: the article when saved, the live preview among those its writer may see)."""
    markdown_text = normalize_newlines(markdown_text)
    wanted = referenced(markdown_text)
    if not wanted:
        return render_markdown(markdown_text), []
    alts = {}

    def placeholder(match):
        number = int(match.group(2))
        alts.setdefault(number, match.group(1).strip())
        return "\n\n" + _PLACEHOLDER.format(number) + "\n\n"

    html = render_markdown(IMAGE_LINE.sub(placeholder, markdown_text))

    def figure(match):
        image = found.get(int(match.group(1)))
        if image is None:
            return ""
        return figure_html(image, alt=alts.get(image.pk) or image.alt)

    return _PLACED.sub(figure, html), [pk for pk in wanted if pk in found]


def img_html(image, *, alt=None, sizes=ARTICLE_SIZES, lazy=True, css_class="") -> str:
    """An ``<img>`` with the copies for the browser to choose from, and its size (so that
    nothing moves when it arrives)."""
    attributes = [("src", image.src)]
    if image.rendition_widths:
        attributes += [("srcset", image.srcset), ("sizes", sizes)]
    if image.width and image.height:
        attributes += [("width", str(image.width)), ("height", str(image.height))]
    attributes.append(("alt", image.alt if alt is None else alt))
    if lazy:
        attributes.append(("loading", "lazy"))
    attributes.append(("decoding", "async"))
    if css_class:
        attributes.append(("class", css_class))
    return "<img " + " ".join(f'{key}="{escape(value)}"' for key, value in attributes) + ">"


def figcaption_html(image) -> str:
    parts = []
    if image.caption:
        parts.append(escape(image.caption, quote=False))
    if image.credit:
        parts.append(f'<span class="credit">{escape(image.credit, quote=False)}</span>')
    return f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""


def figure_html(image, *, alt=None, lazy=True, css_class="figure", sizes=ARTICLE_SIZES) -> str:
    return (
        f'<figure class="{css_class}">{img_html(image, alt=alt, lazy=lazy, sizes=sizes)}'
        f"{figcaption_html(image)}</figure>"
    )
