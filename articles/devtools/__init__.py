"""Tools for developing and measuring the archive, never installed in production (see
``ARCHIVE_DEVTOOLS`` in ``archive/settings.py``): synthetic archives, benchmarks, the load
test, the page-weight measure and the local admin account of ``make run``."""
