"""The archive's data: sources, articles and their credits (``archive``), the editorial
record kept around them: revisions, corrections, preview links (``editorial``), and the
addresses that redirect to them (``addresses``)."""

from articles.models.addresses import LegacyAddress, SlugRedirect
from articles.models.archive import (
    Article,
    ArticleQuerySet,
    Person,
    RelatedStory,
    Source,
    Topic,
)
from articles.models.editorial import Correction, PreviewLink, Revision

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Correction",
    "LegacyAddress",
    "Person",
    "PreviewLink",
    "RelatedStory",
    "Revision",
    "SlugRedirect",
    "Source",
    "Topic",
]
