from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from articles import roles
from articles.search import plan

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILE = SEEDS / "000_b0138dc3623c1b13.txt"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as its migrations leave it, with the editorial roles: a reused
    database (``--reuse-db``) may come from a run whose transactional tests flushed them."""
    from django.apps import apps

    with django_db_blocker.unblock():
        roles.create_roles(apps)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached counts must not leak from one test into the next; nor the search's words'
    statistics and common words (which a test's database forgets, as no archive does)."""
    cache.clear()
    plan._statistics.clear()
    yield
    cache.clear()
    plan._statistics.clear()


@pytest.fixture
def seed_file():
    return SEED_FILE


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-12345!")
    client.force_login(user)
    return client


def _member(django_user_model, username, role):
    if not Group.objects.filter(name=role).exists():  # a transactional test just flushed them
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


@pytest.fixture
def time_comes(monkeypatch):
    """Make a scheduled article's time come, as the clock would, without waiting (a test
    waiting on the real clock fails on a loaded machine): the database's clock is the one
    that publishes (``Article.objects.published``), so the article's time moves just into
    the past, written as no save would write it (nobody touches anything); and the cache's
    clock (``caching``: when the next scheduled time comes) moves past the time it had."""
    from types import SimpleNamespace

    from django.utils import timezone

    from articles.models import Article
    from articles.readers import caching

    def come(article):
        scheduled = Article.objects.get(pk=article.pk).published_at
        Article.objects.filter(pk=article.pk).update(
            published_at=timezone.now() - timezone.timedelta(seconds=1)
        )
        later = scheduled.timestamp() + 1
        monkeypatch.setattr(caching, "time", SimpleNamespace(time=lambda: later))

    return come
