"""What articles are filed under and credited to: sources, topics, stories and people; and
the glossary's terms."""

from django.core.cache import cache
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse

from archive import reversing


class ShownToReaders:
    """Marks what reader pages show: saving or deleting one changes what readers see (the
    readers' cache listens: ``articles.readers.signal_handlers``)."""


class SourceQuerySet(models.QuerySet):
    def with_published_articles(self):
        """What readers may see: a source appears once it has a published article (one
        named only by drafts, such as a translator's paste waiting for review, stays
        hidden)."""
        from articles.models.archive import Article

        return self.filter(pk__in=Article.objects.published().values("source_id"))


class Source(ShownToReaders, models.Model):
    """A publication that translations come from, such as La Jornada."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One line, as in the attribution: “Mexico’s premier left wing daily newspaper”.",
    )
    url = models.URLField("home page", blank=True)
    language = models.CharField(
        max_length=12, default="es", help_text="Language of publication, e.g. “es”."
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Articles carry the source's name in their search index.
        self.articles.exclude(source_name=self.name).update(source_name=self.name)

    def get_absolute_url(self):
        return reversing.reverse("articles:source-detail", slug=self.slug)


class TopicQuerySet(models.QuerySet):
    def with_published_articles(self):
        """What readers may see: a topic once a published article is filed under it (one
        used only by drafts, such as an imported WordPress archive's private posts, stays
        hidden: page, feeds, list, search filter, old category addresses). An ``EXISTS`` on
        the topic's filings, newest first (``article_topics_filed_idx``)."""
        from articles.models.archive import published_condition

        filed = Filing.objects.filter(topic=OuterRef("pk")).filter(published_condition("article__"))
        return self.filter(Exists(filed))


class Topic(ShownToReaders, models.Model):
    """A subject that articles are filed under (a tag)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="Shown on the topic’s page.")

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reversing.reverse("articles:topic-detail", slug=self.slug)


class FilingQuerySet(models.QuerySet):
    def newest_published(self, topic):
        """The ids of ``topic``'s published articles, newest first, as its filings' index holds
        them (``article_topics_filed_idx``); slice it for a page. Each filing's article is
        checked (published, its time come); the articles of other topics are never read."""
        from articles.models.archive import published_condition

        return (
            self.filter(topic=topic)
            .filter(published_condition("article__"))
            .order_by("-published_at", "-article_id")
            .values("article_id")
        )


class Filing(models.Model):
    """An article filed under a topic, as the database keeps it: a row of ``Article.topics``'
    own table, which also holds the article's publication time (copied there by the triggers
    of migration 0017, ``FILING_SQL``), so that a topic's newest articles are read from one
    index, newest first (the search does so with common words and a topic). Read-only here:
    articles are filed through ``Article.topics``."""

    article = models.ForeignKey("Article", on_delete=models.DO_NOTHING, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.DO_NOTHING, related_name="+")
    published_at = models.DateTimeField()

    objects = FilingQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "articles_article_topics"

    def __str__(self):
        return f"article {self.article_id} under topic {self.topic_id}"


# The publication time in the filings' table: set when an article is filed, changed with the
# article's; a topic's filings are indexed newest first, with the article's id.
FILING_SQL = """
ALTER TABLE articles_article_topics ADD COLUMN published_at timestamp with time zone;
UPDATE articles_article_topics AS f SET published_at = a.published_at
    FROM articles_article AS a WHERE a.id = f.article_id;
ALTER TABLE articles_article_topics ALTER COLUMN published_at SET NOT NULL;
CREATE INDEX article_topics_filed_idx
    ON articles_article_topics (topic_id, published_at DESC) INCLUDE (article_id);

CREATE FUNCTION articles_filing_dated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.published_at := (SELECT published_at FROM articles_article WHERE id = NEW.article_id);
    RETURN NEW;
END $$;
CREATE TRIGGER articles_filing_dated BEFORE INSERT OR UPDATE OF article_id
    ON articles_article_topics FOR EACH ROW EXECUTE FUNCTION articles_filing_dated();

