"""Paste import in the admin: the same parser as import_articles."""

import pytest
from django.urls import reverse

from articles.models import Article, Source

pytestmark = pytest.mark.django_db

PASTE_URL = reverse("admin:articles_article_paste")


def test_pasting_the_seed_gives_a_complete_draft(editor_client, editor, seed_file):
    text = seed_file.read_text(encoding="utf-8")
    response = editor_client.post(PASTE_URL, {"text": text})
    article = Article.objects.select_related("source").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_change", args=[article.pk])
    assert article.status == "draft" and article.created_by == editor
    assert article.headline.startswith("Mexican Foreign Ministry")
    assert article.source.name == "La Jornada"
    assert article.original_published_on.isoformat() == "2025-11-04"
    assert "<h2>Castillo’s Wife &amp; Children are in our Country</h2>" in article.body_html
    assert article.related_stories.count() == 3
    assert article.revisions.get().note == "Pasted in"
    assert article.import_key is None


def test_pasting_twice_makes_two_drafts(editor_client, seed_file):
    text = seed_file.read_text(encoding="utf-8")
    editor_client.post(PASTE_URL, {"text": text})
    editor_client.post(PASTE_URL, {"text": text})
    assert Article.objects.count() == 2
    assert len(set(Article.objects.values_list("slug", flat=True))) == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("   \n  ", "This field is required."),
        ("Only a headline", "no body"),
        (
            "H\n\nThis article originally appeared in the February 30, 2025 edition of X, y.\n\nB.",
            "impossible date",
        ),
        (
            "H\n\nThis article originally appeared in the May 1, 2025 edition of "
            + "X" * 201
            + ", y.\n\nB.",
            "the source name is 201 characters long (the limit is 200)",
        ),
        (
            "H\n\nB.\n" + "".join(f"\n  • Story {n}\n" for n in range(51)),
            "51 related stories (at most 50",
        ),
    ],
)
def test_bad_paste_says_what_is_wrong_and_writes_nothing(editor_client, text, message):
    response = editor_client.post(PASTE_URL, {"text": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists() and not Source.objects.exists()


def test_paste_page_is_linked_from_the_list(editor_client):
    html = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert PASTE_URL in html


def test_readers_cannot_paste(client):
    assert client.post(PASTE_URL, {"text": "H\n\nB."}).status_code == 302
    assert not Article.objects.exists()


def test_a_translators_paste_never_creates_or_changes_a_source(
    translator_client, translator, seed_file
):
    known = Source.objects.create(name="Proceso", slug="proceso", description="")
    text = seed_file.read_text(encoding="utf-8")
    response = translator_client.post(PASTE_URL, {"text": text}, follow=True)
    article = Article.objects.get()
    assert article.created_by == translator and article.source is None
    assert list(Source.objects.all()) == [known]
    assert "Source “La Jornada” is not in the archive yet" in response.content.decode()
    other = text.replace(
        "La Jornada, Mexico’s premier left wing daily newspaper", "Proceso, a weekly"
    )
    translator_client.post(PASTE_URL, {"text": other})
    known.refresh_from_db()
    assert known.description == ""  # a translator does not fill a source's description
    assert Article.objects.filter(source=known).count() == 1  # but may use a known source


def test_the_change_form_says_which_source_waits_for_an_editor(
    translator_client, editor_client, seed_file
):
    translator_client.post(PASTE_URL, {"text": seed_file.read_text(encoding="utf-8")})
    article = Article.objects.get()
    html = editor_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "The text names the source “La Jornada”, which is not in the archive yet" in html


def test_preview_shows_what_was_understood_and_saves_nothing(editor_client, seed_file):
    text = seed_file.read_text(encoding="utf-8")
    html = editor_client.post(PASTE_URL, {"text": text, "_preview": "Preview"}).content.decode()
    assert "What the importer understood" in html
    assert "<li>source: La Jornada (Mexico’s premier left wing daily newspaper)</li>" in html
    assert "<li>original date: November 4, 2025</li>" in html
    assert "<li>dateline: Lima</li>" in html
    assert "<li>subheadings: Castillo’s Wife &amp; Children are in our Country</li>" in html
    assert "<h2>Castillo’s Wife &amp; Children are in our Country</h2>" in html
    assert not Article.objects.exists() and not Source.objects.exists()


CREDITED = (
    "Miners strike in Sonora\n\nBy Ana Ruiz\n\nThe strike began on Monday.\n\n"
    "Translated by Tomás Reyes\n"
)


def test_a_translators_paste_never_creates_people(translator_client, editor_client):
    from articles.models import Person

    known = Person.objects.create(name="Ana Ruiz", slug="ana-ruiz")
    response = translator_client.post(PASTE_URL, {"text": CREDITED}, follow=True)
    article = Article.objects.get()
    assert list(Person.objects.all()) == [known]
    assert list(article.authors.all()) == [known]  # a known person is credited
    assert not article.translators.exists()
    assert "Translator “Tomás Reyes” is not in the archive yet" in response.content.decode()
    html = editor_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "The text credits “Tomás Reyes”, not in the archive yet" in html


def test_an_editors_paste_creates_the_people_it_credits(editor_client):
    from articles.models import Person

    editor_client.post(PASTE_URL, {"text": CREDITED})
    article = Article.objects.get()
    assert [p.name for p in article.translators.all()] == ["Tomás Reyes"]
    assert [p.name for p in article.authors.all()] == ["Ana Ruiz"]
    assert Person.objects.count() == 2


def test_a_paste_whose_credits_were_not_read_says_to_check_them(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_paste"),
        {"text": "Radio on the Mountain\n\nThe radio broadcasts in three languages.\n"},
        follow=True,
    )
    page = response.content.decode()
    assert "Check the credits before it is published: no source or original date" in page
