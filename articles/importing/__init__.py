"""Bringing articles in: the text format (``text_format``, with the credit grammar in
``credits`` and ``dates``), WordPress exports (``wordpress``, ``wordpress_html``), and the
batched writer both use (``store``). ``files`` walks folders and parses in worker processes.

:func:`import_file` imports one text file on its own (tests, small scripts).
"""

from pathlib import Path

from articles.importing.items import ImportItem, Outcome
from articles.importing.parsed import ImportProblem, ParsedArticle, ParsedRelatedStory
from articles.importing.store import ImportStore
from articles.importing.text_format import parse_article


def import_file(path: Path, user=None) -> Outcome:
    """Import one file now; the outcome says "imported", "updated", "unchanged" or "failed"
    (with ``error``)."""
    from articles.importing.files import import_files

    outcomes = []
    import_files([str(path)], ImportStore(report=outcomes.append), user=user)
    return outcomes[0]


__all__ = [
    "ImportItem",
    "ImportProblem",
    "ImportStore",
    "Outcome",
    "ParsedArticle",
    "ParsedRelatedStory",
    "import_file",
    "parse_article",
]
