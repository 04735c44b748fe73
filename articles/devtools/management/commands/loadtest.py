"""A load test of the production setup on this machine (``make loadtest``).

    python manage.py loadtest [--articles 100000] [--duration 60]

What it runs, all on 127.0.0.1 and each bounded in time:

1. a database of ``--articles`` synthetic articles on the PostgreSQL server at
   ``LOADTEST_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/archive_load``),
   filled once and kept; a streaming replica of it (``.ci/replica``); Redis;
2. gunicorn with the repository's configuration and production settings, three ways: with
   every cache (Redis, the page cache), with the page cache off (the "uncached" article page:
   its rendered part is still kept per content version, see ``articles/readers/article_views.py``),
   and with no cache at all;
3. wrk at 1, 8, 50 and 200 connections on ``/ping`` (the smallest Django answer, through every
   middleware: the yardstick), one article page, and a realistic mix of reader URLs;
4. 200 connections on the mix for ``--duration`` seconds; the same for 90 s with PostgreSQL
   stopped from 30 s to 45 s; the same for 60 s with Redis stopped from 20 s to 40 s, with
   the answers counted second by second.

It prints Markdown tables: requests per second and p50/p95/p99 latency, the article page as a
share of ``/ping``'s requests per second in the same run, and the error timelines. It starts
and stops PostgreSQL and Redis, so run it on a machine of your own (as root, like CI).
"""

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/archive_load"
PORT = 8899
# Redis as production should run it (docs/deploy.md): bounded, the least recently used keys
# evicted (old content versions' entries are never asked for again).
REDIS_MAXMEMORY = "512mb"
CONNECTIONS = [1, 8, 50, 200]

WRK_SCRIPT = r"""
local paths = {PATHS}
SEARCHES = {SEARCHES}
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = math.random(1, #paths)
  ok, bad, started = {}, {}, os.time()
end
local words = {"election", "mining", "water", "congress", "workers", "drought", "border"}
function request()
  counter = counter + 1
  if SEARCHES and math.random() < 0.05 then
    -- a search nobody made before: never in any cache
    local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
    return wrk.format("GET", "/search/?q=" .. q .. "&n=" .. math.random(1, 1000000000))
  end
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
function response(status, headers, body)
  local second = os.time() - started
  if status < 400 then
    ok[second] = (ok[second] or 0) + 1
  else
    bad[second] = (bad[second] or 0) + 1
  end
end
function done(summary, latency, requests)
  local okt, badt = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("ok")) do okt[k] = (okt[k] or 0) + v end
    for k, v in pairs(thread:get("bad")) do badt[k] = (badt[k] or 0) + v end
  end
  local seconds = {}
  for k, _ in pairs(okt) do seconds[k] = true end
  for k, _ in pairs(badt) do seconds[k] = true end
  local timeline = {}
  for k, _ in pairs(seconds) do
    table.insert(timeline, string.format("[%d,%d,%d]", k, okt[k] or 0, badt[k] or 0))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%f,"p50":%f,"p95":%f,"p99":%f,"socket_errors":%d,' ..
    '"non_2xx_3xx":%d,"timeline":[%s]}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout, e.status, table.concat(timeline, ",")))
end
"""


