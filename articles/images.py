"""Images uploaded by editors, and how articles show them.

An upload is checked (:func:`validate_upload`: a real JPEG, PNG, WebP or GIF under the size
limit; SVG refused, since it can carry scripts), then cleaned (:func:`prepare`: turned upright
as the camera said, stored again without EXIF/XMP metadata, so no location leaves the
newsroom) and resized to a few widths in WebP (``RENDITION_WIDTHS``) for ``srcset``. Files go
to Django's default storage: local disk, or an S3-compatible store (settings ``MEDIA_*``).

In an article's Markdown an image is a line of its own: ``![](image:12)`` (a text in the
brackets replaces the image's alt text for that article). When the article is saved the line
becomes a ``<figure>`` with the image's copies, alt text, caption and credit
(:func:`render_body`); editing an image renders the articles that show it again
(:func:`image_changed`).
"""

import io
import re
import secrets
from html import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError

from articles.markup import render_markdown
from articles.signals import content_changed
from articles.text import normalize_newlines

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
MAX_PIXELS = 50_000_000
# An animation is decoded twice and encoded again, frame by frame: about 0.1 s per million
# pixels of all its frames on one core (``tests/test_images.py`` makes such uploads). Bounded
# so that no upload holds a request for more than a second or two: 12 megapixels in all
# (a 480 × 270 clip of 90 frames), and at most 300 frames.
MAX_ANIMATION_PIXELS = 12_000_000
MAX_FRAMES = 300
BATCH_SIZE = 200
# The article column is 29em of 1.05rem (548 CSS pixels at the default size); on a narrower
# screen, the screen less the page's padding.
ARTICLE_SIZES = "(min-width: 590px) 548px, calc(100vw - 40px)"
CARD_SIZES = "128px"


def upload_to(instance, filename: str) -> str:
    """A random name that is never reused (files are cached for a year) and tells nothing of
    the uploaded file's name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"images/{timezone.now():%Y/%m}/{secrets.token_urlsafe(12)}.{extension}"


def rendition_name(name: str, width: int) -> str:
    return f"{name.rsplit('.', 1)[0]}-{width}w.webp"


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def validate_upload(upload) -> None:
    """Refuse, with a message that says why, what is not a real image we can show."""
    if upload is None or getattr(upload, "_committed", True):
        return  # a file stored already was checked when it was uploaded
    name = getattr(upload, "name", "") or ""
    if upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is {_megabytes(upload.size)}; the limit is "
            f"{_megabytes(settings.IMAGE_MAX_BYTES)}. Save it smaller (2,000 pixels wide is "
            "plenty) and upload it again."
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if name.lower().endswith((".svg", ".svgz")) or b"<svg" in head.lower():
        raise ValidationError(
            f"“{name}” is an SVG drawing: SVG files are not accepted, since they can carry "
            "scripts. Export it as PNG and upload that."
        )
    try:
        with Pillow.open(upload) as picture:
            found = picture.format
            width, height = picture.size
            frames = getattr(picture, "n_frames", 1)  # read from the frames' headers
            if found in FORMATS and _within_bounds(width, height, frames):
                for frame in range(frames):  # decoded whole: a cut-short file fails here
                    picture.seek(frame)
                    picture.load()
    except Pillow.DecompressionBombError:
        raise ValidationError(f"“{name}” has too many pixels to be a photograph.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            f"“{name}” is not an image file, or it is damaged (cut short, perhaps). Upload a "
            "JPEG, PNG, WebP or GIF."
        ) from None
    finally:
        upload.seek(0)
    if found not in FORMATS:
        raise ValidationError(
            f"“{name}” is a {found} image; upload a JPEG, PNG, WebP or GIF instead."
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            f"“{name}” is {width:,} × {height:,} pixels; the limit is "
            f"{MAX_PIXELS // 1_000_000} megapixels."
        )
    if frames > MAX_FRAMES:
        raise ValidationError(
            f"“{name}” is an animation of {frames:,} frames; the limit is {MAX_FRAMES}. "
            "Shorten it, or upload a still picture and link to the video."
        )
    if frames > 1 and width * height * frames > MAX_ANIMATION_PIXELS:
        raise ValidationError(
            f"“{name}” is an animation of {frames:,} frames of {width:,} × {height:,} pixels; "
            f"the limit is {MAX_ANIMATION_PIXELS // 1_000_000} megapixels in all its frames "
            "(make it smaller or shorter)."
        )


def _within_bounds(width: int, height: int, frames: int) -> bool:
    if frames == 1:
        return width * height <= MAX_PIXELS
    return frames <= MAX_FRAMES and width * height * frames <= MAX_ANIMATION_PIXELS


def prepare(image) -> None:
    """Store the uploaded file cleaned (upright, re-encoded without metadata, comments or
    anything else the file carried) and its resized copies;
    set ``width``, ``height`` and ``rendition_widths``."""
    upload = image.file
    upload.seek(0)
    with Pillow.open(upload) as opened:
        found = opened.format
        animated = getattr(opened, "is_animated", False)
        icc_profile = opened.info.get("icc_profile")
        # Encoded anew from the pixels, with nothing of the file's own but its colour
        # profile (and an animation's timing): no comment, no metadata, nothing appended (a
        # file that is also a script or a page, a "polyglot", is an image again).
        cleaned = io.BytesIO()
        if animated:  # the frames are kept, in the file's own format (no camera metadata)
            _save_animation(opened, found, cleaned)
            opened.seek(0)
            picture = opened.copy()
        else:
            picture = ImageOps.exif_transpose(opened)
            picture.info = {}
            _save_clean(picture, found, cleaned, icc_profile)
    name = default_storage.save(
        upload_to(image, f"upload.{FORMATS[found]}"), ContentFile(cleaned.getvalue())
    )
    image.file.name = name
    image.file._committed = True
    image.width, image.height = picture.size
    image.rendition_widths = _save_renditions(picture, name)


def _save_animation(opened, found: str, out) -> None:
    """An animated GIF, PNG (APNG) or WebP encoded again in its own format, frame by frame,
    with its timing and nothing else of the file's (so that a ``.png`` holds a PNG)."""
    options = {"save_all": True}
    if found == "GIF":
        options["comment"] = b""
    elif found == "WEBP":
        options.update(quality=90, exif=b"", xmp=b"")
    else:  # PNG
        options["compress_level"] = 3  # the default, 6, takes twice as long for little gain
    opened.save(out, format=found, **options)


