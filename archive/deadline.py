"""A request waits on its databases for a bounded time, whatever the database does.

A server that has stopped answering without closing its connections (a stuck disk, a lock
storm, a process stopped with SIGSTOP, a host gone from the network) cannot enforce its own
``statement_timeout``, and the kernel still acknowledges what is sent to it, so neither the
server nor TCP ends the wait. The deadline is therefore kept on the client's side: each request
gets one (``articles.readers.serving.DatabaseDeadlineMiddleware``: ``DATABASE_READER_DEADLINE``
seconds for an anonymous reader, default 2.5; ``DATABASE_REQUEST_DEADLINE`` for everyone else,
default 30: an editor's import may take a while), and a watchdog thread, once per process,
looks every ``TICK`` seconds for requests past theirs. A connection of such a request that is
waiting on the server is cut (its socket shut down), which ends the wait at once with an
``OperationalError``: the reader gets the "back soon" page with ``503`` and ``Retry-After``
(``archive.middleware``), or, for a replica, the request reads from the primary
(``archive.routers``). A connection that is not waiting is left alone, so a request past its
deadline but no longer waiting (rendering, say) is not harmed.

A new connection is bounded by ``connect_timeout`` (``archive.database``); so a reader waits at
most the deadline plus the connect timeout (2.5 + 2 s by default) for a hung server; one that
gives up on a hung replica has its deadline restarted for the primary (``restart``).
"""

import contextvars
import os
import socket
import threading
import time

from django.db import connections
from psycopg.pq import TransactionStatus

TICK = 0.1


class _Watch:
    __slots__ = ("deadline", "request", "seconds", "wrappers")

    def __init__(self, seconds, request, wrappers):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.request = request
        self.wrappers = wrappers


_current: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar("deadline", default=None)


def restart() -> None:
    """A new deadline for the current request, from now: a request that gave up on a hung
    replica goes on with the primary (``archive.routers``), which gets its own time."""
    watch = _current.get()
    if watch is not None:
        watch.deadline = time.monotonic() + watch.seconds


class Watchdog:
    """The requests in progress in this process, and a thread that cuts the database waits of
    those past their deadline."""

    def __init__(self):
        self._watches: dict[int, _Watch] = {}
        self._lock = threading.Lock()
        self._thread = None
        self._pid = None

    def watch(self, request, seconds: float) -> int:
        # This thread's connection wrappers (Django keeps one per alias per thread); made now,
        # connected or not, so that the watchdog can see a connection made later.
        wrappers = [connections[alias] for alias in connections.settings]
        watch = _Watch(seconds, request, wrappers)
        _current.set(watch)
        key = id(watch)
        with self._lock:
            self._watches[key] = watch
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker starts its own thread
                self._thread = threading.Thread(target=self._run, name="db-deadline", daemon=True)
                self._thread.start()
        return key

    def forget(self, key: int) -> None:
        _current.set(None)
        with self._lock:
            self._watches.pop(key, None)

    def _run(self):
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                late = [w for w in self._watches.values() if w.deadline <= now]
            for watch in late:
                watch.request.database_deadline_passed = True  # before the waiting thread wakes
                for wrapper in watch.wrappers:
                    cut_if_waiting(wrapper)


def cut_if_waiting(wrapper) -> bool:
    """Shut down the socket of ``wrapper``'s connection if a statement is in progress on it;
    True if it was. The waiting thread's libpq then reads the end of the connection and
    raises; Django closes the broken connection at the end of the request."""
    connection = wrapper.connection
    if connection is None:
        return False
    try:
        pgconn = connection.pgconn
        if pgconn.transaction_status != TransactionStatus.ACTIVE:
            return False
        # A duplicate of the descriptor: shutting it down ends the connection's socket
        # itself, and closing it leaves the original descriptor to its owner.
        with socket.fromfd(pgconn.socket, socket.AF_INET, socket.SOCK_STREAM) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)
    except Exception:  # closed meanwhile by its own thread: nothing to cut
        return False
    return True


watchdog = Watchdog()
