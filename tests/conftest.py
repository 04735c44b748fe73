from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from articles import roles, search

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILE = SEEDS / "000_b0138dc3623c1b13.txt"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached counts must not leak from one test into the next; nor the search's words'
    statistics and common words (which a test's database forgets, as no archive does)."""
    cache.clear()
    search._statistics.clear()
    yield
    cache.clear()
    search._statistics.clear()


@pytest.fixture
def seed_file():
    return SEED_FILE


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-12345!")
    client.force_login(user)
    return client


def _member(django_user_model, username, role):
    if not Group.objects.filter(name=role).exists():  # a transactional test flushed them
        from django.apps import apps

        roles.create_roles(apps)
    user = django_user_model.objects.create_user(username, password="pw-12345!", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def translator(django_user_model):
    return _member(django_user_model, "tina", roles.TRANSLATOR)


@pytest.fixture
def other_translator(django_user_model):
    return _member(django_user_model, "otto", roles.TRANSLATOR)


@pytest.fixture
def editor(django_user_model):
    return _member(django_user_model, "edna", roles.EDITOR)


@pytest.fixture
def translator_client(translator):
    client = Client()
    client.force_login(translator)
    return client


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client
