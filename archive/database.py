"""Where the database lives.

With ``DATABASE_URL`` set, that server is used (production, CI). Without it, an embedded
PostgreSQL (the ``pgserver`` package) is started with its data under ``var/pgdata``, so a
newcomer needs nothing but Python. The embedded server listens on a Unix socket only and is
stopped when the last process that uses it exits. ``EMBEDDED_DATABASE`` names the database in
it (default "archive"; the benchmark uses "archive_bench").

A server's connections are kept for ``DATABASE_CONN_MAX_AGE`` seconds (default 60) and
checked before reuse; connecting gives up after ``DATABASE_CONNECT_TIMEOUT`` seconds (default
2, libpq's least), and a statement after ``DATABASE_STATEMENT_TIMEOUT`` (e.g. "5s"; the web server's
configuration sets it, management commands such as imports run without one), so a database
that stops answering makes requests fail fast instead of hanging; a server that cannot enforce
its timeout because it is hung is cut off at the request's deadline (``archive.deadline``).

PostgreSQL's JIT compilation is off for our connections (``SESSION_OPTIONS``): it spends
10–15 ms compiling any plan it prices above a threshold, and it prices the search's plans
that read a few hundred articles newest-first (``articles.search``) as if they read
thousands; no query of this site runs long enough to gain from compiling it.

``DATABASE_REPLICA_URLS`` (comma-separated) adds read replicas, ``replica_0``,
``replica_1``… (see ``archive.routers``). In tests they mirror the primary.
"""

import os
import warnings
from pathlib import Path

import dj_database_url

SESSION_OPTIONS = "-c jit=off"
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 2,
    "tcp_user_timeout": 10000,
}


def database_settings(base_dir: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return _server(url)
    return _embedded_database(base_dir / "var")


def replica_settings() -> dict[str, dict]:
    """``{"replica_0": {...}, ...}`` from ``DATABASE_REPLICA_URLS``."""
    urls = [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",")]
    replicas = {}
    for number, url in enumerate(u for u in urls if u):
        replica = _server(url)
        replica["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = replica
    return replicas


def _server(url: str) -> dict:
    settings = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    options = settings.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "2")))
    # A server whose host is gone from the network: a kept connection is found dead by TCP
    # within ~20 s idle, or 10 s after a send goes unacknowledged (ignored on Unix sockets).
    # A server that is there but does not answer is the request deadline's (archive.deadline).
    for name, value in KEEPALIVES.items():
        options.setdefault(name, value)
    options["options"] = SESSION_OPTIONS
    statement_timeout = os.environ.get("DATABASE_STATEMENT_TIMEOUT", "").strip()
    if statement_timeout:
        options["options"] += f" -c statement_timeout={statement_timeout}"
    return settings


def _embedded_database(var_dir: Path) -> dict:
    # pgserver keeps its lock file in the user's runtime dir; without XDG_RUNTIME_DIR it warns
    # on every start and falls back to /tmp, which is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver
    import psycopg
    import psycopg.sql

    var_dir.mkdir(exist_ok=True)
    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode="stop")
    info = server.get_postmaster_info()
    name = os.environ.get("EMBEDDED_DATABASE", "archive")
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
        "OPTIONS": {"options": SESSION_OPTIONS},
    }
