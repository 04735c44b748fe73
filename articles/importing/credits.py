"""The small grammar of credits: how translation sites say where an article came from, who
wrote it and who translated it.

Real pages word the same facts in many ways, so the grammar is built from parts rather than
one pattern per site:

* an **attribution** sentence has a *subject* ("This article", "This column by A and B",
  "Contralínea", "Originally"), a *publishing verb* ("appeared", "was first published", "ran")
  and a *rest* holding, in any order, a date, a source ("in the newspaper Milenio", "on Animal
  Político", "the November 4, 2025 edition of La Jornada, Mexico's …"), a language ("in
  Spanish") and perhaps a URL;
* a **credit line** is one item of a closing block: "Translated by: …", "Original: https://…",
  "Source: La Jornada", a bare date, a byline ("By Ana Ruiz", "Ana Ruiz (PROCESO)",
  "Ana Ruiz / La Jornada");
* layout lines that are neither text nor headings (datelines, rules, captions, the name
  under a quotation) are ``layout``'s.

Every reader here returns ``None`` for text it does not recognise; the importer then leaves that
text in the body untouched. An attribution that is clearly one but carries an impossible date
raises :class:`~articles.dates.DateProblem`.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from articles.dates import DATE, DATE_RE, is_date_line, parse_date

_I = re.IGNORECASE
# Capital letters names start with: ASCII and every Latin capital up to U+024F (Ł, Ø, Ž, Ș…).
UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
_WORD = rf"[{UPPER}][\w'’.\-]*"
_PARTICLE = (
    r"(?:de|del|de\s+la|de\s+los|la|las|los|el|y|e|da|do|dos|das|di|van|von|der|den|du|le"
    r"|bin|ibn|al)"
)
# A person's name: two to six capitalised words, with Spanish/Portuguese/Dutch particles.
NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD}){{1,5}}"
_NAME_RE = re.compile(rf"^{NAME}$")
_NAMES_SPLIT = re.compile(r"\s*(?:,\s*(?:and\s+|y\s+)?|\s+and\s+|\s+y\s+|\s*&\s*)\s*")

LANGUAGES = {
    "spanish": "es", "español": "es", "portuguese": "pt", "português": "pt", "french": "fr",
    "français": "fr", "italian": "it", "german": "de", "catalan": "ca", "galician": "gl",
    "basque": "eu", "nahuatl": "nah", "náhuatl": "nah", "maya": "yua", "quechua": "qu",
    "aymara": "ay", "guarani": "gn", "guaraní": "gn", "english": "en",
}  # fmt: skip
_LANGUAGE = "|".join(sorted(LANGUAGES, key=len, reverse=True))

KINDS = (
    r"(?:article|editorial|interview|column|op-?ed|opinion(?:\s+(?:piece|column|article))?"
    r"|piece|report|reportage|story|investigation|essay|chronicle|crónica|analysis|commentary"
    r"|feature|text|note|letter|speech|statement|communiqu[ée]|translation|post|review|profile"
    r"|dispatch|news\s+item|item|poem|excerpt)"
)
_PUBLISHED = (
    r"(?:(?:was|were|has\s+been|had\s+been|is)\s+)?(?:(?:originally|first|initially|previously)"
    r"\s+)?(?:appeared|published|ran|printed|posted|run|released)"
)
_MEDIUM = (
    r"(?:(?:[\w-]+\s+){0,2}?(?:daily\s+|weekly\s+|monthly\s+|online\s+|digital\s+)?"
    r"(?:newspaper|magazine|paper|daily|weekly|monthly|website|web\s+site|site|news\s+site"
    r"|news\s+portal|news\s+outlet|outlet|portal|blog|journal|news\s+agency|agency|publication"
    r"|supplement|radio|program|programme)\s+)"
)
_URL = r"<?(?P<url>https?://[^\s<>]+?)>?"

ATTRIBUTION_FORMS = [
    # "This article (by Ana Ruiz) (originally) appeared in …"
    re.compile(
        rf"^(?:this|the\s+(?:following|above))\s+(?:original\s+)?{KINDS}"
        r"(?:\s+(?:(?:was|is|has\s+been)\s+)?(?:(?:written|reported|produced|signed)\s+)?"
        rf"by\s+(?P<authors>.+?))?(?:,|\s+and)?\s+{_PUBLISHED}\b(?P<rest>.*)$",
        _I,
    ),
    # "This is a translation of an article by Ana Ruiz published in …"
    re.compile(
        rf"^this\s+is\s+(?:an?\s+)?(?:english\s+)?translation\s+of\s+(?:an?\s+|the\s+)?{KINDS}"
        rf"(?:\s+by\s+(?P<authors>.+?))?(?:,?\s+{_PUBLISHED}\b|(?=\s+(?:in|on|from)\b))"
        r"(?P<rest>.*)$",
        _I,
    ),
    # "Originally published in Spanish by Desinformémonos", "First appeared in …"
    re.compile(
        r"^(?:(?:originally|first)\s+(?:published|appeared|printed|posted|ran)"
        r"|published\s+originally|appeared\s+originally)\b(?P<rest>.*)$",
        _I,
    ),
    # "Published in Spanish by …", "Published in La Jornada on …"
    re.compile(r"^published\s+(?P<rest>(?:in|on|by)\b.*)$", _I),
    # "Contralínea published this investigation on 9 June 2019."
    re.compile(
        rf"^(?P<source>[{UPPER}0-9¡¿\"“][^,;:]{{0,80}}?)\s+(?:originally\s+|first\s+)?"
        rf"(?:published|ran|printed|carried|ran|posted)\s+this\s+(?:original\s+)?{KINDS}"
        r"(?P<rest>.*)$",
        _I,
    ),
]

# "in the November 4, 2025 edition of La Jornada, …" — the seed's shape, read first.
_EDITION = re.compile(
    r"^(?:in\s+)?(?:the|its)\s+(?P<date>.+?)\s+(?:print\s+|online\s+|digital\s+|weekend\s+"
    r"|sunday\s+|morning\s+|evening\s+)?edition(?:\s+of\s+(?P<source>.+))?$",
    _I | re.DOTALL,
)
_LANGUAGE_PHRASE = re.compile(
    rf"(?:,\s*)?\b(?:in|from)\s+(?:the\s+original\s+|its\s+original\s+)?(?P<language>{_LANGUAGE})"
    r"\b(?:\s+original)?",
    _I,
)
_LEADING_PREPOSITION = re.compile(
    rf"^(?:,\s*)?(?:in|on|by|at|from|for|through)\s+(?:the\s+)?{_MEDIUM}?", _I
)
_DATE_WITH_PREPOSITION = re.compile(
    rf"(?:(?:^|,?\s+)(?:on|in|dated)\s+|,\s*|\s+|^)(?P<date>{DATE})", _I
)
_URL_IN_TEXT = re.compile(rf"(?:[:,]?\s*(?:at|see|here)?\s*){_URL}\s*$", _I)

_ROLE_WORDS = re.compile(
    r"\b(?:correspondent|reporter|staff|writer|editor|columnist|contributor|special|envoy"
    r"|enviad[oa]|corresponsal|reportera?|redacci[óo]n)\b",
    _I,
)


@dataclass
class Credit:
    """What one sentence or line says about the original and its people."""

    kind: str  # attribution, byline, translators, original-url, source, date, dateline
    source: str = ""
    description: str = ""
    language: str = ""
    published_on: date | None = None
    authors: list[str] = field(default_factory=list)
    translators: list[str] = field(default_factory=list)
    url: str = ""
    dateline: str = ""
    headline: str = ""  # the original's headline ("Extract: “El agua es de todos”")
    from_date_line: bool = False  # a dateline that was a bare date above the text
    # A bare date or URL: a credit only at the end, where nothing but credits follows it.
    weak: bool = False


def _clean(text: str) -> str:
    """The sentence without the emphasis and brackets that sites wrap credits in."""
    text = " ".join(text.split())
    for _ in range(2):
        text = text.strip()
        if len(text) > 2 and text[0] in "*_" and text[-1] in "*_.":
            text = text.strip("*_")
        if len(text) > 2 and text[0] in "[(" and text.rstrip(".")[-1:] in "])":
            text = text.rstrip(".")[1:-1]
    return text.strip()


def split_names(text: str) -> list[str]:
    """ "Ana Ruiz, Luis Pérez and Eva Gómez" → three names; role words ("special
    correspondent") are dropped; a shouted "ANA RUIZ" becomes "Ana Ruiz"."""
    names = []
    for part in _NAMES_SPLIT.split(text.strip().rstrip(".").strip()):
        part = part.strip(" .;:")
        if not part or (part[0].islower() and _ROLE_WORDS.search(part)):
            continue
        if _ROLE_WORDS.search(part) and not _NAME_RE.match(part):
            continue
        names.append(part.title() if part.isupper() and len(part) > 3 else part)
    return names


def is_name(text: str) -> bool:
    """A person's name: capitalised words, not a title's ("The Incident")."""
    text = text.strip()
    return bool(_NAME_RE.match(text)) and text.split()[0].lower() not in _NOT_FIRST_NAMES


_NOT_FIRST_NAMES = {"the", "a", "an", "this", "that", "our", "my", "your", "his", "her"}
# Where a source's name ends: at the end of its sentence ("La Jornada. It has been
# translated without permission": the source is "La Jornada").
_SENTENCE_END = re.compile(rf"(?<=[\w)])\.\s+(?=[{UPPER}])")


def source_name(text: str) -> str:
    """The publication a credit names, as the credit wrote it, up to its sentence's end."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip().strip("“”\"'")


def is_source_name(text: str) -> bool:
    """A publication's name, as a byline's parentheses give it ("Ana Ruiz (PROCESO)"): a few
    words, the first a capital's; not a remark ("Teletype Tag (obsolete in HTML5)")."""
    words = text.split()
    return 0 < len(words) <= 6 and bool(re.match(rf"[{UPPER}0-9]", words[0]))


# -- Attribution sentences ---------------------------------------------------------------------


def read_attribution(text: str) -> Credit | None:
    """An attribution sentence ("This article originally appeared in …"), or None.

    Raises ``DateProblem`` when the sentence is clearly an attribution but its date is not a
    real date ("the February 30, 2025 edition of …").
    """
    sentence = _clean(text)
    if len(sentence) > 600:
        return None
    for form in ATTRIBUTION_FORMS:
        match = form.match(sentence)
        if not match:
            continue
        groups = match.groupdict()
        credit = Credit(kind="attribution")
        if groups.get("authors"):
            credit.authors = split_names(groups["authors"])
            if not credit.authors or not all(is_name(name) for name in credit.authors):
                continue
        if groups.get("source"):
            credit.source = source_name(groups["source"])
        if _read_rest(match["rest"], credit) and (credit.source or credit.published_on):
            return credit
    return None


def _read_rest(rest: str, credit: Credit) -> bool:
    """Fill ``credit`` from what follows the verb; False if something is left unread."""
    rest = rest.strip().rstrip(".").strip()
    url = _URL_IN_TEXT.search(rest)
    if url:
        credit.url = url["url"].rstrip(".,;)")
        rest = rest[: url.start()].strip()
    language = _LANGUAGE_PHRASE.search(rest)
    if language:
        credit.language = LANGUAGES[language["language"].lower()]
        rest = (rest[: language.start()] + rest[language.end() :]).strip()
    edition = _EDITION.match(rest)
    if edition:
        credit.published_on = parse_date(edition["date"])
        if edition["source"]:
            _read_source(edition["source"], credit)
        return True
    found = _DATE_WITH_PREPOSITION.search(rest)
    if found:
        credit.published_on = parse_date(found["date"])
        rest = (rest[: found.start()] + rest[found.end() :]).strip(" ,")
    if rest:
        where = _LEADING_PREPOSITION.match(rest)
        if not where:
            return False
        rest = rest[where.end() :].strip()
        if rest:
            if credit.source:  # the form named the source already
                return False
            _read_source(rest, credit)
    return True


def _read_source(text: str, credit: Credit) -> None:
    name, _, description = text.strip().rstrip(".").partition(",")
    credit.source = source_name(name)
    credit.description = source_name(description) if description else ""


# -- Credit lines --------------------------------------------------------------------------------

_TRANSLATORS = re.compile(
    rf"^(?:(?:english\s+)?translat(?:ed|ion)(?:\s+(?:from|into)\s+(?:the\s+)?(?P<from>{_LANGUAGE}))?"
    r"(?:\s+(?:into|to)\s+english)?|english\s+version|traducci[óo]n(?:\s+al\s+ingl[ée]s)?"
    r"|traducido(?:\s+al\s+ingl[ée]s)?)"
    r"\s*(?:by\b|:|por\b|—|–|-)\s*:?\s*(?P<names>[^:]+?)(?:\s+for\s+.+)?\.?$",
    _I,
)
_ORIGINAL_URL = re.compile(
    r"^(?:(?:read\s+)?(?:the\s+)?original(?:\s+(?:article|text|version|story|link|source|post))?"
    rf"(?:\s+(?:in|en)\s+(?:{_LANGUAGE}))?|source|fuente|link(?:\s+to\s+(?:the\s+)?original)?"
    rf"|(?:{_LANGUAGE})\s+original|versi[óo]n\s+original|texto\s+original|en\s+español)"
    rf"\s*(?:\((?:in\s+)?(?:{_LANGUAGE})\))?\s*:?\s*{_URL}\.?$",
    _I,
)
_BARE_URL = re.compile(rf"^{_URL}$")
# A recording, a video, a picture or a document: an address on its own that is no article's
_MEDIA_FILE = re.compile(
    r"\.(?:mp3|m4a|ogg|oga|wav|flac|mp4|m4v|webm|ogv|mov|jpe?g|png|gif|webp|pdf|zip)$", _I
)
_SOURCE_LINE = re.compile(
    rf"^(?:source|fuente|from)\s*:\s*(?P<source>[{UPPER}0-9][^,;]{{0,120}}?)"
    rf"(?:,\s*(?P<date>{DATE}))?\.?$",
    _I,
)
_BYLINE = re.compile(
    rf"^(?:by|por)\s*:?\s+(?P<names>{NAME}(?:\s*(?:,|and|y|&)\s*(?:{NAME}|[a-z][\w\s]{{0,40}}))*)"
    r"(?:\s*(?:/|\||—|–)\s*(?P<source>[^/|]{1,80})|\s*\((?P<paren>[^)]{1,80})\))?\.?$",
    _I,
)
_NAME_WITH_SOURCE = re.compile(
    rf"^(?P<names>{NAME}(?:\s*(?:,|and|y|&)\s*{NAME})*)"
    r"(?:\s*(?:/|\|)\s*(?P<source>[^/|]{1,80})|\s*\((?P<paren>[^)]{1,80})\))\.?$"
)


class Sources:
    """The publications the archive already knows (its sources), to read credits by:
    "La Jornada, 3rd March, 2016" under a name is a credit because La Jornada is a source,
    where "Oaxaca, March 3, 2019" is a dateline."""

    def __init__(self, names=()):
        self._by_key = {_source_key(name): name for name in names if name.strip()}

    def __bool__(self):
        return bool(self._by_key)

    def find(self, text: str) -> str:
        """The source's name as the archive writes it, if ``text`` names one; else ""."""
        return self._by_key.get(_source_key(text), "")


def _source_key(text: str) -> str:
    return re.sub(r"^the\s+", "", " ".join(text.split()).strip(" .,;:").casefold())


NO_SOURCES = Sources()

# "From the Editors of Desinformémonos", "By the editorial board of Proceso"
_EDITORS = re.compile(
    r"^(?:(?:from|by)\s+)?(?:the\s+)?(?:editors?|editorial\s+(?:board|team|staff)|staff"
    rf"|newsroom|redacci[óo]n)\s+(?:of|at|de)\s+(?P<source>[{UPPER}0-9][^,;]{{0,80}}?)\.?$",
    _I,
)
# "Extract: “El agua es de todos”", "Original title: …", "Título original: …"
_ORIGINAL_TITLE = re.compile(
    r"^(?:extract|excerpt|extracto|fragmento|original\s+(?:title|headline)"
    r"|t[íi]tulo\s+original)(?:\s+(?:from|of|de))?\s*:\s*[“\"«‘']?(?P<title>.{2,300}?)"
    r"[”\"»’']?\.?$",
    _I,
)
# "Proceso [Mexican weekly news magazine]", "Sin Embargo (an independent news site)"
_SOURCE_DESCRIBED = re.compile(
    rf"^(?P<source>[{UPPER}0-9][^,;\[\]()]{{0,80}}?)\s*(?:\[(?P<bracket>[^\]]{{2,200}})\]"
    r"|\((?P<paren>[^)]{2,200})\))\.?$"
)
_PUBLICATION_WORDS = re.compile(
    r"\b(?:daily|weekly|monthly|newspaper|magazine|journal|news\s+(?:site|website|agency|outlet"
    r"|portal|magazine|service|network)|(?:online|digital|independent)\s+(?:outlet|media|site)"
    r"|broadcaster|peri[óo]dico|diario|semanario|revista|agencia)\b",
    _I,
)
# "La Jornada, 3rd March, 2016": a known source and a date
_SOURCE_AND_DATE = re.compile(rf"^(?P<source>.{{2,100}}?),?\s+(?P<date>{DATE})\.?$")
# "It is translated and republished here as part of a content-sharing agreement."
_NOTICE = re.compile(
    r"^(?:(?:it|this\s+(?:article|text|piece|translation|story))\s+(?:is|has\s+been|was)\s+"
    r"(?:(?:translated|republished|reproduced|reprinted|shared)(?:\s+and\s+)?)+"
    r"|(?:translated\s+and\s+)?(?:republished|reproduced|reprinted)\s+(?:here\s+)?with\s+"
    r"(?:the\s+)?(?:kind\s+)?permission)\b[^.!?]{0,200}[.!?]?$",
    _I,
)


def read_notice(text: str) -> Credit | None:
    """A sentence about the translation's terms, which says nothing more of the original:
    "It is translated and republished here as part of a content-sharing agreement"."""
    return Credit(kind="notice") if _NOTICE.match(_clean(text)) else None


def _read_source_line(line: str, sources: Sources) -> Credit | None:
    """A line naming the original's publication: a known source alone, with a date, or with
    its description ("Proceso [Mexican weekly news magazine]"); an unknown name only with a
    description that says it is a publication."""
    known = sources.find(line)
    if known:
        return Credit(kind="source", source=known)
    match = _SOURCE_AND_DATE.match(line)
    if match and sources.find(match["source"]):
        return Credit(
            kind="source",
            source=sources.find(match["source"]),
            published_on=parse_date(match["date"]),
        )
    match = _SOURCE_DESCRIBED.match(line)
    if match:
        description = (match["bracket"] or match["paren"]).strip()
        known = sources.find(match["source"])
        if known or _PUBLICATION_WORDS.search(description):
            return Credit(
                kind="source",
                source=known or source_name(match["source"]),
                description=description,
            )
    return None


def read_credit_line(text: str, sources: Sources = NO_SOURCES) -> Credit | None:
    """One line of a credit block (or a byline), or None. ``sources``: the archive's known
    sources, which a line may name alone or with a date."""
    line = _clean(text)
    if not line or len(line) > 300:
        return None
    if is_date_line(line):
        return Credit(kind="date", published_on=parse_date(line), weak=True)
    match = _ORIGINAL_URL.match(line)
    if match:
        return Credit(kind="original-url", url=match["url"].rstrip(".,;)"))
    match = _BARE_URL.match(line)
    if match and not _MEDIA_FILE.search(urlsplit(match["url"]).path):
        return Credit(kind="original-url", url=match["url"].rstrip(".,;)"), weak=True)
    match = _TRANSLATORS.match(line)
    if match:
        names = split_names(match["names"])
        if names and all(len(name) <= 200 and len(name.split()) <= 10 for name in names):
            language = LANGUAGES.get((match["from"] or "").lower(), "")
            return Credit(kind="translators", translators=names, language=language)
    match = _SOURCE_LINE.match(line)
    if match:
        credit = Credit(kind="source", source=source_name(match["source"]))
        if match["date"]:
            credit.published_on = parse_date(match["date"])
        return credit
    match = _EDITORS.match(line)
    if match:
        return Credit(kind="source", source=sources.find(match["source"]) or match["source"])
    match = _ORIGINAL_TITLE.match(line)
    if match:
        return Credit(kind="original-headline", headline=match["title"].strip())
    credit = _read_source_line(line, sources)
    if credit:
        return credit
    by = _BYLINE.match(line)
    match = by or _NAME_WITH_SOURCE.match(line)
    if match:
        names = split_names(match["names"])
        source = (match["source"] or match["paren"] or "").strip()
        if match["paren"] and not is_source_name(match["paren"]):
            if not by:
                return None  # a name and a remark in brackets, not a byline
            source = ""  # "By Ana Ruiz (special correspondent)": no source
        if names and all(is_name(name) for name in names):
            return Credit(kind="byline", authors=names, source=_source_case(source_name(source)))
    return None


def _source_case(name: str) -> str:
    """ "PROCESO" → "Proceso" (bylines shout; the source list should not)."""
    if name.isupper() and len(name) > 4:
        return name.title()
    return name


def mentions_credit(text: str) -> bool:
    """Words that usually belong to a credit, for reporting lines the grammar did not read."""
    return bool(
        re.search(
            r"\b(?:originally|appeared|first\s+published|translat\w*|traducci[óo]n|edition"
            r"|fuente|republished|reproduced)\b",
            text,
            _I,
        )
    )


__all__ = [
    "DATE_RE",
    "Credit",
    "Sources",
    "is_name",
    "mentions_credit",
    "read_attribution",
    "read_credit_line",
    "read_notice",
    "split_names",
]
