"""The archive's data: sources, articles and their credits (``archive``), and the editorial
record kept around them: revisions, corrections, preview links (``editorial``)."""

from articles.models.archive import (
    Article,
    ArticleQuerySet,
    Person,
    RelatedStory,
    SlugRedirect,
    Source,
    Topic,
)
from articles.models.editorial import Correction, PreviewLink, Revision

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Correction",
    "Person",
    "PreviewLink",
    "RelatedStory",
    "Revision",
    "SlugRedirect",
    "Source",
    "Topic",
]
