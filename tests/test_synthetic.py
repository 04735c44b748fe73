"""The benchmark data makers produce what the benchmarks assume."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article, Thread

pytestmark = pytest.mark.django_db


def test_fill_synthetic_adds_searchable_articles(client):
    call_command("fill_synthetic", "400", "--batch", "100", stdout=StringIO())
    assert Article.objects.count() == 400
    assert Article.objects.published().count() >= 380
    article = Article.objects.published().first()
    word = next(w for w in article.body.lower().split() if len(w) > 6 and w.isalpha())
    assert Article.objects.filter(search_vector=word).exists()
    assert article.topics.exists() and article.translators.exists()


def test_synthetic_articles_have_images_stories_and_glossary_terms(client):
    """As the benchmark needs: the shares the module says, shown as saved articles are."""
    call_command("fill_synthetic", "400", "--batch", "200", stdout=StringIO())
    published = Article.objects.published()
    assert 100 < published.filter(lead_image__isnull=False).count() < 220  # 40%
    assert 15 < published.exclude(body_images=[]).count() < 70  # 10%
    assert 40 < published.filter(thread__isnull=False).count() < 130  # 20%
    assert Thread.objects.count() == 2
    assert published.exclude(glossary_terms=[]).exists()
    pictured = published.exclude(body_images=[]).filter(lead_image__isnull=False).first()
    html = client.get(pictured.get_absolute_url()).content.decode()
    assert html.count("<figure") == 2 and "srcset" in html
    assert client.get(f"{settings.MEDIA_URL}{pictured.lead_image.file.name}").status_code == 200
    assert 'class="card-image"' in client.get("/").content.decode()


def test_generated_text_articles_import_with_their_credits(tmp_path):
    from articles.devtools.management.commands.generate_text_articles import write_articles
    from articles.importing.files import import_file

    write_articles(tmp_path, 5)
    outcomes = [import_file(path) for path in sorted(tmp_path.iterdir())]
    assert {o.result for o in outcomes} == {"imported"}
    assert all(a.source_id and a.original_published_on for a in Article.objects.all())
