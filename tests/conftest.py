from pathlib import Path

import pytest
from django.core.cache import cache

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILE = SEEDS / "000_b0138dc3623c1b13.txt"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached counts must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_file():
    return SEED_FILE


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-12345!")
    client.force_login(user)
    return client