class Command(BaseCommand):
    help = "Load-test the production setup on this machine (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--duration", type=int, default=60)
        parser.add_argument("--step", type=int, default=10, help="seconds per table cell")

    def handle(self, *args, articles, duration, step, **options):
        self.root = Path(settings.BASE_DIR)
        self.work = self.root / "var" / "loadtest"
        self.work.mkdir(parents=True, exist_ok=True)
        self.database_url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE)
        self.require_tools()
        self.prepare_database(articles)
        self.run_checked(["bash", ".ci/replica"])
        self.ensure_redis()
        self.collect_static()
        paths = self.url_mix()
        article = paths[1]
        self.script = self.work / "mix.lua"
        self.script.write_text(_script(paths, searches=True))
        single = self.work / "single.lua"

        report = []
        for label, env in [
            ("every cache (Redis, page cache)", {}),
            ("page cache off", {"PAGE_CACHE_SECONDS": "0"}),
            ("no cache at all", {"REDIS_URL": "", "ARTICLE_CACHE_SECONDS": "0"}),
        ]:
            with self.server(env):
                self.warm(paths)
                rows = []
                for name, target in [("/ping", "/ping"), ("article", article), ("mix", None)]:
                    for connections in CONNECTIONS:
                        script = self.script
                        if target:
                            single.write_text(_script([target], searches=False))
                            script = single
                        result = self.wrk(script, connections, step)
                        rows.append((name, connections, result))
                report.append((label, rows))
            self.print_table(label, rows)

        with self.server({}):
            self.warm(paths)
            sustained = self.wrk(self.script, 200, duration)
            self.stdout.write(
                f"\n200 connections for {duration} s, every cache: "
                f"{sustained['requests'] / sustained['seconds']:,.0f} req/s, "
                f"p50 {sustained['p50']:.1f} ms, p99 {sustained['p99']:.1f} ms, "
                f"errors: {sustained['socket_errors']} socket, {sustained['non_2xx_3xx']} HTTP"
            )
            self.outage(
                "PostgreSQL (primary and replica) stopped from 30 s to 45 s",
                90,
                30,
                45,
                self.stop_db,
                self.start_db,
            )
            self.outage(
                "Redis stopped from 20 s to 40 s", 60, 20, 40, self.stop_redis, self.ensure_redis
            )
            self.page_weight(article)
        self.stdout.write(self.style.SUCCESS("\nload test finished"))

    # -- Set-up --------------------------------------------------------------------------------

    def require_tools(self):
        missing = [
            tool for tool in ("wrk", "redis-server", "pg_ctlcluster") if not shutil.which(tool)
        ]
        if "wrk" in missing and shutil.which("apt-get"):
            self.run_checked(["apt-get", "install", "-y", "wrk"])
            missing.remove("wrk")
        if missing:
            raise CommandError(
                f"missing: {', '.join(missing)} (Debian packages wrk, redis-server, postgresql)"
            )

    def manage(self, *args, env=None, check=True):
        command = [sys.executable, "manage.py", *args]
        # the commands it runs (fill_synthetic…) are development tools: installed for them
        full_env = {**self.base_env(), "ARCHIVE_DEVTOOLS": "1", **(env or {})}
        done = subprocess.run(command, cwd=self.root, env=full_env, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise CommandError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def base_env(self):
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ARCHIVE_ENVIRONMENT"}}
        env.update(
            SECRET_KEY="load-test-only-" + "k" * 40,
            DATABASE_URL=self.database_url,
            DATABASE_REPLICA_URLS=self.database_url.replace(":5432/", ":5433/"),
            REDIS_URL="redis://127.0.0.1:6379/3",
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            STATIC_ROOT=str(self.work / "static"),
            ARCHIVE_LOCAL_SETTINGS="/nonexistent",
        )
        return env

    def prepare_database(self, articles):
        name = self.database_url.rsplit("/", 1)[1]
        exists = subprocess.run(
            [
                "psql",
                self.database_url.rsplit("/", 1)[0] + "/postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not exists:
            self.run_checked(
                [
                    "psql",
                    self.database_url.rsplit("/", 1)[0] + "/postgres",
                    "-c",
                    f'CREATE DATABASE "{name}"',
                ]
            )
        self.manage("migrate", "--noinput", "-v0")
        count = int(
            self.manage(
                "shell", "-c", "from articles.models import Article; print(Article.objects.count())"
            )
            .strip()
            .splitlines()[-1]
        )
        if count < articles:
            self.stdout.write(f"filling {articles - count:,} synthetic articles (once) …")
            self.manage("fill_synthetic", str(articles - count))
        self.stdout.write(f"database: {max(count, articles):,} articles at {self.database_url}")

    def ensure_redis(self):
        """Redis as production runs it: bounded, least recently used keys evicted (set on
        the running server too)."""
        bounded = [("maxmemory", REDIS_MAXMEMORY), ("maxmemory-policy", "allkeys-lru")]
        if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode == 0:
            for name, value in bounded:
                subprocess.run(["redis-cli", "config", "set", name, value], capture_output=True)
            return
        options = [part for name, value in bounded for part in (f"--{name}", value)]
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379"]
            + ["--save", "", "--appendonly", "no", *options],
            check=True,
        )
        for _ in range(50):
            if subprocess.run(["redis-cli", "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)

    def stop_redis(self):
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)

    def stop_db(self):
        self.run_checked(["bash", ".ci/replica", "stop"])
        cluster = ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster_version(), "main"]
        self.run_checked([*cluster, "stop", "-m", "fast"])

    def start_db(self):
        cluster = ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster_version(), "main"]
        self.run_checked([*cluster, "start"])
        self.run_checked(["bash", ".ci/replica"])

    def collect_static(self):
        self.manage("collectstatic", "--noinput", "-v0")

    def url_mix(self) -> list[str]:
        """Home, articles (most of the traffic, a few of them much more read than the others:
        one article shared widely), listings, archives, searches, feeds, sitemaps."""
        code = (
            "from articles.models import Article, Source, Topic\n"
            "import json\n"
            "published = Article.objects.published().only('slug', 'published_at')\n"
            "a = [x.get_absolute_url() for x in published[:400]]\n"
            "s = [x.get_absolute_url() for x in Source.objects.all()[:5]]\n"
            "t = [x.get_absolute_url() for x in Topic.objects.all()[:10]]\n"
            "print(json.dumps([a, s, t]))\n"
        )
        articles, sources, topics = json.loads(
            self.manage("shell", "-c", code).strip().splitlines()[-1]
        )
        rng = random.Random(5)
        paths = ["/", articles[0]]
        paths += [articles[0]] * 40 + rng.choices(articles, k=200)
        paths += ["/", "/?page=2", "/sources/", "/topics/", "/archive/"] * 6
        paths += sources * 3 + topics * 2
        paths += ["/2024/", "/2024/05/", "/2023/11/"] * 4
        paths += [
            f"/search/?q={q}" for q in ("election", "mining", "water", "president", "congress")
        ] * 3
        paths += ["/feed/atom/", "/feed/rss/", "/sitemap.xml", "/sitemap-articles.xml"] * 2
        rest = paths[2:]
        rng.shuffle(rest)
        return paths[:2] + rest

    # -- Running --------------------------------------------------------------------------------

    def server(self, extra_env):
        return _Server(self, {**self.base_env(), **extra_env})

    def warm(self, paths):
        for path in dict.fromkeys(paths):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()
            except OSError:
                pass

    def wrk(self, script, connections, seconds) -> dict:
        threads = min(connections, 2)
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{PORT}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        lines = done.stdout.splitlines()
        line = next((text for text in lines if text.startswith("RESULT ")), None)
        if line is None:
            raise CommandError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
        return json.loads(line[len("RESULT ") :])

    def outage(self, label, seconds, stop_at, start_at, stop, start):
        import threading

        def interrupt():
            time.sleep(stop_at)
            stop()
            time.sleep(start_at - stop_at)
            start()

        worker = threading.Thread(target=interrupt)
        worker.start()
        result = self.wrk(self.script, 200, seconds)
        worker.join()
        timeline = sorted(result["timeline"])
        bad_seconds = [second for second, _, bad in timeline if bad]
        recovered = [s for s in bad_seconds if s > start_at]
        self.stdout.write(
            f"\n{label}, 200 connections, {seconds} s: "
            f"{result['requests'] / result['seconds']:,.0f} req/s, "
            f"{sum(b for _, _, b in timeline)} error answers, "
            f"{result['socket_errors']} socket errors"
        )
        if bad_seconds:
            self.stdout.write(
                f"  errors in seconds {bad_seconds[0]}–{bad_seconds[-1]}; "
                f"last error {max(bad_seconds) - start_at:+d} s after the restart"
                if recovered
                else f"  errors in seconds {bad_seconds[0]}–{bad_seconds[-1]}"
            )
        else:
            self.stdout.write("  no error answer at any second")
        self.stdout.write(
            "  second: ok/errors  " + "  ".join(f"{s}:{o}/{b}" for s, o, b in timeline)
        )

    def page_weight(self, article):
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{article}") as response:
            html = response.read()
        css_path = next((self.work / "static" / "css").glob("site.*.css"))
        css = css_path.read_bytes()
        self.stdout.write(
            f"\narticle page weight: HTML {len(html):,} bytes ({len(gzip.compress(html)):,} "
            f"gzipped), CSS {len(css):,} bytes ({len(gzip.compress(css)):,} gzipped); no "
            "script, no web font, no image"
        )

    def print_table(self, label, rows):
        ping = {c: r for name, c, r in rows if name == "/ping"}
        self.stdout.write(f"\n{label}:\n")
        self.stdout.write(
            "| URL | connections | req/s | p50 ms | p95 ms | p99 ms | errors | share of /ping |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, connections, result in rows:
            rate = result["requests"] / result["seconds"]
            base = ping[connections]["requests"] / ping[connections]["seconds"]
            errors = result["socket_errors"] + result["non_2xx_3xx"]
            self.stdout.write(
                f"| {name} | {connections} | {rate:,.0f} | {result['p50']:.1f} | "
                f"{result['p95']:.1f} | {result['p99']:.1f} | {errors} | {rate / base:.0%} |"
            )

    def run_checked(self, command):
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True)
        if done.returncode != 0:
            raise CommandError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")


class _Server:
    """gunicorn, started with the repository's configuration and stopped on leaving."""

    def __init__(self, command, env):
        self.command, self.env = (
            command,
            {**env, "WEB_BIND": f"127.0.0.1:{PORT}", "WEB_ACCESS_LOG": "/dev/null"},
        )

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "archive/gunicorn_config.py", "archive.wsgi"],
            cwd=self.command.root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.command.work / "gunicorn.log", "a"),
        )
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise CommandError("gunicorn did not start; see var/loadtest/gunicorn.log")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)


def _lua_list(paths) -> str:
    return "{" + ", ".join(json.dumps(p) for p in paths) + "}"


def _script(paths, searches: bool) -> str:
    return WRK_SCRIPT.replace("{PATHS}", _lua_list(paths)).replace(
        "{SEARCHES}", "true" if searches else "false"
    )


def _cluster_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]