CREATE FUNCTION articles_article_redated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article_topics SET published_at = NEW.published_at
        WHERE article_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_article_redated AFTER UPDATE OF published_at ON articles_article
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION articles_article_redated();
"""

FILING_REVERSE_SQL = """
DROP TRIGGER articles_article_redated ON articles_article;
DROP FUNCTION articles_article_redated();
DROP TRIGGER articles_filing_dated ON articles_article_topics;
DROP FUNCTION articles_filing_dated();
ALTER TABLE articles_article_topics DROP COLUMN published_at;
"""


class ThreadQuerySet(models.QuerySet):
    def with_published_articles(self):
        """The stories readers can follow: those with a published article, with how many
        (``article_count``) and the latest one's time (``latest``); drafts count for nothing."""
        from articles.models.archive import published_condition

        published = published_condition("articles__")
        return self.annotate(
            article_count=models.Count("articles", filter=published),
            latest=models.Max("articles__published_at", filter=published),
        ).filter(article_count__gt=0)


class Thread(ShownToReaders, models.Model):
    """A story that develops over time and across sources ("Peru breaks relations with
    Mexico"): editors put its articles in it; readers follow it on its page and feeds."""

    name = models.CharField("title", max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(
        "summary", blank=True, help_text="What the story is, for a reader arriving on its page."
    )
    image = models.ForeignKey(
        "articles.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Shown on the story’s page and the front page (empty: its newest article’s "
        "lead image).",
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "story"
        verbose_name_plural = "stories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reversing.reverse("articles:thread-detail", slug=self.slug)


GLOSSARY_CACHE_KEY = "glossary:terms"
RENDERINGS_CACHE_KEY = "glossary:renderings"
GLOSSARY_CACHE_SECONDS = 60


class GlossaryTermQuerySet(models.QuerySet):
    def for_rendering(self) -> list[tuple[str, str, str, str]]:
        """(slug, term, explanation, url) of every term, longest term first, as
        ``articles.glossary.explain`` wants them; kept in the cache for a minute (and
        dropped from it when a term changes), so saving many articles asks once."""
        found = cache.get(GLOSSARY_CACHE_KEY)
        if found is None:
            found = sorted(
                self.values_list("slug", "term", "explanation", "url"),
                key=lambda row: -len(row[1]),
            )
            cache.set(GLOSSARY_CACHE_KEY, found, GLOSSARY_CACHE_SECONDS)
        return found

    def for_translating(self) -> list[tuple[str, list[str], str]]:
        """(slug, forms in the originals, agreed rendering) of every term that has forms,
        as ``articles.glossary.rendering_gaps`` and the workspace want them; cached with
        the terms for rendering."""
        found = cache.get(RENDERINGS_CACHE_KEY)
        if found is None:
            found = [
                (slug, [form.strip() for form in forms.splitlines() if form.strip()], rendering)
                for slug, forms, rendering in self.exclude(original_forms="").values_list(
                    "slug", "original_forms", "rendering"
                )
            ]
            cache.set(RENDERINGS_CACHE_KEY, found, GLOSSARY_CACHE_SECONDS)
        return found


class GlossaryTerm(ShownToReaders, models.Model):
    """A recurring term readers abroad may not know ("mañanera", "ejido"): its first use in
    each article gets an inline explanation (see ``articles.glossary``); changing one renders
    the articles that use it again (``articles.signal_handlers``)."""

    term = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    explanation = models.TextField(
        max_length=400, help_text="One or two plain sentences, shown where the term is used."
    )
    url = models.URLField("link", max_length=500, blank=True, help_text="Optional: to read more.")
    original_forms = models.TextField(
        "forms in the originals",
        blank=True,
        default="",
        help_text="The term as originals write it, one form a line (“mañanera”, “mañaneras”, "
        "“conferencia matutina”): the translation workspace marks them in the original.",
    )
    rendering = models.CharField(
        "agreed rendering",
        max_length=200,
        blank=True,
        default="",
        help_text="How translations render it (“morning press conference”): a paragraph whose "
        "original uses the term but whose translation lacks this is flagged for review.",
    )

    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def get_absolute_url(self):
        return reverse("articles:glossary") + f"#{self.slug}"


class PersonQuerySet(models.QuerySet):
    def with_published_articles(self):
        """What readers may see: a person credited (as translator or author) on a published
        article; one named only by drafts (a translator's paste waiting for review, a
        WordPress draft) has no public page, feed or sitemap entry."""
        from articles.models.archive import Article

        published = Article.objects.published()
        return self.filter(
            Exists(published.filter(translators=OuterRef("pk")))
            | Exists(published.filter(authors=OuterRef("pk")))
        )


class Person(ShownToReaders, models.Model):
    """An author of originals or a translator (or both)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = models.TextField(blank=True, help_text="A sentence or two, shown on their page.")

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reversing.reverse("articles:person-detail", slug=self.slug)
