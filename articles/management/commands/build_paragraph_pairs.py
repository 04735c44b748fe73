"""Pair every article's paragraphs with its original's, for the translation memory
(``articles.memory``): once after upgrading to the release that brought it, or to rebuild
it whole. Saving an article keeps its own pairs; this is for the articles already there.

The memory is emptied first and its indexes set aside while the rows go in (building an
index once is several times faster than keeping it up to date row by row), then built
again, whatever happens: while it runs, suggestions and the concordance find less, and
more slowly. Batches are committed as they go: stopped, it can be run again.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from articles import memory
from articles.models import Article, ParagraphPair

BATCH_SIZE = 1000  # articles read, paired and written at a time
INDEX_MEMORY = "256MB"  # maintenance_work_mem while the indexes are built


class Command(BaseCommand):
    help = "Pair every article's paragraphs with its original's, for the translation memory."

    def handle(self, *args, **options):
        started = time.monotonic()
        table = connection.ops.quote_name(ParagraphPair._meta.db_table)
        indexes = ParagraphPair._meta.indexes
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
            for index in indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(index.name)}")
        try:
            written, articles = self.pair_everything(started)
        finally:
            paired = time.monotonic()
            self.build_indexes(indexes)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute("SELECT pg_total_relation_size(%s)", [ParagraphPair._meta.db_table])
            size = cursor.fetchone()[0]
        self.stdout.write(
            f"{written:,} pairs of {articles:,} articles in {time.monotonic() - started:.0f} s "
            f"(indexes {time.monotonic() - paired:.0f} s); the memory takes "
            f"{size / 1024 / 1024:,.0f} MB with its indexes"
        )

    def pair_everything(self, started) -> tuple[int, int]:
        ids = list(
            Article.objects.exclude(original_body="").order_by("pk").values_list("pk", flat=True)
        )
        written = 0
        for start in range(0, len(ids), BATCH_SIZE):
            written += memory.rebuild(ids[start : start + BATCH_SIZE])
            done = min(start + BATCH_SIZE, len(ids))
            if done % 10_000 == 0 or done == len(ids):
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"{done:,}/{len(ids):,} articles ({rate:,.0f}/s)")
        return written, len(ids)

    def build_indexes(self, indexes) -> None:
        """The model's indexes, as its migrations make them (Django's own SQL for each)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SET maintenance_work_mem = '{INDEX_MEMORY}'")
            with connection.schema_editor(atomic=False) as editor:
                for index in indexes:
                    editor.add_index(ParagraphPair, index)
            cursor.execute("RESET maintenance_work_mem")