def _save_clean(picture, found: str, out, icc_profile) -> None:
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if found == "JPEG":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(out, format="JPEG", quality=90, optimize=True, **options)
    elif found == "WEBP":
        picture.save(out, format="WEBP", quality=90, **options)
    else:
        picture.save(out, format=found, optimize=True, **options)


def _save_renditions(picture, name: str) -> list[int]:
    width, height = picture.size
    widths = [w for w in RENDITION_WIDTHS if w < width] + (
        [width] if width <= RENDITION_WIDTHS[-1] else []
    )
    mode = "RGBA" if picture.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    source = picture.convert(mode)
    for w in widths:
        copy = source if w == width else source.resize((w, max(1, round(height * w / width))))
        out = io.BytesIO()
        copy.save(out, format="WEBP", quality=80, method=4)
        stored = default_storage.save(rendition_name(name, w), ContentFile(out.getvalue()))
        if stored != rendition_name(name, w):
            raise RuntimeError(f"storage renamed {rendition_name(name, w)} to {stored}")
    return widths


# Images in an article's body.

IMAGE_LINE = re.compile(r"^[ \t]*!\[([^\]\n]*)\]\(image:(\d+)\)[ \t]*$", re.MULTILINE)
IMAGE_REFERENCE = re.compile(r"\(image:(\d+)\)")
_PLACEHOLDER = "ARCHIVEFIGURE{}X"
_PLACED = re.compile(r"<p>ARCHIVEFIGURE(\d+)X</p>")


def referenced(markdown_text: str) -> list[int]:
    """The ids of the images a body shows, in order."""
    lines = normalize_newlines(markdown_text or "")
    return list(dict.fromkeys(int(m.group(2)) for m in IMAGE_LINE.finditer(lines)))


def check_body(markdown_text: str, available=None) -> list[str]:
    """What is wrong with the body's image lines, one message each (for the article form).
    ``available``: the images the writer may place (default: all)."""
    from articles.models import Image

    available = Image.objects.all() if available is None else available
    markdown_text = normalize_newlines(markdown_text)  # a browser sends CRLF
    problems = []
    on_own_line = {
        m.start(0) + m.group(0).rindex("(image:") for m in IMAGE_LINE.finditer(markdown_text)
    }
    wanted = referenced(markdown_text)
    known = set(available.filter(pk__in=wanted).values_list("pk", flat=True))
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


def render_body(markdown_text: str, available=None) -> tuple[str, list[int]]:
    """The body's safe HTML with each image line made a figure, and the images' ids.
    ``available``: the images that may be shown (default: all; the live preview passes
    those its writer may see)."""
    from articles.models import Image

    available = Image.objects.all() if available is None else available
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
    found = available.in_bulk(wanted)

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


def figure_html(image, *, alt=None, lazy=True, css_class="figure") -> str:
    return (
        f'<figure class="{css_class}">{img_html(image, alt=alt, lazy=lazy)}'
        f"{figcaption_html(image)}</figure>"
    )


def image_changed(image) -> int:
    """Render again the bodies that show ``image`` (its alt text, caption or credit, or its
    file, changed). Returns how many."""
    from articles.models import Article

    showing = Article.objects.showing_image(image).only(
        "pk", "body", "dateline", "body_html", "glossary_terms", "body_images"
    )
    changed = []
    for article in showing.iterator(chunk_size=BATCH_SIZE):
        article.render_body()
        changed.append(article)
    Article.objects.bulk_update(
        changed, ["body_html", "glossary_terms", "body_images"], batch_size=BATCH_SIZE
    )
    if changed:
        content_changed.send(sender=type(image))
    return len(changed)
