"""A WordPress post's HTML as the archive's Markdown.

The conversion itself is markdownify's (on BeautifulSoup with the lxml parser): it is
maintained, handles nested lists, blockquotes, tables, links and images, and lets us override
one tag at a time, which our own converter would take hundreds of lines to match. Before it,
what only WordPress writes is undone here:

* block-editor comments (``<!-- wp:paragraph -->``) and other comments are dropped;
* shortcodes become the HTML WordPress shows for them (``shortcodes``: captions, galleries,
  embeds, audio and video);
* classic-editor posts have no ``<p>``: blank lines separate paragraphs, a single newline is a
  line break, and block elements (lists, quotations, tables) stand apart from the text around
  them (WordPress's ``wpautop``);
* a figure keeps all it holds (images, a table, a quotation, an embed's address) with its
  caption as a caption line; an old caption's ``<dl class="wp-caption">`` is a figure too;
* an image linked to its attachment page on the old site (which the archive does not have)
  loses that link; one linked to its file or elsewhere keeps it;
* ``&nbsp;``, inline styles, ``<span>``/``<div>`` wrappers and classes disappear;
* a list of related posts at the end ("Related", "See also", "Read more" followed by links to
  the same site) is taken out and returned as related stories.

Text is escaped so that Markdown shows it as written; the result is sanitized like every body
when the article is saved.
"""

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

from articles.importing import shortcodes
from articles.importing.parsed import ParsedRelatedStory
from articles.importing.shortcodes import Media

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FILE_PATH = re.compile(r"^/wp-(?:content|includes|admin)/|\.(?!html?$|php$)\w{2,5}$", re.I)
_BLOCKS = (
    r"(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|figure|figcaption|table|thead|tbody|tfoot"
    r"|tr|td|th|caption|pre|hr|iframe|address|section|article|aside|header|footer|nav|form"
    r"|fieldset|legend|details|summary|script|style)"
)
_BLOCK_START = re.compile(rf"^\s*</?(?:{_BLOCKS}|img)\b", re.IGNORECASE)
_OPENS_BLOCK = re.compile(rf"(<{_BLOCKS}[\s/>])", re.IGNORECASE)
_CLOSES_BLOCK = re.compile(rf"(</{_BLOCKS}>)", re.IGNORECASE)
_RELATED_HEADING = re.compile(
    r"^\s*(?:related(?:\s+(?:stories|articles|posts|reading|coverage))?|see\s+also|read\s+also"
    r"|also\s+read|read\s+more|more\s+on\s+this(?:\s+story)?|further\s+reading|lea\s+tambi[ée]n"
    r"|relacionad[oa]s?|te\s+puede\s+interesar)\s*:?\s*$",
    re.IGNORECASE,
)


def to_markdown(
    html: str, site_url: str, media: Media | None = None, post_id: str = ""
) -> tuple[str, list[ParsedRelatedStory]]:
    """The post's Markdown and the related stories taken from its end. ``media``: the
    export's images (which galleries show), ``post_id`` the post's (a bare ``[gallery]``
    shows its own attached images)."""
    html = shortcodes.expand(_COMMENT.sub("", html or ""), media, post_id)
    html = autop(html)
    soup = BeautifulSoup(html, "lxml")
    root = soup.body or soup
    related = _take_related(root, site_url)
    _old_captions_as_figures(soup, root)
    for footer in root.find_all("tfoot"):
        footer.name = "tbody"  # a table's last rows (Markdown tables have no footer)
    for link in root.find_all("a", href=True):
        # A link to another page of the old site: by its path, which the import then points
        # at the new address (``links.rewrite_old_links``), or which redirects later. Files
        # (uploads, PDFs) stay where they are. An image linked to its attachment page there
        # (a page the archive does not have) is just the image.
        parts = urlsplit(_same_site(link["href"], site_url))
        if parts.path and not _FILE_PATH.search(parts.path):
            if _only_images(link):
                link.unwrap()
                continue
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
    # Block elements stand apart from the text around them, as paragraphs do: a list right
    # under a line of text is no part of that line.
    html = _CLOSES_BLOCK.sub("\\1\n\n", _OPENS_BLOCK.sub("\n\n\\1", html))
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


def _only_images(link: Tag) -> bool:
    """A link around an image and nothing else."""
    return link.find("img") is not None and not link.get_text(strip=True)


def _old_captions_as_figures(soup, root: Tag) -> None:
    """Captions as older WordPress wrote them in posts: ``<dl class="wp-caption"><dt>`` image
    ``<dd>`` caption, or ``<div class="wp-caption">`` image ``<p class="wp-caption-text">``,
    as the figures they are (an empty one, as some exports have, goes)."""
    for box in root.find_all(["dl", "div"], class_="wp-caption"):
        images = box.find_all("img")
        text = box.find(["dd", "p"], class_=re.compile(r"wp-caption-(?:dd|text)"))
        if not images:
            box.decompose()
            continue
        figure = soup.new_tag("figure")
        for image in images:
            figure.append(image.parent.extract() if image.parent.name == "a" else image.extract())
        if text is not None and text.get_text(strip=True):
            caption = soup.new_tag("figcaption")
            caption.extend(list(text.contents))
            figure.append(caption)
        box.replace_with(figure)


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
        """Everything the figure holds, each on its own: images (a gallery's, each of a
        gallery's figures), a table, a quotation, an embed's address as a link; its caption
        last, as a caption line."""
        parts, inside = [], parent_tags | {"figure"}
        for child in el.children:
            if isinstance(child, NavigableString):
                if child.strip():
                    parts.append(self.escape(child.strip(), parent_tags))
            elif child.name == "figcaption":
                words = self.process_tag(child, inside).strip()
                if words:
                    parts.append(f"{words}\n{{: .caption }}")
            elif child.name == "img":
                if child.get("src"):
                    parts.append(self.convert_img(child, "", set()))
            else:
                converted = self.process_tag(child, inside).strip()
                if re.fullmatch(r"https?://\S+", converted.replace("\\", "")):
                    address = converted.replace("\\", "")
                    converted = f"[Embedded: {converted}]({address})"
                if converted:
                    parts.append(converted)
        return "\n\n" + "\n\n".join(parts) + "\n\n" if parts else ""

    def convert_figcaption(self, el, text, parent_tags):
        if "figure" in parent_tags:
            return text
        return f"\n\n{text.strip()}\n{{: .caption }}\n\n" if text.strip() else ""

    def convert_list(self, el, text, parent_tags):
        """A list, kept apart from a list of the same kind right after it (which Markdown
        would otherwise continue: two lists numbered 1–2 would read 1–4)."""
        converted = super().convert_list(el, text, parent_tags)
        following = el.find_next_sibling()
        if "li" not in parent_tags and following is not None and following.name == el.name:
            converted = converted.rstrip("\n") + "\n\n<!-- -->\n"
        return converted

    convert_ul = convert_list
    convert_ol = convert_list

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
