from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.text import Truncator

from archive import reversing
from articles import figures, glossary, markup, pairing
from articles.dates import validate_original_date, validate_publication_time
from articles.markup import MAX_CHARS as MAX_TEXT_CHARS
from articles.markup import mark_dateline
from articles.models import search_index
from articles.models.images import Image
from articles.models.page_data import PageData, PageDataQuerySet
from articles.models.related import RelatedStory
from articles.models.subjects import GlossaryTerm, Person, ShownToReaders, Source, Topic
from articles.text import clean_text, fold, headline_key


def published_condition(prefix: str = "") -> Q:
    """The rule of :meth:`ArticleQuerySet.published`, as a condition on articles reached
    through ``prefix`` (``"articles__"`` from a story): a join filtered in place, where an
    ``IN (published articles)`` would read every published article."""
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}published_at__lte": Now()})


# The article's own texts, cleaned when it is saved (``Article.derive_fields``).
TEXT_FIELDS = ("headline", "dek", "body", "original_headline", "dateline", "original_body")


class ArticleQuerySet(PageDataQuerySet, models.QuerySet):
    def published(self):
        """What readers may see: published, with a publication time that has come.

        "Now" is the database's clock, read when the query runs: every app server agrees,
        and a query built once can be run again later (see ``views.reader_articles``).
        """
        return self.filter(published_condition())

    def for_reading(self):
        """Without the columns no reader page shows: the Markdown source, the original's
        text (``has_original`` says whether there is one) and the (large) search vectors.
        Pages show ``body_html``; the lead image comes in the same query."""
        return (
            self.defer("body", "original_body", "search_body", "search_vector", "title_vector")
            .select_related("lead_image")
            .annotate(
                has_original=ExpressionWrapper(~Q(original_body=""), output_field=BooleanField())
            )
        )

    def credited_to(self, person):
        """A person's work, as their page and feed list it: translated or written by them."""
        return self.filter(
            Q(pk__in=person.translations.values("pk")) | Q(pk__in=person.authored.values("pk"))
        )

    def showing_image(self, image):
        """The articles whose text shows ``image`` (its lead image is read with the page)."""
        return self.filter(body_images__contains=[image.pk])

    def visible_to(self, user):
        """Who may read what at an article's address (drafts show with a banner).

        Editors (who may publish) see every article; other staff, such as translators, see
        their own articles besides the published ones; everyone else sees :meth:`published`.
        """
        if user.is_authenticated and user.is_staff:
            if user.has_perm("articles.publish_article"):
                return self.all()
            return self.filter(Q(pk__in=self.published().values("pk")) | Q(created_by=user))
        return self.published()


