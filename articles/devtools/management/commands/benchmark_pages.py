"""Server time of the reader pages, measured in-process through the whole Django stack
(middleware, views, queries, templates), on whatever the database holds now.

    python manage.py fill_synthetic 100000
    python manage.py benchmark_pages --requests 300

Prints the median and 95th percentile per page type, in milliseconds, and each median as a
multiple of ``/ping``'s (the smallest answer through every middleware), measured in the same
run: machines are shared and noisy, the ratio travels better than the milliseconds. Targets at
100,000 articles: search p95 under 50 ms, every other page p95 under 15 ms.
"""

import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from articles.models import Article, Source, Thread, Topic

SEARCHES = [
    "lithium",
    "elections",
    "Mananera",
    "Perú",
    "sheinbaum",
    '"diplomatic asylum"',
    "mining -canadian",
    "drought or harvest",
    "pension reform",
    "Ayotzinapa justice",
    "López Obrador",
    "the",
]
TARGETS = {"search": 50.0}
DEFAULT_TARGET = 15.0


class Command(BaseCommand):
    help = "Median and p95 server time of search, home, article and archive pages."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="per page type")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, requests, seed, **options):
        settings.DEBUG = False  # no query log: measure what production does
        rng = random.Random(seed)
        articles = list(
            Article.objects.published().order_by("?").values_list("pk", flat=True)[:500]
        )
        if not articles:
            raise CommandError("no published articles: run fill_synthetic first")
        urls = [a.get_absolute_url() for a in Article.objects.filter(pk__in=articles)]
        pictured = [
            a.get_absolute_url()
            for a in Article.objects.published()
            .filter(lead_image__isnull=False)
            .exclude(body_images=[])
            .exclude(thread=None)
            .order_by("?")[:300]
        ] or urls
        stories = list(
            Thread.objects.with_published_articles().values_list("slug", flat=True)[:300]
        )
        months = list(Article.objects.published().dates("published_at", "month"))
        sources = list(Source.objects.values_list("slug", flat=True))
        topics = list(Topic.objects.values_list("slug", flat=True))

        def search_url():
            url = f"/search/?q={rng.choice(SEARCHES)}"
            if rng.random() < 0.3:
                url += f"&source={rng.choice(sources)}"
            if rng.random() < 0.2:
                url += f"&page={rng.randint(2, 5)}"
            return url

        last_page = -(-Article.objects.published().count() // settings.ARTICLES_PER_PAGE)
        home_pages = [min(n, last_page) for n in (1, 1, 1, 2, 3, 50)]
        pages = {
            "ping": lambda: "/ping",
            "home": lambda: f"/?page={rng.choice(home_pages)}",
            "article": lambda: rng.choice(urls),
            # a lead image, an image in the text, a story box (and glossary terms where used)
            "article+images": lambda: rng.choice(pictured),
            "month archive": lambda: "/{0.year}/{0.month:02d}/".format(rng.choice(months)),
            "year archive": lambda: f"/{rng.choice(months).year}/",
            "archive index": lambda: "/archive/",
            "source": lambda: f"/sources/{rng.choice(sources)}/",
            "topic": lambda: f"/topics/{rng.choice(topics)}/",
            "search": search_url,
        }
        if stories:
            pages["story"] = lambda: f"/stories/{rng.choice(stories)}/"
            pages["stories"] = lambda: "/stories/"
        pages["glossary"] = lambda: "/glossary/"
        client = Client(HTTP_HOST="localhost")
        count = Article.objects.count()
        self.stdout.write(f"{count:,} articles; {requests} requests per page type\n")
        self.stdout.write(
            f"{'page':<15} {'median ms':>10} {'p95 ms':>10} {'x ping':>8} {'target':>8}"
        )
        ping = None
        failed = False
        for name, make_url in pages.items():
            for _ in range(10):  # warm caches
                client.get(make_url(), secure=True)
            timings = []
            for _ in range(requests):
                url = make_url()
                start = time.perf_counter()
                response = client.get(url, secure=True)
                timings.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            timings.sort()
            median = statistics.median(timings)
            p95 = timings[int(len(timings) * 0.95) - 1]
            ping = ping or median
            target = TARGETS.get(name, DEFAULT_TARGET)
            mark = "ok" if p95 < target else "SLOW"
            failed |= p95 >= target
            self.stdout.write(
                f"{name:<15} {median:>10.1f} {p95:>10.1f} {median / ping:>8.1f} "
                f"{target:>6.0f} {mark}"
            )
        if failed:
            self.stdout.write(self.style.WARNING("some pages missed their target"))
