"""WordPress shortcodes in a post's HTML, as the HTML WordPress would show in their place.

* ``[caption …]<img>…[/caption]`` (the caption after the image, or in its ``caption``
  attribute, the image linked or not) → a ``<figure>`` with its ``<figcaption>``;
* ``[gallery]`` → the post's own attached images; ``[gallery ids="1,2"]`` or ``include=``
  those images; ``id=`` another post's; ``exclude=`` leaves some out (in a ``<figure>``);
* ``[embed]URL[/embed]``, ``[video …]``, ``[audio …]`` (a ``src=``, ``mp3=``… attribute or
  the address alone: ``[audio https://…]``) → a link to it;
* other shortcodes keep their inner text and lose their tags, nested up to three deep
  (``[sic]`` and ``[1]``, with no attributes and no closing tag, are text and stay).
"""

import re
from dataclasses import dataclass, field
from html import escape

_CAPTION = re.compile(r"\[caption\b([^\]]*)\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
_LINKED_IMAGE = re.compile(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.IGNORECASE)
_GALLERY = re.compile(r"\[gallery\b([^\]]*)\]", re.IGNORECASE)
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_MEDIA = re.compile(
    r"\[(?P<kind>video|audio)\b(?P<attributes>[^\]]*)\](?:(?P<inner>.*?)\[/(?P=kind)\])?",
    re.DOTALL | re.IGNORECASE,
)
_MEDIA_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "mp3", "m4a", "ogg", "wav", "wma", "flv")
_ADDRESS = re.compile(r"^\s*=?\s*[\"']?(https?://[^\s\"'\]]+)", re.IGNORECASE)
_PAIRED = re.compile(r"\[([a-z][\w-]*)(?:\s[^\]]*)?\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_WITH_ATTRIBUTES = re.compile(
    r"\[/?[a-z][\w-]*(?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))+\s*/?\]", re.IGNORECASE
)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
NESTING = 3  # how deep shortcodes inside shortcodes are unwrapped


@dataclass
class Media:
    """The export's image attachments: by attachment id, as ``ImportItem.lead_image`` wants
    them (address, alt text, caption, size), and each post's attached images in WordPress's
    gallery order (its ``menu_order``, then id)."""

    images: dict[str, dict] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    _order: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def add(self, attachment_id: str, image: dict, parent: str = "", menu_order: int = 0):
        self.images[attachment_id] = image
        if parent and parent != "0":
            self._order[attachment_id] = (menu_order, _number(attachment_id))
            siblings = self.children.setdefault(parent, [])
            siblings.append(attachment_id)
            siblings.sort(key=self._order.__getitem__)

    def gallery(self, attributes: dict, post_id: str) -> list[str]:
        """The attachment ids a gallery shortcode with these attributes shows."""
        listed = attributes.get("ids") or attributes.get("include") or ""
        if listed.strip():
            numbers = [number.strip() for number in listed.split(",") if number.strip()]
        else:
            numbers = list(self.children.get(attributes.get("id") or post_id, []))
        excluded = {number.strip() for number in attributes.get("exclude", "").split(",")}
        return [number for number in numbers if number not in excluded]

    def used_by(self, html: str, post_id: str) -> list[dict]:
        """The images the post's galleries show (for its fingerprint: a changed attachment
        changes the post)."""
        shown = []
        for match in _GALLERY.finditer(html or ""):
            shown += self.gallery(attributes(match[1]), post_id)
        return [self.images[number] for number in shown if number in self.images]


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def attributes(text: str) -> dict[str, str]:
    """A shortcode's attributes: ``key="value"``, ``key='value'``, ``key=value``."""
    return {
        match[1].lower(): next(v for v in match.groups()[1:] if v is not None)
        for match in _ATTRIBUTE.finditer(text or "")
    }


def expand(html: str, media: Media | None = None, post_id: str = "") -> str:
    """``html`` with its shortcodes replaced (see the module's docstring)."""
    media = media or Media()

    def caption(match):
        options, inner = attributes(match[1]), match[2].strip()
        image = _LINKED_IMAGE.search(inner)
        if not image:
            return inner
        text = (inner[: image.start()] + inner[image.end() :]).strip()
        text = text or escape(options.get("caption", ""), quote=False)
        return f"<figure>{image[0]}<figcaption>{text}</figcaption></figure>"

    def gallery(match):
        images = [media.images.get(n) for n in media.gallery(attributes(match[1]), post_id)]
        shown = "".join(
            f'<img src="{escape(image["url"])}" alt="{escape(image.get("alt", ""))}">'
            for image in images
            if image
        )
        return f"<figure>{shown}</figure>" if shown else ""

    def embedded(match):
        return f'<p><a href="{match[1].strip()}">{match[1].strip()}</a></p>'

    def recording(match):
        options = attributes(match["attributes"])
        address = next((options[k] for k in _MEDIA_SOURCES if options.get(k)), "")
        if not address:
            found = _ADDRESS.match(match["attributes"]) or _ADDRESS.match(match["inner"] or "")
            address = found[1] if found else ""
        if not address.startswith(("http://", "https://")):
            return match["inner"] or ""
        kind = match["kind"].capitalize()
        return f'<p><a href="{escape(address)}">{kind}: {escape(address)}</a></p>'

    html = _GALLERY.sub(gallery, html)
    html = _CAPTION.sub(caption, html)
    html = _EMBED.sub(embedded, html)
    html = _MEDIA.sub(recording, html)
    for _ in range(NESTING):
        html = _PAIRED.sub(lambda m: m[2], html)
    return _WITH_ATTRIBUTES.sub("", html)
