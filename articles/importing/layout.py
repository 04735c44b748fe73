"""Layout lines that are neither text nor headings, as translation sites write them:
**datelines** ("Oaxaca de Juárez, Oaxaca, March 3, 2019" on its own line, or "Monterrey."
opening the first paragraph), **rules** (a row of dashes or asterisks), **captions**
("(Photo: Cuartoscuro)", "Foto: …", an image file name), and a **name under a quotation**
(the speaker of a pull quote)."""

import re

from articles.dates import _EN_MONTH, _ES_MONTH, DATE, is_date_line, parse_date
from articles.importing.credits import NAME, UPPER, Credit, _clean

_I = re.IGNORECASE

_PLACE_WORD = rf"[{UPPER}][\w'’.\-]*"
PLACE = rf"{_PLACE_WORD}(?:\s+(?:(?:de|del|la|las|los|el|y)\s+)*{_PLACE_WORD}){{0,4}}"
_SHORT_DATE = rf"(?i:(?:{_EN_MONTH}|{_ES_MONTH})\s+\d{{1,2}}(?:,\s*\d{{4}})?)"
_DATELINE_LINE = re.compile(
    rf"^(?P<place>{PLACE}(?:,\s*{PLACE}){{0,2}}),?\s+(?P<date>{DATE})(?:\s*\([^)]{{1,40}}\))?\.?$"
)
_LEADING_DATELINE = re.compile(
    rf"^(?P<dateline>{PLACE}(?:,\s*{PLACE}){{0,2}}(?:,\s*{_SHORT_DATE})?(?:\s*\([^)]{{1,40}}\))?"
    r")\s*(?:\.\s*[—–-]+|\.|[—–]+|\s+-+)\s*(?=[\"“¿¡'‘" + UPPER + r"])"
)
# First words that open sentences, not place names.
_NOT_PLACES = {
    "the", "a", "an", "in", "on", "at", "by", "for", "from", "to", "of", "yesterday", "today",
    "tomorrow", "last", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i",
    "you", "mr", "mrs", "ms", "dr", "gen", "sen", "gov", "rep", "st", "lt", "col", "capt",
    "prof", "rev", "jr", "sr", "sra", "dra", "lic", "ing", "no", "yes", "but", "and", "or",
    "so", "meanwhile", "however", "then", "now", "here", "there", "after", "before", "when",
    "while", "according", "as", "with", "without", "all", "some", "many", "most", "both",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "photo", "foto", "image", "note", "update", "editor", "translator",
    "por", "source", "fuente", "original", "translated", "translation",
}  # fmt: skip


def read_dateline_line(text: str) -> Credit | None:
    """A dateline on its own line: "Oaxaca de Juárez, Oaxaca, March 3, 2019"."""
    line = _clean(text)
    match = _DATELINE_LINE.match(line)
    if not match or match["place"].split()[0].lower().strip(".,") in _NOT_PLACES:
        return None
    return Credit(
        kind="dateline", dateline=line.rstrip("."), published_on=parse_date(match["date"])
    )


def leading_dateline(paragraph: str) -> str:
    """The dateline that opens a first paragraph ("Monterrey.", "Guerrero, Mexico.—"), as
    written without its closing punctuation; "" when the paragraph opens otherwise."""
    match = _LEADING_DATELINE.match(paragraph)
    if not match:
        return ""
    dateline = match["dateline"]
    first = dateline.split()[0].strip(".,").lower()
    if first in _NOT_PLACES or len(first) < 3 or len(dateline) > 80:
        return ""
    return dateline.rstrip(".")


_RULE = re.compile(r"^[\s\-–—_*=~•·#+.]+$")


def is_rule(text: str) -> bool:
    """A row of dashes, em dashes, asterisks… (at least three of them)."""
    stripped = text.strip()
    return bool(_RULE.match(stripped)) and sum(not ch.isspace() for ch in stripped) >= 3


_CAPTION_START = re.compile(
    r"^[(\[]?\s*(?:photos?|photographs?|photography|fotos?|fotograf[íi]as?|images?|imagen(?:es)?"
    r"|illustrations?|ilustraci[óo]n|cartoons?|cart[óo]n|graphics?|gr[áa]fico|infographic"
    r"|video|map|mapa|screenshot|captura)\b\s*(?::|by\b|de\b|courtesy\b|credit\b|—|–|-|/)",
    _I,
)
_CAPTION_END = re.compile(
    r"\(\s*(?:photos?|fotos?|images?|imagen|illustration|ilustraci[óo]n|cartoon|cart[óo]n"
    r"|video|map)\s*(?::|by\b|de\b|courtesy\b|/)[^)]{1,80}\)\.?$",
    _I,
)
_IMAGE_FILE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|tiff?|svg|heic|avif)$", _I)


def is_caption(text: str) -> bool:
    """A photo caption or credit, or an image's title left behind by copying a page."""
    line = text.strip()
    return bool(_CAPTION_START.match(line) or _CAPTION_END.search(line) or _IMAGE_FILE.match(line))


_OPENING_QUOTES = "“\"«‘'„"
_CLOSING_QUOTES = "”\"»’'“"


def is_quotation(text: str) -> bool:
    """A paragraph that is one quotation from its first character to its last."""
    text = text.strip()
    return len(text) > 2 and text[0] in _OPENING_QUOTES and text[-1] in _CLOSING_QUOTES


_SPEAKER = re.compile(rf"^(?:[—–-]+\s*)?(?P<name>{NAME})(?:,\s*[^.!?]{{1,80}})?$")


def quotation_speaker(text: str) -> bool:
    """A line naming who said the quotation above it: "Ana Ruiz", "— Ana Ruiz, teacher"."""
    line = text.strip()
    return len(line.split()) <= 14 and bool(_SPEAKER.match(line))


def is_date_only(text: str) -> bool:
    return is_date_line(_clean(text))
