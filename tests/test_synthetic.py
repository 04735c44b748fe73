"""The benchmark data makers produce what the benchmarks assume."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_fill_synthetic_adds_searchable_articles():
    call_command("fill_synthetic", "30", "--batch", "10", stdout=StringIO())
    assert Article.objects.count() == 30
    assert Article.objects.published().count() >= 25
    article = Article.objects.published().first()
    word = article.body.split()[0].lower()
    assert Article.objects.filter(search_vector=word).exists()
    assert article.topics.exists() and article.translators.exists()


def test_generated_text_articles_import_with_their_credits(tmp_path):
    from articles.importing import import_file
    from articles.management.commands.generate_text_articles import write_articles

    write_articles(tmp_path, 5)
    outcomes = [import_file(path) for path in sorted(tmp_path.iterdir())]
    assert {o.result for o in outcomes} == {"imported"}
    assert all(a.source_id and a.original_published_on for a in Article.objects.all())
