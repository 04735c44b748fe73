"""The languages originals are written in: their names, and the text search configuration
PostgreSQL reads them with (its stemmer: "maestros" and "maestro" are one word in Spanish).
A language PostgreSQL has no stemmer for is read word for word (``simple``), and says so."""

NAMES = {
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "it": "Italian",
    "de": "German",
    "ca": "Catalan",
    "nah": "Nahuatl",
    "en": "English",
}

# ISO 639-1 codes of the languages PostgreSQL (15 and later) stems, and its names for them.
SEARCH_CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
WORD_FOR_WORD = "simple"


def name(code: str) -> str:
    return NAMES.get(code, "the original language")


def search_config(code: str) -> str:
    """The configuration to read text in the language ``code`` ("es", "pt-BR") with:
    PostgreSQL's stemmer for it, or ``simple`` (word for word) when it has none."""
    return SEARCH_CONFIGS.get((code or "").split("-")[0].lower(), WORD_FOR_WORD)
