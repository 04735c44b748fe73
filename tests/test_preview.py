"""Previews: staff at the article's address, reviewers through share links, editors beside
the body field."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import PreviewLink
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def create_link(client, article):
    url = reverse("admin:articles_article_preview_link_create", args=[article.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    return article.preview_links.get()


def test_editor_sees_a_draft_as_it_will_appear(editor_client):
    draft = ArticleFactory(draft=True, headline="Draft headline", dek="Its dek.")
    html = editor_client.get(draft.get_absolute_url()).content.decode()
    assert "Draft headline" in html and "Its dek." in html
    assert "Draft: readers cannot see this article." in html


def test_share_link_lets_a_reviewer_without_account_read_the_draft(editor_client, editor):
    draft = ArticleFactory(draft=True, headline="Secret draft")
    link = create_link(editor_client, draft)
    assert link.created_by == editor and len(link.token) >= 40
    reviewer = Client()
    response = reviewer.get(link.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret draft" in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert 'rel="canonical"' not in html
    # the draft itself stays hidden at its address
    assert reviewer.get(draft.get_absolute_url()).status_code == 404


def test_share_link_is_listed_on_the_change_page(editor_client):
    draft = ArticleFactory(draft=True)
    link = create_link(editor_client, draft)
    html = editor_client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assert link.get_absolute_url() in html.content.decode()


def test_revoked_and_expired_links_are_404(editor_client):
    draft = ArticleFactory(draft=True)
    link = create_link(editor_client, draft)
    revoke = reverse("admin:articles_article_preview_link_revoke", args=[draft.pk, link.pk])
    editor_client.post(revoke)
    assert Client().get(link.get_absolute_url()).status_code == 404
    expired = PreviewLink.objects.create(
        article=draft, expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert Client().get(expired.get_absolute_url()).status_code == 404


def test_guessed_tokens_are_404():
    ArticleFactory(draft=True)
    assert Client().get("/preview/not-a-real-token/").status_code == 404
    assert Client().get("/preview/" + "A" * 43 + "/").status_code == 404


def test_translator_can_share_their_own_draft(translator_client, translator):
    draft = ArticleFactory(draft=True, created_by=translator)
    link = create_link(translator_client, draft)
    assert Client().get(link.get_absolute_url()).status_code == 200


def test_live_markdown_preview_is_sanitized(editor_client):
    url = reverse("admin:articles_article_markdown_preview")
    response = editor_client.post(
        url, {"body": "## Sub\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1))"}
    )
    html = response.json()["html"]
    assert "<h2>Sub</h2>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_live_markdown_preview_needs_staff():
    url = reverse("admin:articles_article_markdown_preview")
    response = Client().post(url, {"body": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_change_form_loads_the_preview_script(editor_client):
    html = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert "articles/admin/workspace.js" in html
