"""What an article page shows besides the article's own columns (credits, topics,
corrections, related stories), read in the same query as the article (``with_page_data``)
and read back from it (``PageData``), or from the relations when it was not."""

from datetime import date, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject

from articles.models.subjects import Person, Topic


def loaded(model, **values):
    """A ``model`` instance holding only ``values`` (by attribute name), the other columns
    deferred, as a query for those columns would give it. For what a page shows of another
    article: ``model(**values)`` works out every other field's default (an article has 35),
    four times as long; a deferred column read by mistake is a query, which the pinned counts
    of ``tests/test_queries.py`` see."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    if len(names) != len(values):
        raise TypeError(f"not columns of {model.__name__}: {sorted(set(values) - set(names))}")
    return model.from_db(None, names, [values[name] for name in names])


class PageDataQuerySet:
    def with_page_data(self):
        """Authors, translators, topics, corrections and related stories in the same query,
        as arrays (see ``Article.credited_authors`` and friends): one query instead of five
        prefetches. A related story's target counts as linked only if it is published."""
        return self.with_credits().with_notices().with_story_box()

    def with_credits(self):
        """Authors, translators and topics, as arrays (what a listing shows)."""
        from articles.models import Article, Topic

        def credits(relation):
            """The people credited, in the order the credit named them (the order their
            rows were written), not by name."""
            return ArraySubquery(
                getattr(Article, relation)
                .through.objects.filter(article=OuterRef("pk"))
                .order_by("id")
                .values(row=JSONObject(id="person_id", name="person__name", slug="person__slug"))
            )

        named = {"id": "id", "name": "name", "slug": "slug"}
        return self.annotate(
            author_rows=credits("authors"),
            translator_rows=credits("translators"),
            topic_rows=_rows(Topic, "articles", ["name"], **named),
        )

    def with_notices(self):
        """Corrections, updates of the original and related stories, as arrays."""
        from articles.models import Article, Correction, OriginalUpdate, RelatedStory

        return self.annotate(
            correction_rows=_rows(
                Correction,
                "article",
                ["published_on", "id"],
                id="id",
                published_on="published_on",
                text="text",
            ),
            original_update_rows=_rows(
                OriginalUpdate,
                "article",
                ["changed_on", "id"],
                id="id",
                changed_on="changed_on",
                note="note",
                translation_revised="translation_revised",
            ),
            related_rows=_rows(
                RelatedStory,
                "article",
                ["position", "id"],
                id="id",
                title="title",
                summary="summary",
                url="url",
                target_id="target_id",
                target_headline="target__headline",
                target_slug="target__slug",
                target_dek="target__dek",
                target_published_at="target__published_at",
                target_is_public=Exists(
                    Article.objects.published().filter(pk=OuterRef("target_id"))
                ),
            ),
        )

    def with_story_box(self):
        """The story's name, count, and the articles before and after this one."""
        from articles.models import Article

        in_thread = Article.objects.published().filter(thread=OuterRef("thread"))
        brief = JSONObject(headline="headline", slug="slug", published_at="published_at")
        return self.annotate(
            thread_name=F("thread__name"),
            thread_slug=F("thread__slug"),
            thread_count=Subquery(
                in_thread.order_by().values("thread").annotate(n=Count("*")).values("n")
            ),
            # The story's order is (publication time, id): articles published at the same
            # moment (an import's batch, a scheduled pair) are neighbours too.
            thread_previous=Subquery(
                in_thread.filter(
                    Q(published_at__lt=OuterRef("published_at"))
                    | Q(published_at=OuterRef("published_at"), id__lt=OuterRef("id"))
                )
                .order_by("-published_at", "-id")
                .values(row=brief)[:1]
            ),
            thread_next=Subquery(
                in_thread.filter(
                    Q(published_at__gt=OuterRef("published_at"))
                    | Q(published_at=OuterRef("published_at"), id__gt=OuterRef("id"))
                )
                .order_by("published_at", "id")
                .values(row=brief)[:1]
            ),
        )


def _rows(model, relation, order, **fields):
    return ArraySubquery(
        model.objects.filter(**{relation: OuterRef("pk")})
        .order_by(*order)
        .values(row=JSONObject(**fields))
    )