class Article(ShownToReaders, PageData, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=300, unique=True, help_text="The last part of the article’s address."
    )
    dek = models.CharField(
        "summary (dek)", max_length=500, blank=True, help_text="One sentence under the headline."
    )
    body = models.TextField(
        max_length=MAX_TEXT_CHARS,
        help_text="Markdown. Use ## for subheadings; an image is a line of its own: "
        "![](image:12), where 12 is the image’s number (see Images).",
    )
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "published on this site",
        default=timezone.now,
        validators=[validate_publication_time],
        help_text="Readers see the article from this moment once its status is Published.",
    )
    authors = models.ManyToManyField(
        Person, blank=True, related_name="authored", verbose_name="author(s) of the original"
    )
    translators = models.ManyToManyField(
        Person, blank=True, related_name="translations", verbose_name="translated by"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    glossary_terms = ArrayField(
        models.CharField(max_length=100),
        default=list,
        db_default=RawSQL("'{}'::varchar(100)[]", []),  # rows written by COPY, too
        blank=True,
        editable=False,
        help_text="Slugs of the glossary terms explained in the body (set when saved).",
    )
    lead_image = models.ForeignKey(
        "articles.Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_of",
        help_text="Shown above the text, in listings and when the article is shared.",
    )
    body_images = ArrayField(
        models.IntegerField(),
        default=list,
        db_default=RawSQL("'{}'::integer[]", []),
        blank=True,
        editable=False,
        help_text="Ids of the images shown in the body (set when saved).",
    )
    thread = models.ForeignKey(
        "articles.Thread",
        verbose_name="story",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The developing story this article is part of: readers see its timeline.",
    )

    # The original, as a structured record.
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text="Leave empty for an article written for this site.",
    )
    source_description = models.CharField(
        "the source, as the credit describes it",
        max_length=300,
        blank=True,
        default="",
        db_default="",  # rows written by COPY name no such column (fill_synthetic)
        help_text="How this article's credit describes its source (“a leftist daily”), "
        "shown in the attribution; empty: the source's own description.",
    )
    original_headline = models.CharField(max_length=300, blank=True)
    original_url = models.URLField("original URL", max_length=500, blank=True)
    original_language = models.CharField(
        max_length=12, blank=True, help_text="Defaults to the source’s language."
    )
    original_published_on = models.DateField(
        "original publication date",
        null=True,
        blank=True,
        validators=[validate_original_date],
    )
    dateline = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where (and when) the original was filed, e.g. “Oaxaca de Juárez, Oaxaca”.",
    )
    original_body = models.TextField(
        "original text",
        blank=True,
        max_length=MAX_TEXT_CHARS,
        help_text="The original, in its language (Markdown), paragraph for paragraph: "
        "translators see it beside their text, and readers can read both side by side.",
    )

    headline_key = models.CharField(max_length=300, editable=False, db_index=True, default="")
    source_name = models.CharField(max_length=200, editable=False, blank=True, default="")
    search_body = models.TextField(
        editable=False,
        default="",
        help_text="The body with accents folded, for the search index (see articles.search).",
    )
    search_vector = models.GeneratedField(
        expression=search_index.search_vector(),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    title_vector = models.GeneratedField(
        expression=search_index.title_vector(),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    import_key = models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The name of the file this article was imported from.",
    )
    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A hash of the imported input: the same input again changes nothing.",
    )
    imported = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="What the last import said of each field: where an editor's value differs "
        "from it, a re-import keeps the editor's value.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="articles",
        help_text="Who started this article: translators see and edit only their own.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the status last changed."
    )
    returned_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an editor sent it back from review to its translator (cleared when "
        "it is submitted again).",
    )
    rendering_gaps = models.JSONField(
        default=list,
        db_default=RawSQL("'[]'::jsonb", []),  # rows written by COPY, too
        blank=True,
        editable=False,
        help_text="The paragraphs whose original uses a glossary term and whose translation "
        "lacks its agreed rendering (set when saved; the desk lists articles in review with "
        "some).",
    )
    returned_note = models.TextField(
        "note to the translator",
        blank=True,
        default="",
        db_default="",  # rows written by COPY name no such column (fill_synthetic)
        help_text="When sending the article back from review: what to change. The translator "
        "sees it on their desk and in the form; it goes when they submit the article again.",
    )

    objects = ArticleQuerySet.as_manager()

    # Written by an editor, but about a version rather than part of one: restoring a version
    # never brings an old note back.
    UNVERSIONED = frozenset({"returned_note"})

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [("publish_article", "Can publish, schedule and unpublish articles")]
        indexes = [
            # the newest published articles; with their ids, from the index alone ("More on
            # this story"'s candidates: 200 rows, which each cost a heap page otherwise)
            models.Index(
                fields=["status", "-published_at"],
                include=["id"],
                name="article_status_published_idx",
            ),
            # a source's newest articles (its page, a search filtered by source)
            models.Index(
                fields=["source", "status", "-published_at"], name="article_source_published_idx"
            ),
            # a story's published articles, in order, from the index alone (story pages, the
            # stories list, an article's story box)
            models.Index(
                fields=["thread", "status", "published_at"],
                include=["id"],
                name="article_thread_published_idx",
            ),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["title_vector"], name="article_title_search_idx"),
            GinIndex(search_index.Pairs("search_vector"), name="article_pairs_idx"),
            GinIndex(fields=["glossary_terms"], name="article_glossary_terms_idx"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        from articles.models.addresses import SlugRedirect

        self.derive_fields()
        self.note_status_change()
        super().save(*args, **kwargs)
        RelatedStory.objects.link_to(self)
        old_slug = getattr(self, "_stored_slug", None)
        if old_slug and old_slug != self.slug:
            SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
        # Back at an address it had before: that address no longer needs a redirect. (Another
        # article's old address is never taken: see ``clean``.)
        SlugRedirect.objects.filter(old_slug=self.slug, article=self).delete()
        self._stored_slug = self.slug

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at)
        return reversing.reverse_slug(
            "articles:article-detail",
            self.slug,
            year=local.year,
            month=f"{local.month:02d}",
            day=f"{local.day:02d}",
        )

    @classmethod
    def versioned_fields(cls) -> list:
        """The columns a version keeps and restores (``articles.revisions``), and the ones an
        import may fill: every field an editor writes (Django's ``editable``), the note to
        the translator aside. Every other column is derived: computed from these (rendered
        HTML, folded text, search vectors) or recorded by the archive (when, by whom, what
        an import said). ``tests/test_fields.py`` pins the split: a new field must be put in
        one of the two."""
        return [
            field
            for field in cls._meta.concrete_fields
            if field.editable and not field.primary_key and field.name not in cls.UNVERSIONED
        ]

    @classmethod
    def derived_fields(cls) -> list:
        versioned = cls.versioned_fields()
        return [field for field in cls._meta.concrete_fields if field not in versioned]

    def clean(self):
        from articles.models.addresses import SlugRedirect

        taken = SlugRedirect.objects.filter(old_slug=self.slug).exclude(article_id=self.pk)
        if self.slug and taken.exists():
            raise ValidationError(
                {
                    "slug": "This address belonged to another article and now redirects to it; "
                    "choose another slug."
                }
            )

    def derive_fields(self, body_html: str | None = None):
        """Fill the fields computed from others: the rendered body (``body_html`` when the
        caller rendered it already), the headline's comparison key, the source's name. The
        texts are cleaned first (``clean_text``: LF line endings, as a browser sends CRLF; no
        control characters; composed accents)."""
        for name in TEXT_FIELDS:
            setattr(self, name, clean_text(getattr(self, name)))
        self.render_body(body_html)
        self.search_body = fold(self.body)
        self.headline_key = headline_key(self.headline)
        self.source_name = self.source.name if self.source_id else ""
        if not self.original_language and self.source_id:
            self.original_language = self.source.language
        self.check_renderings()

    def check_renderings(self) -> None:
        """``rendering_gaps``: the paragraphs whose translation lacks a glossary term's agreed
        rendering where the original uses the term (``articles.glossary``)."""
        if not self.original_body:
            self.rendering_gaps = []
            return
        pairs = pairing.align(self.original_body, self.body, self.original_headline)
        terms = GlossaryTerm.objects.for_translating()
        self.rendering_gaps = glossary.rendering_gaps(pairs, terms) if terms else []

    def render_body(self, body_html: str | None = None) -> None:
        """``body_html`` from the Markdown: images placed (``articles.figures``, the images
        its lines name read here), the dateline marked, glossary terms explained."""
        if body_html is None:
            wanted = figures.referenced(self.body)
            found = Image.objects.in_bulk(wanted) if wanted else {}
            body_html, self.body_images = figures.render_body(self.body, found)
        else:
            self.body_images = []
        html = mark_dateline(body_html, self.dateline)
        terms = GlossaryTerm.objects.for_rendering()
        self.body_html, self.glossary_terms = glossary.explain(html, terms)

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        article._stored_slug = article.__dict__.get("slug")
        article._stored_status = article.__dict__.get("status")
        return article

    def refresh_from_db(self, *args, **kwargs):
        """What is stored is what was just read: a later save compares against it."""
        super().refresh_from_db(*args, **kwargs)
        self._stored_slug = self.__dict__.get("slug")
        self._stored_status = self.__dict__.get("status")

    def note_status_change(self, now=None) -> None:
        """Keep when the status changed, and whether an editor sent the article back from
        review to its translator (the desk lists both)."""
        before = getattr(self, "_stored_status", None)
        if before == self.status or "status" not in self.__dict__:
            return
        now = now or timezone.now()
        self.status_changed_at = now
        if before == self.Status.REVIEW and self.status == self.Status.DRAFT:
            self.returned_at = now
        elif self.status == self.Status.REVIEW:
            self.returned_at = None
            self.returned_note = ""
        self._stored_status = self.status

    def publish(self, now=None) -> None:
        """Make the article published. Publishing means now, unless an editor chose a
        publication time (one that is not the moment the article was started, which is the
        field's default): a scheduled time, or an imported original date, stays."""
        now = now or timezone.now()
        started = self.created_at or now
        if self.status != self.Status.PUBLISHED and abs(self.published_at - started) < (
            timedelta(seconds=5)
        ):
            self.published_at = now
        self.status = self.Status.PUBLISHED

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def teaser(self):
        """The editor's summary (the dek), or else the body's first paragraph that is prose
        (never a photo's caption, a credit, an "Also in this edition" line or a pull quote),
        cut at 40 words."""
        if self.dek:
            return self.dek
        opening = markup.opening_prose(glossary.without_explanations(self.body_html))
        return Truncator(opening).words(40)

    @property
    def attribution(self):
        """“This article originally appeared in the November 4, 2025 edition of La Jornada,
        Mexico’s premier left wing daily newspaper.” Empty when nothing is known."""
        if not (self.source_id or self.original_published_on):
            return ""
        edition = ""
        if self.original_published_on:
            day = self.original_published_on
            edition = f"the {day:%B} {day.day}, {day.year} edition of "
        if self.source_id:
            where = self.source.name
            described = self.source_description or self.source.description
            if described:
                where += f", {described}"
        else:
            where = "its original publication"
        return f"This article originally appeared in {edition}{where}."

    @property
    def days_after_original(self):
        """Whole days between the original's date and publication here (None if unknown)."""
        if not self.original_published_on:
            return None
        return (timezone.localdate(self.published_at) - self.original_published_on).days
