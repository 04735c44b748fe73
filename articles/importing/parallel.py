"""Run the CPU-heavy half of an import (parsing, converting, rendering Markdown) in worker
processes while this process writes to the database, with bounded memory.

``multiprocessing.Pool.imap`` reads its whole input ahead and keeps every finished result
until it is consumed; with a database slower than the workers, a 50,000-post export would end
up in memory. :func:`ordered_map` keeps at most ``inflight`` chunks of work submitted, and
yields results in input order.
"""

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import connections

CHUNK = 50  # items a worker handles per task
INFLIGHT = 24  # chunks submitted ahead: about two write batches of work


def _run_chunk(function, items):
    return [function(item) for item in items]


def ordered_map(
    function: Callable,
    items: Iterable,
    workers: int,
    initializer: Callable | None = None,
    initargs: tuple = (),
    chunk: int = CHUNK,
    inflight: int = INFLIGHT,
) -> Iterator:
    """``map(function, items)``, in ``workers`` processes when there are more than one."""
    if workers <= 1:
        if initializer:
            initializer(*initargs)
        yield from map(function, items)
        return
    connections.close_all()  # a forked worker must never share a database connection
    context = multiprocessing.get_context("fork")
    iterator = iter(items)
    with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        pending: deque = deque()

        def submit() -> bool:
            batch = list(islice(iterator, chunk))
            if batch:
                pending.append(pool.apply_async(_run_chunk, (function, batch)))
            return bool(batch)

        while len(pending) < inflight and submit():
            pass
        while pending:
            results = pending.popleft().get()
            submit()
            yield from results
