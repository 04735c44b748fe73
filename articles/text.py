"""Small text helpers shared by the models, the search and the importers."""

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
_SPACES = re.compile(r"\s+")


def headline_key(text: str) -> str:
    """The form in which two headlines are compared: case, surrounding and repeated
    whitespace, and straight/curly quotes do not matter."""
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip().casefold()


def normalize_newlines(text: str) -> str:
    """LF line endings, whatever sent the text (a browser's form sends CRLF)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


# C0 controls but tab, line feed and carriage return; DEL: no HTML or XML page may hold them
# (a feed with one cannot be written).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as the archive keeps it: LF line endings, no control characters, and composed
    (NFC: "ñ" one character, as readers type it, whether the text came decomposed, as from
    a Mac's file names or some PDFs, or not)."""
    return unicodedata.normalize("NFC", CONTROL_CHARACTERS.sub("", normalize_newlines(text)))


# One character for one character: offsets in folded text are offsets in the original.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýÿ"
FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCcYyy"
assert len(FOLD_FROM) == len(FOLD_TO)
_FOLD_MAP = dict(zip(FOLD_FROM, FOLD_TO, strict=True))
_ACCENTED = re.compile(f"[{FOLD_FROM}]")


def fold(text: str) -> str:
    """The text with accents folded. (A substitution that visits only the accented letters:
    ``str.translate`` looks up every character, ten times slower on an article.)"""
    return _ACCENTED.sub(lambda match: _FOLD_MAP[match[0]], text)
