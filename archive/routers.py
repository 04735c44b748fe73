"""Readers' queries go to the read replicas; everything else to the primary.

``articles.readers.serving.ReplicaMiddleware`` decides per request: an anonymous reader's GET or
HEAD reads from a replica; a signed-in person (an editor must see their save at once), any
write, the admin, management commands and tests read from the primary. The choice is kept in
a context variable, so it follows the request and nothing else.

A replica that cannot be reached is left out for ``RETRY_SECONDS`` (its connection is checked
at the request's first read): readers then read from the primary, never get a 500.
"""

import contextvars
import itertools
import threading
import time

from django.db import DatabaseError, connections

from archive import deadline

RETRY_SECONDS = 10.0

reading_from: contextvars.ContextVar["ReplicaChoice | None"] = contextvars.ContextVar(
    "reading_from", default=None
)
_down_until: dict[str, float] = {}
_lock = threading.Lock()
_turn = itertools.count()


def replicas() -> list[str]:
    return [alias for alias in connections.settings if alias.startswith("replica_")]


def available_replicas() -> list[str]:
    now = time.monotonic()
    return [alias for alias in replicas() if _down_until.get(alias, 0.0) <= now]


def next_replica() -> str | None:
    """A replica that is up, in turn; None when there is none."""
    candidates = available_replicas()
    if not candidates:
        return None
    return candidates[next(_turn) % len(candidates)]


def mark_down(alias: str) -> None:
    with _lock:
        _down_until[alias] = time.monotonic() + RETRY_SECONDS


def mark_up(alias: str) -> None:
    with _lock:
        _down_until.pop(alias, None)


class ReplicaChoice:
    """The replica one request reads from, chosen at its first read: a replica that is up,
    its kept connection checked (Django's health check, once per request) or a new one
    made. One that cannot be reached is set aside, and the request reads from the primary."""

    def __init__(self):
        self.alias = None
        self.chosen = False

    def resolve(self) -> str:
        if not self.chosen:
            self.chosen = True
            alias = next_replica()
            if alias is not None:
                connection = connections[alias]
                try:
                    connection.close_if_health_check_failed()
                    connection.ensure_connection()
                    self.alias = alias
                except DatabaseError:
                    mark_down(alias)
                    connection.close()
                    deadline.restart()  # the primary gets its own time
        return self.alias or "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        choice = reading_from.get()
        return choice.resolve() if choice is not None else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
