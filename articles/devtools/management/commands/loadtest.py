"""A load test of the production shape on this machine, on a long tail (``make loadtest``).

    python manage.py loadtest [--articles 100000] [--duration 30] [--tail 20000] [--soak 0]

Every service it uses is its own, started under ``var/loadtest/`` on ports of its own and
stopped at the end; it never stops a service it did not start:

* a PostgreSQL primary (filled once with ``--articles`` synthetic articles and kept) and a
  streaming replica of it; Redis bounded as production runs it (512 MB, ``allkeys-lru``);
* gunicorn with the repository's configuration and production settings, reading from the
  replica, purging Varnish after saves;
* Varnish with ``archive/varnish/archive.vcl`` in front of it, and nginx serving the same
  bytes as an article page, as a yardstick.

What it measures, each with wrk for ``--duration`` seconds at 64 connections, ratios taken
against yardsticks measured in the same run:

1. ``/ping`` (the smallest Django answer) and nginx's static copy of an article page;
2. one article through Varnish (a hit), against nginx;
3. the mix: ``--tail`` different articles (most of the traffic, a few read much more than the
   others), listings and topic/source pages with random page numbers, and searches with
   varied words, through Varnish after the mix itself warmed it for 60 s, and straight to
   gunicorn;
4. articles of the tail with the page cache and kept articles off, against ``/ping``, the two
   in turn three times, the median of the three ratios (with 100,000 articles and 20,000 in
   the tail, most are read for the first time, "More on this story" chosen afresh);
5. faults, answers counted per second: the primary hung (SIGSTOP) for 20 s, the primary
   stopped (searches only: they read the replica), the replica stopped, Redis stopped,
   Varnish stopped;
6. what a save purges: the objects Varnish drops for one article's keys, of all it keeps;
7. with ``--soak N``: the mix for N seconds with Redis's memory read every 10 s.
"""

import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PORTS = {
    "primary": 5442,
    "replica": 5443,
    "redis": 6391,
    "app": 8891,
    "varnish": 8892,
    "nginx": 8893,
}
CONNECTIONS = 64
TURNS = 3  # /ping and the uncached articles, measured in turn
REDIS_MAXMEMORY = "512mb"
WORDS = "election mining water congress workers drought border lithium teachers strike"

WRK_SCRIPT = r"""
local paths = {}
for line in io.lines("{PATHS}") do table.insert(paths, line) end
local words = {}
for w in string.gmatch("{WORDS}", "%S+") do table.insert(words, w) end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  ok, bad, started = {}, {}, os.time()
end
function request()
  local r = math.random()
  if {SEARCHES} > 0 and r < {SEARCHES} then
    local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
    return wrk.format("GET", "/search/?q=" .. q)
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  local second = os.time() - started
  if status < 400 or status == 404 then ok[second] = (ok[second] or 0) + 1
  else bad[second] = (bad[second] or 0) + 1 end
end
function done(summary, latency, requests)
  local okt, badt, seconds = {}, {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("ok")) do okt[k] = (okt[k] or 0) + v; seconds[k] = true end
    for k, v in pairs(thread:get("bad")) do badt[k] = (badt[k] or 0) + v; seconds[k] = true end
  end
  local timeline = {}
  for k, _ in pairs(seconds) do
    table.insert(timeline, string.format("[%d,%d,%d]", k, okt[k] or 0, badt[k] or 0))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"max":%f,"socket_errors":%d,' ..
    '"timeouts":%d,"non_2xx_3xx":%d,"timeline":[%s]}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, e.connect + e.read + e.write,
    e.timeout, e.status, table.concat(timeline, ",")))
end
"""

NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx.error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server {{
        listen 127.0.0.1:{port};
        root {work}/static-bytes;
        location / {{ default_type text/html; }}
    }}
}}
"""


class Command(BaseCommand):
    help = "Load-test the production shape on a long tail (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--duration", type=int, default=30, help="seconds per measure")
        parser.add_argument("--tail", type=int, default=20_000, help="different articles")
        parser.add_argument("--warm", type=int, default=60, help="seconds the mix warms")
        parser.add_argument("--soak", type=int, default=0, help="seconds of Redis soak")

    def handle(self, *args, articles, duration, tail, warm, soak, **options):
        self.root = Path(settings.BASE_DIR)
        self.work = self.root / "var" / "loadtest"
        self.work.mkdir(parents=True, exist_ok=True)
        self.duration = duration
        self.require_tools()
        self.started = []  # what to stop at the end, last first
        try:
            self.start_redis()
            self.start_postgres(articles)
            self.collect_static()
            self.write_paths(tail)
            self.run(warm, soak)
        finally:
            for stop in reversed(self.started):
                try:
                    stop()
                except Exception as error:  # stop the others anyway
                    self.stderr.write(f"stopping: {error}")

    # -- Measures -------------------------------------------------------------------------------

    def run(self, warm, soak):
        out = self.stdout.write
        with self.app():
            self.start_varnish()
            self.start_nginx()
            self.wrk("app", [], "/ping", seconds=3)  # the workers warmed
            ping = self.wrk("app", [], "/ping")
            static = self.wrk("nginx", [], "/article.html")
            hot = self.wrk("varnish", [], self.hot_article)
            out("\n## Yardsticks and a cached article\n")
            out("| what | answers/s | p50 ms | p99 ms | max ms | errors |")
            out("| --- | ---: | ---: | ---: | ---: | ---: |")
            for name, result in [
                ("/ping, gunicorn", ping),
                ("nginx, an article page's bytes", static),
                ("an article through Varnish (a hit)", hot),
            ]:
                out(_row(name, result))
            out(f"\ncached article through Varnish: {_rate(hot) / _rate(static):.0%} of nginx")

            self.wrk("varnish", self.mix, seconds=warm, searches=0.02)  # warm by the mix
            through = self.wrk("varnish", self.mix, searches=0.02)
            direct = self.wrk("app", self.mix, searches=0.02)
            out(f"\n## The mix ({len(self.tail):,} articles, listings, pages, searches)\n")
            out("| served by | answers/s | p50 ms | p99 ms | max ms | errors |")
            out("| --- | ---: | ---: | ---: | ---: | ---: |")
            out(_row(f"Varnish, warmed by the mix for {warm} s", through))
            out(_row("gunicorn with Redis (no HTTP cache)", direct))

            self.purge_count()

            out("\n## Faults (the mix straight to gunicorn, answers per second)\n")
            self.fault(
                "the primary hung (SIGSTOP) from 10 s to 30 s",
                "app",
                self.mix,
                lambda: self.signal_postgres("primary", signal.SIGSTOP),
                lambda: self.signal_postgres("primary", signal.SIGCONT),
            )
            searches = [f"/search/?q={w}" for w in WORDS.split()]
            self.fault(
                "the primary stopped from 10 s to 30 s (searches only, 8 connections)",
                "app",
                searches,
                lambda: self.pg_ctl("primary", "stop", "-m", "immediate"),
                lambda: self.pg_ctl("primary", "start"),
                connections=8,
            )
            self.fault(
                "the replica stopped from 10 s to 30 s",
                "app",
                self.mix,
                lambda: self.pg_ctl("replica", "stop", "-m", "immediate"),
                lambda: self.pg_ctl("replica", "start"),
            )
            self.fault(
                "Redis stopped from 10 s to 30 s",
                "app",
                self.mix,
                self.stop_redis,
                self.start_redis,
            )
            self.fault(
                "Varnish stopped from 10 s to 30 s (through Varnish)",
                "varnish",
                self.mix,
                self.stop_varnish,
                self.start_varnish,
            )
            if soak:
                self.soak(soak)
        with self.app({"PAGE_CACHE_SECONDS": "0", "ARTICLE_CACHE_SECONDS": "0"}):
            out("\n## Articles straight from the database (page cache and kept articles off)\n")
            out("| what | answers/s | p50 ms | p99 ms | max ms | errors |")
            out("| --- | ---: | ---: | ---: | ---: | ---: |")
            # In turn, a third of the duration each: the machine's speed drifts (/ping ran
            # at 1,616 and 2,301 answers/s in two runs of one hour), and a ratio to a /ping
            # measured once, 30 s earlier, moved with it.
            ratios = []
            for turn in range(1, TURNS + 1):
                seconds = max(5, self.duration // TURNS)
                ping = self.wrk("app", [], "/ping", seconds=seconds)
                fresh = self.wrk("app", self.tail, seconds=seconds)
                out(_row(f"/ping, turn {turn}", ping))
                out(_row(f"an article of a tail of {len(self.tail):,}, turn {turn}", fresh))
                ratios.append(_rate(fresh) / _rate(ping))
            turns = ", ".join(f"{ratio:.1%}" for ratio in ratios)
            out(
                f"\nuncached article: {statistics.median(ratios):.1%} of /ping "
                f"(the median of {TURNS} turns, each against the /ping just before it: {turns})"
            )
        out(self.style.SUCCESS("\nload test finished"))

    def fault(self, label, target, paths, stop, start, connections=CONNECTIONS):
        def interrupt():
            time.sleep(10)
            stop()
            time.sleep(20)
            start()

        worker = threading.Thread(target=interrupt)
        worker.start()
        result = self.wrk(target, paths, seconds=45, connections=connections)
        worker.join()
        timeline = sorted(result["timeline"])
        answered = sum(ok for _, ok, _ in timeline)
        errors = sum(bad for _, _, bad in timeline) + result["socket_errors"]
        during = [(s, ok, bad) for s, ok, bad in timeline if 10 <= s < 30]
        self.stdout.write(
            f"\n**{label}**: {answered:,} answered, {errors:,} errors, "
            f"{result['timeouts']} timed out (10 s), slowest {result['max'] / 1000:.1f} s; "
            f"while it lasted: {sum(ok for _, ok, _ in during):,} answered, "
            f"{sum(bad for _, _, bad in during):,} error answers"
        )
        self.stdout.write(
            "  second: ok/errors  " + "  ".join(f"{s}:{ok}/{bad}" for s, ok, bad in timeline)
        )

    def purge_count(self):
        """The keys one article's save purges (its page, its story, the lists), sent to
        Varnish as the app sends them; how many of the objects Varnish keeps they drop."""
        article = (
            self.manage(
                "shell",
                "-c",
                "from articles.models import Article; from articles.readers import surrogates;"
                "a = Article.objects.published().order_by('?').first();"
                "print(' '.join(sorted(surrogates.keys_for(a))))",
            )
            .strip()
            .splitlines()[-1]
        )
        kept = self.varnish_objects()
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORTS['varnish']}/",
            method="PURGE",
            headers={"xkey-purge": article},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            message = answer.read().decode()
        dropped = int(re.search(r"Purged (\d+)", message).group(1))
        self.stdout.write(
            f"\none article's save (keys: {article}) purges {dropped:,} of the {kept:,} "
            "objects Varnish keeps"
        )

    def soak(self, seconds):
        samples, stop = [], threading.Event()

        def sample():
            while not stop.wait(10):
                info = self.redis_cli("info", "memory")
                used = re.search(r"used_memory:(\d+)", info)
                samples.append(int(used.group(1)) // 2**20 if used else -1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        result = self.wrk("app", self.mix, seconds=seconds, searches=0.02)
        stop.set()
        sampler.join()
        errors = result["socket_errors"] + result["non_2xx_3xx"]
        self.stdout.write(
            f"\nRedis soak, the mix for {seconds} s: {_rate(result):,.0f} req/s, {errors} errors; "
            f"Redis used memory every 10 s (MB, maxmemory {REDIS_MAXMEMORY}): "
            + " ".join(map(str, samples))
        )

    # -- wrk ------------------------------------------------------------------------------------

    def wrk(
        self, target, paths, single=None, seconds=None, searches=0.0, connections=CONNECTIONS
    ) -> dict:
        seconds = seconds or self.duration
        listing = self.work / "paths.txt"
        listing.write_text("\n".join([single] if single else paths) + "\n")
        script = self.work / "load.lua"
        script.write_text(
            WRK_SCRIPT.replace("{PATHS}", str(listing))
            .replace("{WORDS}", WORDS)
            .replace("{SEARCHES}", str(searches))
        )
        done = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://127.0.0.1:{PORTS[target]}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        line = next((t for t in done.stdout.splitlines() if t.startswith("RESULT ")), None)
        if line is None:
            raise CommandError(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
        return json.loads(line[len("RESULT ") :])

    # -- Services -------------------------------------------------------------------------------

    def require_tools(self):
        tools = ("wrk", "nginx", "varnishd", "redis-server", "pg_basebackup")
        missing = [t for t in tools if not shutil.which(t) and not self.pg_bin(t).exists()]
        if missing and shutil.which("apt-get"):
            subprocess.run(
                ["apt-get", "install", "-y", "wrk", "nginx", "varnish", "varnish-modules"],
                capture_output=True,
            )
            missing = [t for t in tools if not shutil.which(t) and not self.pg_bin(t).exists()]
        if missing:
            raise CommandError(f"missing: {', '.join(missing)}")

    def pg_bin(self, name) -> Path:
        version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
        return Path("/usr/lib/postgresql") / version / "bin" / name

    def as_postgres(self, *command, check=True):
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*runner, *map(str, command)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise CommandError(f"{' '.join(map(str, command))}:\n{done.stderr[-2000:]}")
        return done

    def pg_ctl(self, which, *args):
        data = self.work / which
        extra = ["-l", data / "server.log", "-w"] if args[0] == "start" else ["-w"]
        self.as_postgres(self.pg_bin("pg_ctl"), "-D", data, *extra, *args, check=False)

    def signal_postgres(self, which, signum):
        pid = int((self.work / which / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(pid)
        for process in [postmaster, *postmaster.children(recursive=True)]:
            process.send_signal(signum)

    def database_url(self, which="primary"):
        return f"postgres://postgres@127.0.0.1:{PORTS[which]}/archive_load"

    def start_postgres(self, articles):
        primary, replica = self.work / "primary", self.work / "replica"
        os.chmod(self.work, 0o755)
        if not (primary / "PG_VERSION").exists():
            primary.mkdir(exist_ok=True)
            shutil.chown(primary, "postgres", "postgres") if os.geteuid() == 0 else None
            self.as_postgres(self.pg_bin("initdb"), "-D", primary, "-U", "postgres", "--auth=trust")
            with open(primary / "postgresql.conf", "a") as conf:
                conf.write(
                    f"\nport = {PORTS['primary']}\nlisten_addresses = '127.0.0.1'\n"
                    "unix_socket_directories = '/tmp'\nshared_buffers = 512MB\n"
                    "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
                )
            with open(primary / "pg_hba.conf", "a") as hba:
                hba.write("host replication all 127.0.0.1/32 trust\n")
        self.pg_ctl("primary", "start")
        self.started.append(lambda: self.pg_ctl("primary", "stop", "-m", "fast"))
        psql = ["psql", "-h", "127.0.0.1", "-p", str(PORTS["primary"]), "-U", "postgres"]
        exists = subprocess.run(
            [*psql, "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'archive_load'"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not exists:
            subprocess.run([*psql, "-c", "CREATE DATABASE archive_load"], check=True)
        self.manage("migrate", "--noinput", "-v0", replicas=False)
        count = int(
            self.manage(
                "shell",
                "-c",
                "from articles.models import Article; print(Article.objects.count())",
                replicas=False,
            )
            .strip()
            .splitlines()[-1]
        )
        if count < articles:
            self.stdout.write(f"filling {articles - count:,} synthetic articles (once) …")
            self.manage("fill_synthetic", str(articles - count), replicas=False)
            subprocess.run([*psql, "-d", "archive_load", "-c", "VACUUM ANALYZE"], check=True)
        shutil.rmtree(replica, ignore_errors=True)
        replica.mkdir()
        shutil.chown(replica, "postgres", "postgres") if os.geteuid() == 0 else None
        os.chmod(replica, 0o700)
        self.as_postgres(
            self.pg_bin("pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            PORTS["primary"],
            "-U",
            "postgres",
            "-D",
            replica,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )
        with open(replica / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {PORTS['replica']}\nhot_standby = on\n")
        self.pg_ctl("replica", "start")
        self.started.append(lambda: self.pg_ctl("replica", "stop", "-m", "fast"))
        self.stdout.write(f"database: {max(count, articles):,} articles, primary and replica")

    def redis_cli(self, *args):
        return subprocess.run(
            ["redis-cli", "-p", str(PORTS["redis"]), *args], capture_output=True, text=True
        ).stdout

    def start_redis(self):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                str(PORTS["redis"]),
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                REDIS_MAXMEMORY,
                "--maxmemory-policy",
                "allkeys-lru",
                "--dir",
                str(self.work),
            ],
            check=True,
        )
        for _ in range(50):
            if self.redis_cli("ping").strip() == "PONG":
                break
            time.sleep(0.1)
        if self.stop_redis not in self.started:
            self.started.append(self.stop_redis)

    def stop_redis(self):
        self.redis_cli("shutdown", "nosave")

    def start_varnish(self):
        vcl = (self.root / "archive" / "varnish" / "archive.vcl").read_text()
        (self.work / "varnish.vcl").write_text(
            vcl.replace('.port = "8001"', f'.port = "{PORTS["app"]}"')
        )
        os.chmod(self.work / "varnish.vcl", 0o644)
        subprocess.run(
            [
                "varnishd",
                "-a",
                f"127.0.0.1:{PORTS['varnish']}",
                "-f",
                str(self.work / "varnish.vcl"),
                "-n",
                str(self.work / "varnish"),
                "-s",
                "malloc,1g",
                "-P",
                str(self.work / "varnishd.pid"),
            ],
            check=True,
            capture_output=True,
        )
        time.sleep(1)
        if self.stop_varnish not in self.started:
            self.started.append(self.stop_varnish)

    def stop_varnish(self):
        pid_file = self.work / "varnishd.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
            except ProcessLookupError:
                pass
            pid_file.unlink()
            time.sleep(1)

    def varnish_objects(self) -> int:
        done = subprocess.run(
            ["varnishstat", "-n", str(self.work / "varnish"), "-1", "-f", "MAIN.n_object"],
            capture_output=True,
            text=True,
        )
        found = re.search(r"MAIN\.n_object\s+(\d+)", done.stdout)
        return int(found.group(1)) if found else -1

    def start_nginx(self):
        (self.work / "static-bytes").mkdir(exist_ok=True)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{PORTS['app']}{self.hot_article}", timeout=30
        ) as page:
            (self.work / "static-bytes" / "article.html").write_bytes(page.read())
        conf = self.work / "nginx.conf"
        conf.write_text(NGINX_CONF.format(work=self.work, port=PORTS["nginx"]))
        subprocess.run(["nginx", "-c", str(conf)], check=True)
        self.started.append(
            lambda: subprocess.run(["nginx", "-c", str(conf), "-s", "stop"], capture_output=True)
        )

    def collect_static(self):
        self.manage("collectstatic", "--noinput", "-v0")

    def write_paths(self, tail):
        code = (
            "import json, random\n"
            "from articles.models import Article, Source, Topic\n"
            "ids = list(Article.objects.published().values_list('pk', flat=True))\n"
            f"chosen = random.Random(7).sample(ids, min({tail}, len(ids)))\n"
            "a = [x.get_absolute_url() for x in Article.objects.filter(pk__in=chosen)"
            ".only('slug', 'published_at')]\n"
            "s = [x.get_absolute_url() for x in Source.objects.all()]\n"
            "t = [x.get_absolute_url() for x in Topic.objects.all()]\n"
            "print(json.dumps([a, s, t]))\n"
        )
        articles, sources, topics = json.loads(
            self.manage("shell", "-c", code).strip().splitlines()[-1]
        )
        rng = random.Random(5)
        self.tail = articles
        self.hot_article = articles[0]
        mix = list(articles)  # every article once, and a few read much more
        mix += [articles[0]] * (len(articles) // 20) + articles[1:20] * (len(articles) // 200)
        listings = ["/", "/sources/", "/topics/", "/archive/", "/feed/atom/", "/sitemap.xml"]
        mix += listings * (len(articles) // 100)
        mix += [
            f"{p}?page={rng.randint(1, 20)}"
            for p in rng.choices(sources + topics, k=len(articles) // 10)
        ]
        self.mix = mix

    def app(self, extra=None):
        return _App(self, {**self.env(), **(extra or {})})

    def env(self):
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ARCHIVE_ENVIRONMENT"}}
        env.update(
            SECRET_KEY="load-test-only-" + "k" * 40,
            DATABASE_URL=self.database_url(),
            DATABASE_REPLICA_URLS=self.database_url("replica"),
            DATABASE_STATEMENT_TIMEOUT="5s",
            REDIS_URL=f"redis://127.0.0.1:{PORTS['redis']}/0",
            HTTP_CACHE_PURGE_URLS=f"http://127.0.0.1:{PORTS['varnish']}/",
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            STATIC_ROOT=str(self.work / "static"),
            ARCHIVE_LOCAL_SETTINGS="/nonexistent",
        )
        return env

    def manage(self, *args, replicas=True):
        env = {**self.env(), "ARCHIVE_DEVTOOLS": "1"}
        env.pop("DATABASE_STATEMENT_TIMEOUT")  # the web's, not a fill's
        if not replicas:
            env.pop("DATABASE_REPLICA_URLS")
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise CommandError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout


class _App:
    """gunicorn with the repository's configuration, stopped on leaving."""

    def __init__(self, command, env):
        self.command = command
        self.env = {**env, "WEB_BIND": f"127.0.0.1:{PORTS['app']}", "WEB_ACCESS_LOG": "/dev/null"}

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "archive/gunicorn_config.py", "archive.wsgi"],
            cwd=self.command.root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.command.work / "gunicorn.log", "a"),
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORTS['app']}/ping", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise CommandError("gunicorn did not start; see var/loadtest/gunicorn.log")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)


def _rate(result) -> float:
    """Answers per second that were answers (a 404 for a page number past the last one is an
    answer; a 503, a refused connection or a timeout is not)."""
    return sum(ok for _, ok, _ in result["timeline"]) / result["seconds"]


def _row(name, result) -> str:
    errors = sum(bad for _, _, bad in result["timeline"])
    errors += result["socket_errors"] + result["timeouts"]
    return (
        f"| {name} | {_rate(result):,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
        f"{result['max']:.0f} | {errors:,} |"
    )
