"""The translation workspace's server side, through the real admin views: the article form
it grows from, the suggestions it asks for, the concordance, and who may see what."""

import json
import re

import pytest
from django.urls import reverse

from articles.models import Article, GlossaryTerm
from tests.factories import ArticleFactory, SourceFactory
from tests.test_memory import BODY, ORIGINAL, translated

pytestmark = pytest.mark.django_db

MEMORY_URL = reverse("admin:articles_article_translation_memory")
CONCORDANCE_URL = reverse("admin:articles_article_concordance")


def config_of(response) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="editor-config" type="application/json">(.*?)</script>', html)
    return json.loads(found[1])


def test_the_form_is_the_workspace_headline_and_credits_first_the_whole_window(
    translator_client, translator
):
    GlossaryTerm.objects.create(
        term="CNTE", slug="cnte", explanation="A union.", original_forms="CNTE", rendering="CNTE"
    )
    GlossaryTerm.objects.create(term="Ejido", slug="ejido", explanation="Common land.")
    article = translated(created_by=translator, status=Article.Status.DRAFT)
    response = translator_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = response.content.decode()
    assert 'id="nav-sidebar"' not in html  # its 40-odd links came before the headline
    names = re.findall(r'<(?:input|textarea|select)[^>]* name="([a-z_]+)"', html)
    fields = [name for name in names if name[0] != "_" and name != "csrfmiddlewaretoken"]
    assert fields[:4] == ["headline", "dek", "authors", "translators"]
    assert fields.index("original_body") < fields.index("body")  # the original on the left
    assert "articles/admin/workspace.js" in html and "articles/admin/workspace.css" in html
    config = config_of(response)
    assert config["memoryUrl"] == MEMORY_URL and config["article"] == str(article.pk)
    assert config["terms"] == [{"slug": "cnte", "forms": ["CNTE"], "rendering": "CNTE"}]


def test_suggestions_come_as_json_from_published_translations_only(
    translator_client, translator, other_translator
):
    published = translated()
    translated(status=Article.Status.DRAFT, created_by=other_translator, body=BODY.upper())
    mine = translated(created_by=translator, status=Article.Status.DRAFT)
    paragraph = ORIGINAL.split("\n\n")[1]
    response = translator_client.post(
        MEMORY_URL, {"paragraph": paragraph, "language": "es", "article": str(mine.pk)}
    )
    found = response.json()
    assert found["config"] == "spanish" and not found["word_for_word"]
    assert [s["translation"] for s in found["suggestions"]] == [BODY.split("\n\n")[1]]
    (suggestion,) = found["suggestions"]
    assert suggestion["share"] == 100 and suggestion["paragraph"] == 2
    assert suggestion["url"] == published.get_absolute_url()
    unknown = translator_client.post(MEMORY_URL, {"paragraph": "Tlamatinime", "language": "nah"})
    assert unknown.json() == {"config": "simple", "word_for_word": True, "suggestions": []}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"paragraph": "x" * 100_000, "language": "es"},
        {"paragraph": "' OR 1=1; --", "language": "es'; DROP TABLE x; --"},
        {"paragraph": "hola", "article": "99999999999999999999999"},
        {"paragraph": "\x00\x07 hola", "article": "²"},
    ],
)
def test_odd_requests_for_suggestions_are_answered_not_500(translator_client, data):
    translated()
    response = translator_client.post(MEMORY_URL, data)
    assert response.status_code == 200 and isinstance(response.json()["suggestions"], list)


def test_only_people_who_write_articles_ask_for_suggestions(client, django_user_model):
    assert client.post(MEMORY_URL, {"paragraph": "hola"}).status_code == 302  # to log in
    reader = django_user_model.objects.create_user("reader", password="pw-12345!", is_staff=True)
    client.force_login(reader)
    assert client.post(MEMORY_URL, {"paragraph": "hola"}).status_code == 403
    assert client.get(CONCORDANCE_URL, {"q": "salarios"}).status_code == 403
    assert client.get(MEMORY_URL).status_code == 405


def test_the_concordance_shows_each_hit_beside_its_other_half(translator_client):
    source = SourceFactory(name="La Jornada", slug="la-jornada")
    article = translated(source=source)
    translated(status=Article.Status.DRAFT, original="Salarios caídos de un borrador secreto.")
    page = translator_client.get(CONCORDANCE_URL, {"q": "salarios caídos"}).content.decode()
    assert "<mark>salarios</mark> <mark>caídos</mark>" in page
    assert "They demanded the reinstatement" in page  # its translation beside it
    assert article.get_absolute_url() in page and "paragraph 2" in page
    assert "borrador secreto" not in page
    english = translator_client.get(CONCORDANCE_URL, {"q": "lost wages", "side": "translation"})
    assert "<mark>lost</mark> <mark>wages</mark>" in english.content.decode()
    filtered = translator_client.get(
        CONCORDANCE_URL, {"q": "salarios", "source": SourceFactory(slug="other").pk}
    ).content.decode()
    assert "No published paragraph holds “salarios” with these filters" in filtered


@pytest.mark.parametrize(
    "query",
    [
        {"q": "salarios", "page": "abc"},
        {"q": "salarios", "year": "99999"},
        {"q": "salarios", "source": "x"},
        {"q": "salarios", "side": "both"},
        {"q": "salarios", "page": "51"},
        {"q": "x" * 500},
        {"q": "\x00"},
    ],
)
def test_odd_concordance_queries_are_told_not_500(translator_client, query):
    translated()
    response = translator_client.get(CONCORDANCE_URL, query)
    assert response.status_code in (200, 400)


def test_the_desk_lists_articles_in_review_whose_renderings_need_checking(
    editor_client, translator_client
):
    GlossaryTerm.objects.create(
        term="CNTE",
        slug="cnte",
        explanation="A union.",
        original_forms="Coordinadora",
        rendering="CNTE",
    )
    flagged = translated(status=Article.Status.REVIEW, headline="Teachers march again")
    translated(status=Article.Status.REVIEW, body=BODY.replace("Coordinadora", "CNTE"))
    ArticleFactory(status=Article.Status.REVIEW, headline="No original here")
    desk = editor_client.get(reverse("admin:index")).content.decode()
    panel = desk.split('id="desk-renderings"')[1].split("</section>")[0]
    assert "Teachers march again" in panel and "¶1: “Coordinadora” not rendered “CNTE”" in panel
    assert "No original here" not in panel and panel.count("<li>") == 1
    assert reverse("admin:articles_article_change", args=[flagged.pk]) in panel
    mine = translator_client.get(reverse("admin:index")).content.decode()
    assert 'id="desk-concordance"' in mine and 'id="desk-renderings"' not in mine
