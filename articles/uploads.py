"""Images uploaded by editors: checked, cleaned and resized.

An upload is checked (:func:`validate_upload`: a real JPEG, PNG, WebP or GIF under the size
limit, an animation within its bounds; SVG refused, since it can carry scripts), then
cleaned (:func:`prepare`: turned upright as the camera said, stored again without EXIF/XMP
metadata, so no location leaves the newsroom; an animation encoded again in its own format)
and resized to a few widths in WebP (``RENDITION_WIDTHS``) for ``srcset``. Files go to
Django's default storage: local disk, or an S3-compatible store (settings ``MEDIA_*``).
How articles show images is ``articles.figures``'.
"""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
MAX_PIXELS = 50_000_000
# An animation is decoded twice and encoded again, frame by frame: about 0.1 s per million
# pixels of all its frames on one core (``tests/test_images.py`` makes such uploads). Bounded
# so that no upload holds a request for more than a second or two: 12 megapixels in all
# (a 480 × 270 clip of 90 frames), and at most 300 frames.
MAX_ANIMATION_PIXELS = 12_000_000
MAX_FRAMES = 300


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
