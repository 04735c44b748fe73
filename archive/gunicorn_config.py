"""The production web server: ``gunicorn -c archive/gunicorn_config.py archive.wsgi``.

Each setting can be changed from the environment (names in the comments). The defaults suit
one machine of a few cores behind a proxy or CDN that terminates HTTPS.
"""

import multiprocessing
import os

# Where to listen (WEB_BIND): the proxy in front connects here.
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# Processes (WEB_WORKERS, default two per core plus one) each with a few threads
# (WEB_THREADS): a thread waiting on the database or the cache does not hold a process.
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# A request that takes longer than this (WEB_TIMEOUT) is abandoned and its worker replaced:
# the last line of defence against a database that hangs (see archive/database.py for the
# connect and statement timeouts that come first).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so a slow leak cannot grow for ever.
max_requests = 20_000
max_requests_jitter = 2_000
# One line per request on standard output: client, request, status, bytes, microseconds.
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus'
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
# Load Django once, before forking: less memory, and a configuration error stops the start.
preload_app = True
# Trust X-Forwarded-* only from the proxy on this machine (FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
