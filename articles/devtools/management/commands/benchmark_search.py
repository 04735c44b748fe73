"""Server time of the search page for every shape of query readers type, measured in-process
through the whole Django stack (middleware, view, queries, template), on whatever the database
holds now (``make bench-search`` fills 100,000 synthetic articles first).

    python manage.py benchmark_search --rounds 10

Each shape runs with no filter, with a source, a topic and a year filter, and on pages 2 and
10 of its results; rounds are interleaved (every variant once per round, in a shuffled order)
so that a noisy machine slows all shapes alike. Prints p50 and p95 per shape in milliseconds,
the slowest variant's p95, and the queries a request costs (the same for every shape).
A prefix search is not a shape: the query language (``websearch_to_tsquery``) has none.
"""

import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import urlencode

from articles.models import Article, Source, Topic

# Words as the synthetic archive uses them (articles.devtools.synthetic): "government" and
# "president"
# are among its most common words (each in nine articles of ten), "lithium" and "Sheinbaum"
# are topical (a few articles in a hundred), "Mañanera" carries an accent.
SHAPES = {
    "common word": "government",
    "rare word": "lithium",
    "two common words": "government president",
    "phrase, common words": '"government president"',
    "phrase with a rare word": '"president Sheinbaum"',
    "a or b": "drought or harvest",
    "a -b": "mining -canadian",
    "common -common": "government -president",
    "accent left out": "Mananera",
    "names, no accents": "Lopez Obrador",
    # Shapes that once ran into the statement timeout (issue 18): a phrase with a stop word
    # inside, an exclusion that always comes with the word ("La Jornada" is a source's name,
    # in a fifth of the articles), a word excluded by itself, exclusions only, a pair of
    # common words as a phrase. (The source variant of "jornada" finds nothing: the word is
    # absent from every other source's articles.)
    "phrase with a stop word": '"said the government"',
    "word -its companion": "jornada -la",
    "word -itself": "government -government",
    "exclusions only": "-government -president",
    "phrase, a source's name": '"la jornada"',
    "source's name": "jornada",
}
TARGET_MS = 50.0


class Command(BaseCommand):
    help = "p50 and p95 server time of the search page per query shape (see the docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=10)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--shape", action="append", help="only these shapes (repeatable)")

    def handle(self, *args, rounds, seed, shape, **options):
        settings.DEBUG = False  # no query log: measure what production does
        rng = random.Random(seed)
        published = Article.objects.published()
        count = published.count()
        if not count:
            raise CommandError("no published articles: run fill_synthetic first")
        source = Source.objects.filter(articles__isnull=False).values_list("slug", flat=True)[0]
        topic = Topic.objects.filter(articles__isnull=False).values_list("slug", flat=True)[0]
        year = published.latest("published_at").published_at.year - 3
        variants = {
            "": {},
            "source": {"source": source},
            "topic": {"topic": topic},
            "year": {"year": year},
            "page 2": {"page": 2},
            "page 10": {"page": 10},
        }
        shapes = {name: SHAPES[name] for name in (shape or SHAPES)}
        runs = [
            (name, variant, "/search/?" + urlencode({"q": text, **params}))
            for name, text in shapes.items()
            for variant, params in variants.items()
        ]
        client = Client(HTTP_HOST="localhost")
        queries = {}
        for name, _, url in runs:  # warm caches, and count the queries once
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, secure=True)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
            queries.setdefault(name, set()).add(len(captured))
        timings = {run: [] for run in runs}
        for _ in range(rounds):
            rng.shuffle(runs)
            for run in runs:
                start = time.perf_counter()
                client.get(run[2], secure=True)
                timings[run].append((time.perf_counter() - start) * 1000)

        self.stdout.write(
            f"{count:,} published articles; {rounds} rounds of {len(variants)} variants per shape "
            f"(no filter, {', '.join(list(variants)[1:])})\n"
        )
        header = f"{'shape':<24} {'query':<24} {'p50 ms':>7} {'p95 ms':>7} {'worst':>16} {'SQL':>4}"
        self.stdout.write(header)
        slow = False
        for name, text in shapes.items():
            mine = {run: times for run, times in timings.items() if run[0] == name}
            every = sorted(t for times in mine.values() for t in times)
            p50, p95 = statistics.median(every), percentile(every, 95)
            worst_run = max(mine, key=lambda run: percentile(sorted(mine[run]), 95))
            worst = f"{percentile(sorted(mine[worst_run]), 95):.0f} ({worst_run[1] or 'plain'})"
            sql = "/".join(str(n) for n in sorted(queries[name]))
            mark = "" if p95 <= TARGET_MS else "  SLOW"
            slow |= p95 > TARGET_MS
            self.stdout.write(
                f"{name:<24} {text:<24} {p50:>7.1f} {p95:>7.1f} {worst:>16} {sql:>4}{mark}"
            )
        if slow:
            self.stdout.write(self.style.WARNING(f"some shapes missed p95 ≤ {TARGET_MS:.0f} ms"))


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, round(len(ordered) * pct / 100) - 1)]
