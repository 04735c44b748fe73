"""Settings for the test suite (pytest's ``DJANGO_SETTINGS_MODULE``): the project's settings
in their "test" environment, said explicitly: a throwaway key, plain HTTP, no local file."""

import os
import tempfile

os.environ["ARCHIVE_ENVIRONMENT"] = "test"

from archive.settings import *  # noqa: E402, F403

# Uploaded images go to a throwaway folder, never to var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="archive-test-media-")
