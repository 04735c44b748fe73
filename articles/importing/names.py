"""The sources, people and topics imported articles name, and the slugs of new rows.

:class:`Names` finds or creates them once per run, in a short transaction of their own and
under a lock, before the batch that needs them is written: batches written at the same time
(see ``ImportStore``'s writer threads) never create the same person twice, and each batch's
own transaction only reads them. Rows a run created that end up with no article (every item
naming them failed) are removed by :meth:`Names.remove_unused`, so a failed item leaves
nothing behind.
"""

import re
import threading
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify

from articles.models import Article, Person, SlugRedirect, Source, Topic


def key(name: str) -> str:
    """How names are compared: case and repeated spaces do not matter."""
    return re.sub(r"\s+", " ", name).strip().lower()


class Names:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict = {Source: {}, Person: {}, Topic: {}}  # model → {key: row}
        self.created: dict = {Source: set(), Person: set(), Topic: set()}  # model → {pk}
        self.reserved_slugs: set[str] = set()  # article slugs handed out in this run

    # -- Lookups (after prepare) -------------------------------------------------------------

    def source(self, name: str) -> Source | None:
        return self.rows[Source].get(key(name)) if name else None

    def people(self, names: list[str]) -> list[int]:
        return self._ids(Person, names)

    def topics(self, names: list[str]) -> list[int]:
        return self._ids(Topic, names)

    def _ids(self, model, names):
        """The rows' ids; a name not created (see ``ImportItem.create_subjects``) is left out."""
        rows = self.rows[model]
        return list(dict.fromkeys(rows[key(n)].pk for n in names if key(n) in rows))

    # -- Finding and creating --------------------------------------------------------------

    def prepare(self, items) -> None:
        """Find or create everything ``items`` name, committed before their batch."""
        with self.lock, transaction.atomic():
            self._sources(items)
            for model, kind, names in [
                (Person, "author", lambda parsed: parsed.authors),
                (Person, "translator", lambda parsed: parsed.translators),
                (Topic, "topic", lambda parsed: parsed.topics),
            ]:
                self._named(model, items, names)
                for item in items:
                    for name in names(item.parsed):
                        if key(name) not in self.rows[model]:
                            item.parsed.notes.append(
                                f"{kind} “{name}” is not in the archive yet: an editor adds "
                                "them and sets them on the article"
                            )

    def _sources(self, items) -> None:
        known = self.rows[Source]
        wanted = {}
        for item in items:
            name = item.parsed.source_name
            if name and key(name) not in known:
                wanted.setdefault(key(name), item)
        if wanted:
            for source in Source.objects.annotate(k=Lower("name")).filter(k__in=list(wanted)):
                known.setdefault(source.k, source)
        new = []
        for name_key, item in wanted.items():
            if name_key not in known and item.create_subjects:
                parsed = item.parsed
                source = Source(name=parsed.source_name, description=parsed.source_description)
                source.language = parsed.original_language or source.language
                new.append(source)
                known[name_key] = source
        self._create(Source, new)
        for item in items:
            parsed = item.parsed
            source = known.get(key(parsed.source_name)) if parsed.source_name else None
            if parsed.source_name and source is None:
                parsed.notes.append(
                    f"source “{parsed.source_name}” is not in the archive yet: an editor "
                    "adds it and sets it on the article"
                )
            elif source and item.create_subjects and parsed.source_description:
                if not source.description:
                    source.description = parsed.source_description
                    source.save(update_fields=["description"])

    def _named(self, model, items, names: Callable) -> None:
        """Find the rows ``names(item.parsed)`` name; create the missing ones that an item
        which may create them names."""
        known = self.rows[model]
        wanted, creatable = {}, set()
        for item in items:
            for name in names(item.parsed):
                if key(name) not in known:
                    wanted.setdefault(key(name), " ".join(name.split()))
                    if item.create_subjects:
                        creatable.add(key(name))
        if not wanted:
            return
        rows = model.objects.annotate(k=Lower("name")).filter(k__in=list(wanted)).order_by("pk")
        for row in rows:
            known.setdefault(row.k, row)
        new = [
            model(name=name)
            for name_key, name in wanted.items()
            if name_key not in known and name_key in creatable
        ]
        self._create(model, new)
        for row in new:
            known[key(row.name)] = row

    def _create(self, model, rows) -> None:
        slugs = SlugPicker(model).unique([row.name for row in rows])
        for row, slug in zip(rows, slugs, strict=True):
            row.slug = slug
        model.objects.bulk_create(rows)
        self.created[model].update(row.pk for row in rows)

    def article_slugs(self, texts: list[str]) -> list[str]:
        """Unique slugs for new articles, also among batches written at the same time."""
        with self.lock:
            return SlugPicker(Article, self.reserved_slugs).unique(texts)

    def release_slugs(self, slugs: list[str]) -> None:
        """Slugs handed out for a batch that was not written."""
        with self.lock:
            self.reserved_slugs.difference_update(slugs)

    def remove_unused(self) -> None:
        """Delete the rows this run created that no article uses (their items failed)."""
        unused = {
            Source: Q(articles__isnull=True),
            Person: Q(authored__isnull=True, translations__isnull=True),
            Topic: Q(articles__isnull=True, legacy_addresses__isnull=True),
        }
        for model, condition in unused.items():
            if self.created[model]:
                model.objects.filter(condition, pk__in=self.created[model]).delete()


class SlugPicker:
    """Unique slugs for many new rows in two queries, not one per row: "name", "name-2"…
    For articles, a slug that another article used to have (and that redirects to it) is
    taken too, and so is every slug in ``reserved`` (which this adds to)."""

    def __init__(self, model=Article, reserved: set[str] | None = None):
        self.model = model
        self.max_length = model._meta.get_field("slug").max_length
        self.reserved = reserved if reserved is not None else set()

    def base(self, text: str) -> str:
        return slugify(text)[: self.max_length - 4].strip("-") or self.model._meta.model_name

    def unique(self, texts: list[str]) -> list[str]:
        bases = [self.base(text) for text in texts]
        taken = self._taken(set(bases)) | self.reserved
        slugs = []
        for base in bases:
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            slugs.append(slug)
        self.reserved.update(slugs)
        return slugs

    def _taken(self, bases: set[str]) -> set[str]:
        """The slugs in use among ``bases`` and their numbered variants: an index lookup for
        the bases, then a prefix lookup (the slug's ``LIKE`` index) for the few already taken."""
        if not bases:
            return set()
        taken = self._in_use([("in", bases)])
        numbered = {base for base in bases if base in taken or base in self.reserved}
        if numbered:
            taken |= self._in_use([("startswith", f"{base}-") for base in numbered])
        return taken

    def _in_use(self, lookups: list[tuple[str, object]]) -> set[str]:
        def any_of(field):
            condition = Q()
            for lookup, value in lookups:
                condition |= Q(**{f"{field}__{lookup}": value})
            return condition

        found = set(self.model.objects.filter(any_of("slug")).values_list("slug", flat=True))
        if self.model is Article:
            redirects = SlugRedirect.objects.filter(any_of("old_slug"))
            found.update(redirects.values_list("old_slug", flat=True))
        return found