class PageData:
    """Mixed into ``Article``."""

    def _credited(self, rows_attribute, model, relation):
        rows = getattr(self, rows_attribute, None)
        if rows is None:  # not loaded with with_page_data(): ask the relation
            if model is not Person:
                return list(getattr(self, relation).all())
            through = getattr(type(self), relation).through
            credited = through.objects.filter(article_id=self.pk).select_related("person")
            return [row.person for row in credited.order_by("id")]
        # Built once from the rows (a page asks for its topics five times): a new list each
        # time, the same objects in it.
        built = self.__dict__.setdefault("_credits_built", {})
        found = built.get(rows_attribute)
        if found is None or found[0] is not rows:
            found = built[rows_attribute] = (rows, [model(**row) for row in rows])
        return list(found[1])

    @property
    def credited_authors(self):
        return self._credited("author_rows", Person, "authors")

    @property
    def credited_translators(self):
        return self._credited("translator_rows", Person, "translators")

    @property
    def filed_topics(self):
        return self._credited("topic_rows", Topic, "topics")

    @property
    def related_list(self):
        """The related stories readers may see, each with ``target_is_public`` (link it or
        not). A story that points at an article readers cannot see (a draft, one in review,
        a scheduled one) shows only the title an editor typed, never that article's
        headline; with no typed title it is left out."""
        from articles.models import Article, RelatedStory

        rows = getattr(self, "related_rows", None)
        if rows is None:
            public = Article.objects.published().filter(pk=OuterRef("target_id"))
            stories = list(
                self.related_stories.select_related("target").annotate(
                    target_is_public=Exists(public)
                )
            )
            return _shown(stories)
        stories = []
        for row in rows:
            story = RelatedStory(
                id=row["id"], title=row["title"], summary=row["summary"], url=row["url"]
            )
            if row["target_id"]:
                story.target = loaded(
                    Article,
                    id=row["target_id"],
                    headline=row["target_headline"],
                    slug=row["target_slug"],
                    dek=row["target_dek"],
                    published_at=datetime.fromisoformat(row["target_published_at"]),
                )
            story.target_is_public = row["target_is_public"]
            stories.append(story)
        return _shown(stories)

    @property
    def thread_box(self):
        """The story this article is part of, for its box: name, address, how many articles
        readers can see in it, and the ones before and after this one (published only);
        None when it is in none."""
        from articles.models import Article, Thread

        if not self.thread_id:
            return None
        if not hasattr(self, "thread_slug"):  # not loaded with with_page_data()
            again = Article.objects.filter(pk=self.pk).with_page_data().only("pk", "thread").get()
            return again.thread_box

        def article(row):
            if not row:
                return None
            return loaded(
                Article,
                headline=row["headline"],
                slug=row["slug"],
                published_at=datetime.fromisoformat(row["published_at"]),
            )

        return {
            "thread": Thread(id=self.thread_id, name=self.thread_name, slug=self.thread_slug),
            "count": self.thread_count or 0,
            "previous": article(self.thread_previous),
            "next": article(self.thread_next),
        }

    @property
    def correction_list(self):
        from articles.models.editorial import Correction

        rows = getattr(self, "correction_rows", None)
        if rows is None:
            return list(self.corrections.all())
        return [
            Correction(
                id=row["id"],
                published_on=date.fromisoformat(row["published_on"]),
                text=row["text"],
            )
            for row in rows
        ]

    @property
    def original_update_list(self):
        """When the original changed after it was translated, oldest first."""
        from articles.models import OriginalUpdate

        rows = getattr(self, "original_update_rows", None)
        if rows is None:
            return list(self.original_updates.all())
        return [
            OriginalUpdate(
                id=row["id"],
                changed_on=date.fromisoformat(row["changed_on"]),
                note=row["note"],
                translation_revised=row["translation_revised"],
            )
            for row in rows
        ]


def _shown(stories):
    shown = []
    for story in stories:
        if story.target_id and not story.target_is_public:
            story.target = None  # nothing of a hidden article reaches the page
        if story.title or story.target_is_public:
            shown.append(story)
    return shown
