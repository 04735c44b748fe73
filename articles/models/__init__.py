"""The archive's data: articles and their related stories (``archive``, with what an
article page reads in ``page_data``), the sources, topics, stories and people they are filed under
(``subjects``), the editorial record kept around them: revisions, corrections, preview
links, updates of the original (``editorial``), and the addresses that redirect to them
(``addresses``); the images they show (``images``); the archive's common words, with which
of them each article holds, for the search (``words``); and the translation memory, every
article's paragraphs paired with their originals (``memory``); the publication around them: its
identity and its pages (``publication``); and the cache purges owed to readers (``purges``)."""

from articles.models.addresses import LegacyAddress, SlugRedirect
from articles.models.archive import Article, ArticleQuerySet
from articles.models.editorial import Correction, OriginalUpdate, PreviewLink, Revision
from articles.models.images import Image
from articles.models.memory import ParagraphPair
from articles.models.publication import Page, PageRevision, SiteIdentity
from articles.models.purges import PendingPurge
from articles.models.related import RelatedStory
from articles.models.subjects import Filing, GlossaryTerm, Person, Source, Thread, Topic
from articles.models.words import CommonWord, CommonWords

__all__ = [
    "Article",
    "ArticleQuerySet",
    "CommonWord",
    "CommonWords",
    "Correction",
    "Filing",
    "GlossaryTerm",
    "Image",
    "LegacyAddress",
    "OriginalUpdate",
    "Page",
    "PageRevision",
    "PendingPurge",
    "ParagraphPair",
    "Person",
    "PreviewLink",
    "RelatedStory",
    "Revision",
    "SiteIdentity",
    "SlugRedirect",
    "Source",
    "Thread",
    "Topic",
]
