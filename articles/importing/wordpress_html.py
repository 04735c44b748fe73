"""A WordPress post's HTML as the archive's Markdown.

The conversion itself is markdownify's (on BeautifulSoup with the lxml parser): it is
maintained, handles nested lists, blockquotes, tables, links and images, and lets us override
one tag at a time, which our own converter would take hundreds of lines to match. Before it,
what only WordPress writes is undone here:

* block-editor comments (``<!-- wp:paragraph -->``) and other comments are dropped;
* ``[caption]…[/caption]`` becomes a figure (image, then its caption as a caption line),
  ``[embed]URL[/embed]`` and ``[video src=…]`` / ``[audio src=…]`` become links; other
  shortcodes keep their inner text and lose their tags (``[sic]`` and ``[1]``, which have no
  attributes and no closing tag, are text and stay);
* classic-editor posts have no ``<p>``: blank lines separate paragraphs, a single newline is a
  line break (WordPress's ``wpautop``);
* ``&nbsp;``, inline styles, ``<span>``/``<div>`` wrappers and classes disappear;
* a list of related posts at the end ("Related", "See also", "Read more" followed by links to
  the same site) is taken out and returned as related stories.

Text is escaped so that Markdown shows it as written; the result is sanitized like every body
when the article is saved.
"""

import re
from html import escape
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

from articles.importing.parsed import ParsedRelatedStory

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CAPTION = re.compile(r"\[caption\b[^\]]*\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_FILE_PATH = re.compile(r"^/wp-(?:content|includes|admin)/|\.(?!html?$|php$)\w{2,5}$", re.I)
_GALLERY = re.compile(r"\[gallery\b[^\]]*?\bids=[\"']?([\d,\s]+)[\"']?[^\]]*\]", re.IGNORECASE)
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_MEDIA = re.compile(
    r"\[(?:video|audio)\b[^\]]*?\b(?:src|mp4|mp3|m4a|ogg|webm)=[\"']([^\"']+)[\"'][^\]]*\]"
    r"(?:\s*\[/(?:video|audio)\])?",
    re.IGNORECASE,
)
_PAIRED = re.compile(r"\[([a-z][\w-]*)(?:\s[^\]]*)?\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_WITH_ATTRIBUTES = re.compile(
    r"\[/?[a-z][\w-]*(?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))+\s*/?\]", re.IGNORECASE
)
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|blockquote|figure|table|pre|hr|iframe|dl|address|section"
    r"|article|aside|header|footer|form|fieldset|details|script|style|img)\b",
    re.IGNORECASE,
)
_RELATED_HEADING = re.compile(
    r"^\s*(?:related(?:\s+(?:stories|articles|posts|reading|coverage))?|see\s+also|read\s+also"
    r"|also\s+read|read\s+more|more\s+on\s+this(?:\s+story)?|further\s+reading|lea\s+tambi[ée]n"
    r"|relacionad[oa]s?|te\s+puede\s+interesar)\s*:?\s*$",
    re.IGNORECASE,
)


def to_markdown(
    html: str, site_url: str, attachments: dict | None = None
) -> tuple[str, list[ParsedRelatedStory]]:
    """The post's Markdown and the related stories taken from its end. ``attachments``: the
    export's images by attachment id (a ``[gallery ids=…]`` shows them)."""
    html = _expand_shortcodes(_COMMENT.sub("", html or ""), attachments or {})
    html = autop(html)
    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    related = _take_related(root, site_url)
    for link in root.find_all("a", href=True):
        # A link to another page of the old site: by its path, which the import then points
        # at the new address (``links.rewrite_old_links``), or which redirects later. Files
        # (uploads, PDFs) stay where they are.
        parts = urlsplit(_same_site(link["href"], site_url))
        if parts.path and not _FILE_PATH.search(parts.path):
            link["href"] = parts.path + (f"?{parts.query}" if parts.query else "")
    for frame in root.find_all("iframe"):
        src = frame.get("src", "")
        if src.startswith(("http://", "https://")):
            link = soup.new_tag("a", href=src)
            link.string = frame.get("title") or src
            paragraph = soup.new_tag("p")
            paragraph.append(link)
            frame.replace_with(paragraph)
        else:
            frame.decompose()
    text = _Converter().convert_soup(root)
    text = text.replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", lambda m: "  \n" if m[0].startswith("  ") else "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return (text + "\n" if text else ""), related


