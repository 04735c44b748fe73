"""What ``/healthz`` reports: the primary database, each replica and the shared cache, each
checked with a fresh connection that gives up after ``TIMEOUT`` seconds (a database that
hangs, not only one that refuses, is reported as such within a second)."""

import asyncio

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connections

TIMEOUT = 1.0


def run() -> dict:
    databases = asyncio.run(_check_databases())
    primary = databases.pop("default")
    cache_state = _check_cache()
    degraded = any(state != "ok" for state in databases.values()) or cache_state != "ok"
    status = "error" if primary != "ok" else ("degraded" if degraded else "ok")
    report = {"status": status, "database": primary}
    if databases:
        report["replicas"] = databases
    report["cache"] = cache_state
    return report


async def _check_databases() -> dict:
    aliases = list(connections.settings)
    results = await asyncio.gather(*(_check(connections.settings[a]) for a in aliases))
    return dict(zip(aliases, results, strict=True))


async def _check(database: dict) -> str:
    params = {
        "dbname": database.get("NAME"),
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "connect_timeout": max(1, int(TIMEOUT)),
    }
    try:
        async with asyncio.timeout(TIMEOUT):
            connection = await psycopg.AsyncConnection.connect(
                **{k: v for k, v in params.items() if v is not None}, autocommit=True
            )
            async with connection:
                await connection.execute("SELECT 1")
    except TimeoutError:
        return f"timeout: no answer within {TIMEOUT:g} s"
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"unavailable: {first}"
    return "ok"


def _check_cache() -> str:
    if not settings.REDIS_URL:
        return "ok"  # local memory: nothing to reach
    cache.set("healthz", "ok", 10)
    available = getattr(cache, "available", True)
    return "ok" if available and cache.get("healthz") == "ok" else "unavailable"
