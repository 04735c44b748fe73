"""The WSGI entry point (``gunicorn -c archive/gunicorn_config.py archive.wsgi``).

The web server gives every SQL statement at most ``DATABASE_STATEMENT_TIMEOUT`` (5 s unless
set): a reader's page never waits longer on a stuck database. Management commands (imports,
migrations) do not come through here and run without that limit.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "5s")
application = get_wsgi_application()
