"""What a process of the test's own (a worker, a command) needs to reach the test database:
its address as ``DATABASE_URL``, a TCP server's or the embedded server's Unix socket (never
the embedded server itself: a process that started it would stop it on the way out)."""

from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # the embedded server's socket folder
        host = quote(host, safe="")
    return f"postgres://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"
