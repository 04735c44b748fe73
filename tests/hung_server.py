"""A PostgreSQL server of a test's own (pgserver, in a temporary folder) that the test can
stop with SIGSTOP, as a stuck disk or a lock storm looks from outside: its connections stay
open and the kernel still acknowledges what is sent, but nothing answers. The suite's own
servers are never stopped."""

import signal
import threading
from contextlib import contextmanager

import pgserver
import psutil

from archive.database import KEEPALIVES


class HungServer:
    def __init__(self, folder):
        self.server = pgserver.get_server(folder, cleanup_mode="stop")

    def settings(self, base: dict, connect_timeout: int = 2) -> dict:
        """Database settings for this server, as the project makes them for a server
        (``archive.database``), kept between requests and checked before reuse."""
        info = self.server.get_postmaster_info()
        return {
            **base,
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": str(info.socket_dir),
            "PORT": str(info.port),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {**KEEPALIVES, "connect_timeout": connect_timeout},
        }

    @contextmanager
    def stopped(self, at_most: float = 15.0):
        """Every process of the server stopped until the block ends, and for ``at_most``
        seconds whatever happens: a test that would wait for ever fails instead."""
        postmaster = psutil.Process(self.server.get_postmaster_info().pid)
        processes = [postmaster, *postmaster.children(recursive=True)]

        def resume():
            for process in processes:
                try:
                    process.send_signal(signal.SIGCONT)
                except psutil.NoSuchProcess:
                    pass

        for process in processes:
            process.send_signal(signal.SIGSTOP)
        safety = threading.Timer(at_most, resume)
        safety.start()
        try:
            yield
        finally:
            safety.cancel()
            resume()

    def close(self):
        self.server.cleanup()
