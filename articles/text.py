"""Small text helpers shared by the models and the importer."""

import re

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
