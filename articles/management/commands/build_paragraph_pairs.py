"""Pair every article's paragraphs with its original's, for the translation memory
(``articles.memory``): once after upgrading to the release that brought it, or to rebuild
it whole. Saving an article keeps its own pairs; this is for the articles already there."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from articles import memory
from articles.models import Article, ParagraphPair

BATCH_SIZE = 1000  # articles read, paired and written at a time


class Command(BaseCommand):
    help = "Pair every article's paragraphs with its original's, for the translation memory."

    def handle(self, *args, **options):
        started = time.monotonic()
        table = connection.ops.quote_name(ParagraphPair._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")
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
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute("SELECT pg_total_relation_size(%s)", [ParagraphPair._meta.db_table])
            size = cursor.fetchone()[0]
        self.stdout.write(
            f"{written:,} pairs of {len(ids):,} articles in {time.monotonic() - started:.0f} s; "
            f"the memory takes {size / 1024 / 1024:,.0f} MB with its indexes"
        )
