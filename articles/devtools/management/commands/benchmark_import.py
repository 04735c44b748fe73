"""Measure the importers on generated data (``make bench-import``).

    python manage.py benchmark_import --files 10000 --posts 50000

Writes synthetic text files and a WordPress export under ``var/bench/`` (once; they are kept
for the next run), empties the archive's tables in the current database, and runs each
import in its own process, as a user would: the text files, the same files again
(unchanged), the WordPress export, the same export again. For each it reports the time,
items per second, the SQL statements sent, and the peak memory of the importing process and
of its largest worker. Refuses to run unless the database's name contains "bench".
"""

import json
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from articles.devtools.management.commands.generate_text_articles import write_articles
from articles.devtools.management.commands.generate_wordpress_export import write_export

TABLES = [
    "articles_article",
    "articles_source",
    "articles_person",
    "articles_topic",
    "articles_relatedstory",
    "articles_revision",
    "articles_legacyaddress",
    "articles_slugredirect",
]

# Runs one management command in a fresh process and reports what it cost.
WRAPPER = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
django.setup()
from io import StringIO
from django.core.management import call_command, CommandError
from django.db import connection
statements = [0]
def count(execute, sql, params, many, context):
    statements[0] += 1
    return execute(sql, params, many, context)
out = StringIO()
started = time.monotonic()
with connection.execute_wrapper(count):
    try:
        call_command(*sys.argv[1:], stdout=out, stderr=out)
    except CommandError as error:
        out.write(str(error))
elapsed = time.monotonic() - started
print(json.dumps({
    "seconds": elapsed,
    "statements": statements[0],
    "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "last_line": out.getvalue().strip().splitlines()[-1],
}))
"""


class Command(BaseCommand):
    help = "Time the text and WordPress importers on generated data (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--files", type=int, default=10_000)
        parser.add_argument("--posts", type=int, default=50_000)
        parser.add_argument("--workers", type=int, default=None)

    def handle(self, *args, files, posts, workers, **options):
        name = settings.DATABASES["default"]["NAME"]
        if "bench" not in name:
            raise CommandError(
                f"the database is {name!r}: point this at a scratch database whose name "
                "contains 'bench' (make bench-import does), it empties the archive's tables"
            )
        folder = Path(settings.BASE_DIR) / "var" / "bench"
        texts = folder / f"text-{files}"
        export = folder / f"export-{posts}.xml"
        if files and not texts.exists():
            self.stdout.write(f"writing {files:,} text files to {texts} …")
            write_articles(texts, files)
        if posts and not export.exists():
            self.stdout.write(f"writing a {posts:,}-post export to {export} …")
            write_export(export, posts)
        extra = ["--workers", str(workers)] if workers else []
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        rows = []
        if files:
            size = sum(p.stat().st_size for p in texts.iterdir()) / 1e6
            rows.append(
                self.run(
                    f"text files ({size:,.0f} MB)", files, "import_articles", str(texts), *extra
                )
            )
            rows.append(
                self.run("the same files again", files, "import_articles", str(texts), *extra)
            )
        if posts:
            size = export.stat().st_size / 1e6
            rows.append(
                self.run(
                    f"WordPress export ({size:,.0f} MB)",
                    posts,
                    "import_wordpress",
                    str(export),
                    *extra,
                )
            )
            rows.append(
                self.run("the same export again", posts, "import_wordpress", str(export), *extra)
            )
        self.stdout.write("")
        self.stdout.write(
            "| import | items | seconds | items/s | SQL statements | peak RSS main / worker |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, items, result in rows:
            self.stdout.write(
                f"| {label} | {items:,} | {result['seconds']:.1f} | "
                f"{items / result['seconds']:,.0f} | {result['statements']:,} | "
                f"{result['main_rss_mb']:,.0f} MB / {result['worker_rss_mb']:,.0f} MB |"
            )

    def run(self, label, items, *command):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, *command],
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            check=False,
        )
        if done.returncode != 0 or not done.stdout.strip():
            raise CommandError(f"{label}: the import process failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        self.stdout.write(
            f"{label}: {result['last_line']} ({time.monotonic() - started:.1f} s with start-up)"
        )
        return label, items, result