def _expand_shortcodes(html: str, attachments: dict) -> str:
    def caption(match):
        inner = match[1].strip()
        image = re.match(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", inner, re.IGNORECASE)
        if not image:
            return inner
        text = inner[image.end() :].strip()
        return f"<figure>{image[0]}<figcaption>{text}</figcaption></figure>"

    def gallery(match):
        images = [attachments.get(number.strip()) for number in match[1].split(",")]
        shown = "".join(
            f'<img src="{escape(image["url"])}" alt="{escape(image.get("alt", ""))}">'
            for image in images
            if image
        )
        return f"<figure>{shown}</figure>" if shown else ""

    html = _GALLERY.sub(gallery, html)
    html = _CAPTION.sub(caption, html)
    html = _EMBED.sub(lambda m: f'<p><a href="{m[1].strip()}">{m[1].strip()}</a></p>', html)
    html = _MEDIA.sub(lambda m: f'<p><a href="{m[1]}">{m[1]}</a></p>', html)
    for _ in range(3):  # nested shortcodes
        html = _PAIRED.sub(lambda m: m[2], html)
    return _WITH_ATTRIBUTES.sub("", html)


def autop(html: str) -> str:
    """WordPress's ``wpautop``, simplified: text separated by blank lines becomes paragraphs,
    a single newline inside one a line break; HTML blocks stay as they are."""
    if "\n" not in html and "<p" in html.lower():
        return html
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    # Blocks whose own line breaks matter (code, a table's rows) are set aside first, as
    # wpautop does: no paragraph or line break is added inside them.
    kept: list[str] = []

    def set_aside(match):
        kept.append(match[0])
        return f"\n\n<div>{_KEPT.format(len(kept) - 1)}</div>\n\n"

    html = _WHOLE_BLOCKS.sub(set_aside, html)
    out = []
    for chunk in re.split(r"\n\s*\n", html):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:  # a single newline: a line break (a poem's lines), not a new paragraph; one
            # written with its own <br> already is not broken twice
            chunk = re.sub(r"<br\s*/?>\s*\n", "\n", chunk, flags=re.IGNORECASE)
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br>", chunk) + "</p>")
    html = "\n".join(out)
    for number, block in enumerate(kept):
        html = html.replace(f"<div>{_KEPT.format(number)}</div>", block)
    return html


_KEPT = "\x00kept{}\x00"
_WHOLE_BLOCKS = re.compile(r"<(pre|table)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


def _same_site(href: str, site_url: str) -> str:
    """The absolute address of ``href`` if it is on the old site, else ""."""
    absolute = urljoin(site_url + "/", href)
    site = urlsplit(site_url).netloc.lower().removeprefix("www.")
    host = urlsplit(absolute).netloc.lower().removeprefix("www.")
    return absolute if site and host == site else ""


def _take_related(root: Tag, site_url: str) -> list[ParsedRelatedStory]:
    """Remove a trailing "Related" heading and its list of links to the same site."""
    children = [
        child
        for child in root.children
        if isinstance(child, Tag) or (isinstance(child, NavigableString) and child.strip())
    ]
    if len(children) < 2:
        return []
    heading, listing = children[-2], children[-1]
    if not isinstance(heading, Tag) or not isinstance(listing, Tag):
        return []
    if heading.name not in ("h2", "h3", "h4", "h5", "h6", "p") or not _RELATED_HEADING.match(
        heading.get_text(" ", strip=True)
    ):
        return []
    if listing.name in ("ul", "ol"):
        items = listing.find_all("li", recursive=False)
    else:
        return []
    stories = []
    for item in items:
        link = item.find("a", href=True)
        url = _same_site(link["href"], site_url) if link else ""
        if not url:
            return []  # not a list of this site's posts: leave it in the body
        title = link.get_text(" ", strip=True)
        rest = item.get_text(" ", strip=True)
        summary = rest.replace(title, "", 1).strip(" —–-:|·") if title else rest
        stories.append(ParsedRelatedStory(title=title, summary=summary, url=url))
    heading.decompose()
    listing.decompose()
    return stories


# Characters Markdown would read as markup; escaped so text shows as written.
_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_LINE_START = re.compile(r"^(\s*)(\d+)([.)])(\s|$)|^(\s*)([-+>])(\s|$)")


class _Converter(MarkdownConverter):
    def __init__(self):
        super().__init__(
            heading_style="atx",
            bullets="-",
            strong_em_symbol="*",
            escape_asterisks=False,
            escape_underscores=False,
            escape_misc=False,
            strip=["script", "style", "noscript", "form", "input", "button", "svg", "object"],
            table_infer_header=True,  # a table without <thead>: its first row heads it
            sup_symbol="<sup>",  # footnote marks, "1<sup>st</sup>": kept as the HTML they are
            sub_symbol="<sub>",
        )

    def escape(self, text, parent_tags):
        if not text:
            return ""
        text = _SPECIAL.sub(r"\\\1", text).replace("&", "&amp;").replace("<", "&lt;")
        return _LINE_START.sub(_escape_line_start, text)

    def convert_figure(self, el, text, parent_tags):
        if el.find("figure") is not None:  # a gallery: figures in a figure, each converted
            caption = el.find("figcaption", recursive=False)
            words = self.process_tag(caption, parent_tags={"figure"}).strip() if caption else ""
            inner = text.replace(words, "") if words else text
            return inner + (f"\n\n{words}\n{{: .caption }}\n\n" if words else "")
        caption = el.find("figcaption")
        parts = [
            self.convert_img(image, "", set()) for image in el.find_all("img") if image.get("src")
        ]
        if caption is not None:
            words = self.process_tag(caption, parent_tags={"figure"}).strip()
            if words:
                parts.append(f"{words}\n{{: .caption }}")
        if not parts:
            address = text.strip()
            if re.fullmatch(r"https?://\S+", address):  # an embed block: the address alone
                return f"\n\n[Embedded: {address}]({address})\n\n"
            return text
        return "\n\n" + "\n\n".join(parts) + "\n\n"

    def convert_figcaption(self, el, text, parent_tags):
        if "figure" in parent_tags:
            return text
        return f"\n\n{text.strip()}\n{{: .caption }}\n\n" if text.strip() else ""

    def convert_video(self, el, text, parent_tags):
        return self._media_link(el, text, "Video")

    def convert_audio(self, el, text, parent_tags):
        return self._media_link(el, text, "Audio")

    def _media_link(self, el, text, kind):
        """A video or a recording: a link to it (no player is allowed in a body)."""
        source = el.get("src") or next(
            (s.get("src") for s in el.find_all("source") if s.get("src")), ""
        )
        if not source.startswith(("http://", "https://")):
            return text
        return f"\n\n[{kind}: {source}]({source})\n\n"

    def convert_img(self, el, text, parent_tags):
        src = el.get("src", "")
        if not src.startswith(("http://", "https://", "/")):
            return el.get("alt", "")
        alt = _SPECIAL.sub(r"\\\1", el.get("alt", "") or "")
        title = (el.get("title") or "").replace('"', "")
        title_part = f' "{title}"' if title else ""
        return f"![{alt}]({src}{title_part})"


def _escape_line_start(match):
    if match[2]:
        return f"{match[1]}{match[2]}\\{match[3]}{match[4]}"
    mark = "&gt;" if match[6] == ">" else f"\\{match[6]}"
    return f"{match[5]}{mark}{match[7]}"
