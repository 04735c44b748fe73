"""Measure what reaches beyond the site (``make bench-reach``), on a filled bench database:

* the read API in this process (no cache): p50/p95 of a list page (newest, a filtered one,
  deep in the cursor chain) and of an article in full, against a minimal view (``/ping``);
* a newsletter edition for ``--subscribers`` subscribers, rendered and handed to a real SMTP
  server (aiosmtpd in a process of its own, which throws the messages away): messages per
  second, and this process's memory before and after;
* the export of the whole archive to a JSON-lines file, in a process of its own (time, size,
  peak memory), and the file read back into a new, empty database (time, articles per
  second).

Refuses to run unless the database's name contains "bench". The subscribers, editions and
the restored database it makes are removed at the end.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from articles.models import Article
from articles.newsletter import sending
from articles.newsletter.models import Digest, Subscriber

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--subscribers", type=int, default=10_000)
        parser.add_argument(
            "--parts", default="api,newsletter,export", help="which to measure (comma-separated)"
        )

    def handle(self, *args, requests, subscribers, parts, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in name:
            raise CommandError(f"refusing to run on {name!r}: its name must contain 'bench'")
        count = Article.objects.count()
        self.stdout.write(f"archive: {count:,} articles in {name}")
        parts = parts.split(",")
        if "api" in parts:
            self.api(requests)
        if "newsletter" in parts:
            self.newsletter(subscribers)
        if "export" in parts:
            self.export(count)

    # The API -------------------------------------------------------------------------------

    def api(self, requests):
        settings.API_RATE_LIMIT = 0  # one client, many requests
        client = Client(SERVER_NAME="127.0.0.1", secure=True)  # as behind HTTPS
        ids = list(
            Article.objects.published().order_by("?").values_list("pk", flat=True)[:requests]
        )
        deep = client.get("/api/v1/articles?limit=100", secure=True).json()["next"]
        for _ in range(20):
            deep = client.get(deep, secure=True).json()["next"]
        source = client.get("/api/v1/sources?limit=1", secure=True).json()["results"][0]["slug"]
        shapes = {
            "/ping": lambda n: "/ping",
            "list, newest 20": lambda n: "/api/v1/articles",
            "list, a source's 20": lambda n: f"/api/v1/articles?source={source}",
            "list, 21st page of 100": lambda n: deep,
            "article in full": lambda n: f"/api/v1/articles/{ids[n % len(ids)]}",
        }
        self.stdout.write("\nAPI in this process, no cache (ms):")
        self.stdout.write(f"{'request':<26} {'p50':>7} {'p95':>7}")
        for label, address in shapes.items():
            times = []
            for n in range(requests):
                started = time.perf_counter()
                response = client.get(address(n), secure=True)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (address(n), response.status_code)
            p95 = statistics.quantiles(times, n=20)[-1]
            self.stdout.write(f"{label:<26} {statistics.median(times):7.1f} {p95:7.1f}")

    # The newsletter ------------------------------------------------------------------------

    def newsletter(self, count):
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
        )
        time.sleep(1.0)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        try:
            Subscriber.objects.filter(email__endswith="@bench.invalid").delete()
            Subscriber.objects.bulk_create(
                [
                    Subscriber(email=f"reader{n}@bench.invalid", confirmed_at=timezone.now())
                    for n in range(count)
                ],
                batch_size=5000,
            )
            now = timezone.now()
            started = time.perf_counter()
            digest = sending.prepare(
                "weekly", timezone.localdate(now) + timedelta(days=3650), now - timedelta(7), now
            )
            prepared = time.perf_counter() - started
            before = _rss_mb()
            started = time.perf_counter()
            sent = sending.send_pending(digest.pk, rate=0)
            elapsed = time.perf_counter() - started
            after = _rss_mb()
            self.stdout.write(
                f"\nnewsletter: edition of {len(digest.article_ids)} articles for {count:,} "
                f"subscribers prepared in {prepared:.1f} s; {sent:,} messages handed to SMTP in "
                f"{elapsed:.1f} s = {sent / elapsed:,.0f} messages/s; memory {before:.0f} MB "
                f"before, {after:.0f} MB after"
            )
        finally:
            Digest.objects.filter(edition__gt=timezone.localdate() + timedelta(days=365)).delete()
            Subscriber.objects.filter(email__endswith="@bench.invalid").delete()
            server.terminate()
            server.wait()

    # Export and re-import ------------------------------------------------------------------

    def export(self, count):
        target = ROOT / "var" / "bench" / "archive.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        result = self._run(["export_archive", str(target)], os.environ)
        size = target.stat().st_size / 1e6
        self.stdout.write(
            f"\nexport: {count:,} articles in {result['seconds']:.0f} s "
            f"({count / result['seconds']:,.0f} articles/s), {size:,.0f} MB, "
            f"peak memory {result['peak_mb']:.0f} MB"
        )
        restored = connection.settings_dict["NAME"] + "_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
            cursor.execute(f'CREATE DATABASE "{restored}"')
        env = dict(os.environ)
        if env.get("DATABASE_URL"):
            env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + restored
        else:
            env["EMBEDDED_DATABASE"] = restored
        try:
            self._run(["migrate", "--noinput", "-v0"], env)
            result = self._run(["import_articles", str(target)], env)
            self.stdout.write(
                f"re-import into an empty database: {result['seconds']:.0f} s "
                f"({count / result['seconds']:,.0f} articles/s), "
                f"peak memory {result['peak_mb']:.0f} MB"
            )
        finally:
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
            target.unlink(missing_ok=True)

    def _run(self, command, env) -> dict:
        """A management command in a process of its own: its time and peak memory."""
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", MEASURED, *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        if done.returncode:
            raise CommandError(f"{command[0]} failed: {done.stderr[-2000:]}")
        peak = json.loads(done.stdout.strip().splitlines()[-1])["peak_kb"] / 1024
        return {"seconds": seconds, "peak_mb": peak}


MEASURED = """
import io, json, os, resource, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
django.setup()
from django.core.management import call_command
call_command(*sys.argv[1:], stdout=io.StringIO())
print(json.dumps({"peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""
