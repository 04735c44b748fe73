"""Server time of the translation memory's two requests, measured in-process through the
whole Django stack (the admin's login check, the view, its queries, the JSON or the template),
on whatever the database holds now (``make bench-memory`` fills 100,000 synthetic articles
with originals first, about two million paragraph pairs):

    python manage.py benchmark_memory --rounds 5

Suggestions are asked for paragraphs as a translator meets them: one the memory holds word for
word, one with a few words changed, one of an article not published (never in the memory),
a short one and a long one. The concordance is searched for a common word, a rare one, a
phrase, a word with a source or a year filter, in the translations, and on page 5. Rounds
are interleaved in a shuffled order, so that a noisy machine slows every shape alike; p50 and
p95 per shape, in milliseconds, and the queries a request costs. Then the memory's size:
its rows, and its table and each index on disk. With ``--build``, or when the memory is
empty, it first pairs the whole archive (``build_paragraph_pairs``) and reports how long
that took.
"""

import random
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from articles import roles
from articles.models import Article, ParagraphPair, Source
from articles.models.archive import published_condition

TARGET_MS = 100.0
SAMPLES = 20  # paragraphs per shape of suggestion, words per shape of concordance


class Command(BaseCommand):
    help = "p50 and p95 server time of suggestions and the concordance (see the docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--build", action="store_true", help="pair the whole archive first")

    def handle(self, *args, rounds, seed, build, **options):
        settings.DEBUG = False  # no query log: measure what production does
        if build or not ParagraphPair.objects.exists():
            started = time.monotonic()
            call_command("build_paragraph_pairs", stdout=self.stdout)
            self.stdout.write(f"build: {time.monotonic() - started:,.0f} s\n")
        rng = random.Random(seed)
        published = ParagraphPair.objects.filter(published_condition("article__"))
        if not published.exclude(translation="").exists():
            raise CommandError(
                "no published translation in the memory: fill_synthetic N --clear (its "
                "articles have originals), then build_paragraph_pairs"
            )
        runs = self.suggestion_runs(rng, published) + self.concordance_runs(rng, published)
        user = self.translator()
        try:
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            timings, queries = self.measure(client, runs, rounds, rng)
        finally:
            user.delete()
        self.report(runs, timings, queries, rounds)
        self.storage()

    # -- What is asked --------------------------------------------------------------------

    def suggestion_runs(self, rng, published):
        url = reverse("admin:articles_article_translation_memory")
        held = sample(rng, published.exclude(translation="").exclude(original=""), SAMPLES * 2)
        unpublished = list(
            ParagraphPair.objects.exclude(published_condition("article__"))
            .exclude(original="")
            .values_list("original", flat=True)[: SAMPLES * 50]
        )
        if len(unpublished) < SAMPLES:
            unpublished = held  # an archive with no draft: reworded paragraphs instead

        def reworded(text):
            words = text.split()
            for _ in range(max(1, len(words) // 8)):
                words[rng.randrange(len(words))] = rng.choice(["mañana", "pueblo", "consulta"])
            return " ".join(words)

        shapes = {
            "held word for word": held[:SAMPLES],
            "a few words changed": [reworded(text) for text in held[SAMPLES:]],
            "not published": rng.sample(unpublished, SAMPLES),
            "short (5 words)": [" ".join(text.split()[:5]) for text in held[:SAMPLES]],
            "long (3 paragraphs)": [" ".join(rng.sample(held, 3)) for _ in range(SAMPLES)],
        }
        return [
            ("suggestions", name, "POST", url, {"paragraph": text, "language": "es"})
            for name, texts in shapes.items()
            for text in texts
        ]

    def concordance_runs(self, rng, published):
        url = reverse("admin:articles_article_concordance")
        with connection.cursor() as cursor:  # the originals' words, as ANALYZE counted them
            cursor.execute(
                "SELECT u.e, u.f FROM pg_stats AS s CROSS JOIN LATERAL unnest("
                "s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)"
                " WHERE s.tablename = %s AND s.attname = 'original_vector'"
                " AND u.e IS NOT NULL ORDER BY u.f DESC",
                [ParagraphPair._meta.db_table],
            )
            counted = [word for word, _ in cursor.fetchall() if len(word) > 3]
        if len(counted) < SAMPLES * 2:
            raise CommandError("no statistics on the memory: run ANALYZE (or its build) first")
        common, less = counted[:SAMPLES], counted[-SAMPLES:]
        rare, phrases = [], []
        for text in sample(rng, published.exclude(original=""), SAMPLES):
            words = [word for word in text.split() if word.isalpha()]
            rare.append(max(words, key=len))
            start = rng.randrange(max(1, len(words) - 2))
            phrases.append('"' + " ".join(words[start : start + 2]) + '"')
        with_articles = Exists(Article.objects.filter(source=OuterRef("pk")))
        sources = list(Source.objects.filter(with_articles).values_list("pk", flat=True))
        years = published.dates("published_at", "year")
        year = years[len(years) // 2].year if years else None
        english = ["government", "president", "water", "teachers", "mining"]
        shapes = {
            "common word": [{"q": word} for word in common],
            "less common word": [{"q": word} for word in less],
            "rare word": [{"q": word} for word in rare],
            "two-word phrase": [{"q": phrase} for phrase in phrases],
            "word, a source": [{"q": w, "source": rng.choice(sources)} for w in common + rare],
            "word, a year": [{"q": w, "year": year} for w in common + rare],
            "in the translations": [{"q": w, "side": "translation"} for w in english * 4],
            "page 5": [{"q": word, "page": 5} for word in common],
        }
        return [
            ("concordance", name, "GET", f"{url}?{urlencode({'language': 'es', **params})}", {})
            for name, asked in shapes.items()
            for params in asked
        ]

    def translator(self):
        users = get_user_model().objects
        users.filter(username="benchmark-memory-translator").delete()  # a run stopped early
        user = users.create_user("benchmark-memory-translator", password=None, is_staff=True)
        user.groups.add(Group.objects.get(name=roles.TRANSLATOR))
        return user

    # -- Measured -------------------------------------------------------------------------

    def measure(self, client, runs, rounds, rng):
        def ask(run):
            _, _, method, url, data = run
            if method == "POST":
                return client.post(url, data, secure=True)
            return client.get(url, secure=True)

        queries = {}
        for run in runs:  # warm caches, and count the queries once
            with CaptureQueriesContext(connection) as captured:
                response = ask(run)
            if response.status_code != 200:
                raise CommandError(f"{run[3]} answered {response.status_code}")
            queries.setdefault(run[:2], set()).add(len(captured))
        timings = {run[:2]: [] for run in runs}
        order = list(runs)
        for _ in range(rounds):
            rng.shuffle(order)
            for run in order:
                start = time.perf_counter()
                ask(run)
                timings[run[:2]].append((time.perf_counter() - start) * 1000)
        return timings, queries

    def report(self, runs, timings, queries, rounds):
        articles = Article.objects.count()
        self.stdout.write(
            f"{articles:,} articles; {rounds} rounds of {SAMPLES} requests per shape\n"
        )
        self.stdout.write(f"{'request':<12} {'shape':<22} {'p50 ms':>7} {'p95 ms':>7} {'SQL':>5}")
        slow = False
        for key, times in timings.items():
            ordered = sorted(times)
            p50, p95 = statistics.median(ordered), percentile(ordered, 95)
            slow |= p95 > TARGET_MS
            sql = "/".join(str(n) for n in sorted(queries[key]))
            mark = "" if p95 <= TARGET_MS else "  SLOW"
            self.stdout.write(f"{key[0]:<12} {key[1]:<22} {p50:>7.1f} {p95:>7.1f} {sql:>5}{mark}")
        for request in ("suggestions", "concordance"):
            every = sorted(t for key, times in timings.items() if key[0] == request for t in times)
            self.stdout.write(
                f"{request:<12} {'every shape':<22} {statistics.median(every):>7.1f} "
                f"{percentile(every, 95):>7.1f}"
            )
        if slow:
            self.stdout.write(self.style.WARNING(f"some shapes missed p95 ≤ {TARGET_MS:.0f} ms"))

    def storage(self):
        table = ParagraphPair._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.reltuples::bigint, pg_table_size(c.oid), pg_indexes_size(c.oid)"
                " FROM pg_class AS c WHERE c.oid = %s::regclass",
                [table],
            )
            rows, size, indexes = cursor.fetchone()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid)"
                " FROM pg_index WHERE indrelid = %s::regclass ORDER BY 2 DESC",
                [table],
            )
            each = cursor.fetchall()
        mb = 1024 * 1024
        self.stdout.write(
            f"\nthe memory: about {rows:,} pairs; table {size / mb:,.0f} MB (text and vectors), "
            f"indexes {indexes / mb:,.0f} MB, {(size + indexes) / mb:,.0f} MB in all"
        )
        for name, bytes_ in each:
            self.stdout.write(f"  {name:<40} {bytes_ / mb:>8,.0f} MB")


def sample(rng, pairs, count: int) -> list[str]:
    """The originals of ``count`` pairs picked at random (by id: no OFFSET through millions)."""
    ids = pairs.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    found = []
    while len(found) < count:
        pair = pairs.filter(pk__gte=rng.randint(ids["low"], ids["high"])).order_by("pk").first()
        if pair is not None:
            found.append(pair.original)
    return found


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, round(len(ordered) * pct / 100) - 1)]
