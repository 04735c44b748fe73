"""Readers' queries go to the read replicas; everything else to the primary.

``articles.readers.serving.ReplicaMiddleware`` decides per request: an anonymous reader's GET or
HEAD reads from a replica; a signed-in person (an editor must see their save at once), any
write, the admin, management commands and tests read from the primary. The choice is kept in
a context variable, so it follows the request and nothing else.

A replica that cannot be reached is left out for ``RETRY_SECONDS``: readers then read from the
primary, never get a 500. A kept connection is checked (Django's ``SELECT 1``) at a request's
first read, unless it served a request in the last ``TRUSTED_SECONDS``: under load that
saves a round trip on every page. A connection that breaks off all the same is dealt with
as a failed check would have been (``ReplicaChoice.recover``, from ``ReplicaMiddleware``): a
replica that cannot be reached again (stopped, or hung and cut at the request's deadline,
``archive.deadline``) is set aside and the request is answered again from the primary.
"""

import contextvars
import itertools
import threading
import time

from django.db import DatabaseError, connections

from archive import deadline

RETRY_SECONDS = 10.0
TRUSTED_SECONDS = 5.0

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
    its kept connection checked (Django's health check, once per request; not for one that
    served a request in the last ``TRUSTED_SECONDS``) or a new one made. One that cannot be
    reached is set aside, and the request reads from the primary."""

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
                    if _trusted(connection):
                        connection.health_check_done = True
                    connection.close_if_health_check_failed()
                    connection.ensure_connection()
                    self.alias = alias
                except DatabaseError:
                    self.give_up(alias)
        return self.alias or "default"

    def broke_off(self) -> bool:
        """Whether the replica's connection broke during the request (the server gone, or cut
        at the deadline); not a statement that failed on a working connection, such as one
        past its ``statement_timeout``: the primary would do no better."""
        if self.alias is None:
            return False
        raw = connections[self.alias].connection
        return raw is None or raw.closed or raw.broken

    def recover(self, cut_at_deadline: bool) -> bool:
        """After the replica's connection broke off, what a failed check would have found:
        a replica that cannot be connected to again (stopped, hung) is set aside and the
        request is answered again from the primary; one that can (it had ended the
        connection: a restart, a conflict with recovery) answers the request again itself,
        unless the request was cut at its deadline: a statement too slow for a working
        replica would be as slow on the primary. True if the request is to be answered
        again."""
        connection = connections[self.alias]
        connection.close()
        try:
            connection.ensure_connection()
        except DatabaseError:
            self.give_up()
            return True
        if cut_at_deadline:
            return False
        deadline.restart()
        return True

    def give_up(self, alias=None) -> None:
        """Set the replica aside; the request reads from the primary, with a deadline of its
        own."""
        alias = alias or self.alias
        mark_down(alias)
        connections[alias].close()
        self.alias = None
        deadline.restart()

    def served(self) -> None:
        """The request was answered with the replica's connection working: it is trusted for
        ``TRUSTED_SECONDS``."""
        if self.alias is not None:
            connections[self.alias].served_at = time.monotonic()


def _trusted(connection) -> bool:
    served_at = getattr(connection, "served_at", None)
    return (
        connection.connection is not None
        and served_at is not None
        and time.monotonic() - served_at < TRUSTED_SECONDS
    )


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
