"""Every save keeps a version; editors compare two and restore one. Corrections."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.importing.files import import_file
from articles.models import Article, Correction, Revision
from tests.factories import ArticleFactory
from tests.test_admin import ADD_URL, LIST_URL, form_data

pytestmark = pytest.mark.django_db


def versions_url(article):
    return reverse("admin:articles_article_revisions", args=[article.pk])


def test_every_save_keeps_a_version(editor_client, seed_file):
    assert editor_client.post(ADD_URL, form_data(body="First text.")).status_code == 302
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    editor_client.post(change, form_data(body="Second text."))
    editor_client.post(LIST_URL, {"action": "publish", "_selected_action": [article.pk]})
    import_file(seed_file)
    assert [r.note for r in article.revisions.order_by("number")] == [
        "Created",
        "Edited",
        "Published",
    ]
    assert [r.data["body"] for r in article.revisions.order_by("number")][:2] == [
        "First text.",
        "Second text.",
    ]
    imported = Article.objects.get(import_key=seed_file.stem)
    assert imported.revisions.get().note == "Imported"


def test_saving_without_changes_adds_no_version(editor_client):
    editor_client.post(ADD_URL, form_data())
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    editor_client.post(change, form_data())
    assert article.revisions.count() == 1


def test_editor_compares_two_versions(editor_client):
    editor_client.post(ADD_URL, form_data(body="The old sentence.\n\nKept paragraph."))
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    editor_client.post(change, form_data(body="The new sentence.\n\nKept paragraph."))
    response = editor_client.get(versions_url(article), {"a": "1", "b": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Changes from version 1 to version 2" in html
    assert '<div class="del">-The old sentence.</div>' in html
    assert '<div class="add">+The new sentence.</div>' in html
    assert "<h3>Body</h3>" in html and "<h3>Dek</h3>" not in html  # only what changed


def test_editor_restores_a_version(editor_client):
    editor_client.post(ADD_URL, form_data(body="Original body.", dek="Original dek."))
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    editor_client.post(change, form_data(body="Vandalised body.", dek="Bad dek."))
    restore = reverse("admin:articles_article_revision_restore", args=[article.pk, 1])
    response = editor_client.post(restore, follow=True)
    assert "Version 1 restored" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "Original body." and article.dek == "Original dek."
    assert "<p>Original body.</p>" in article.body_html
    newest = article.revisions.first()
    assert newest.number == 3 and newest.note == "Restored version 1"


def test_translator_cannot_restore(translator_client, translator):
    article = ArticleFactory(draft=True, created_by=translator)
    revisions.record(article)
    article.body = "Changed."
    article.save()
    revisions.record(article)
    restore = reverse("admin:articles_article_revision_restore", args=[article.pk, 1])
    assert translator_client.post(restore).status_code == 403
    assert Revision.objects.filter(article=article).count() == 2


# -- Corrections --------------------------------------------------------------------------


def test_correction_is_shown_and_updates_the_dates(editor_client):
    article = ArticleFactory(slug="corrected")
    before = Article.objects.get(pk=article.pk).updated_at
    change = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(
        headline=article.headline,
        slug="corrected",
        body=article.body,
        dek=article.dek,
        status="published",
        published_at_0=timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        published_at_1=timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-published_on": "2025-11-10",
            "corrections-0-text": "An earlier version misspelled the minister's name.",
        },
    )
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Correction.objects.count() == 1
    article.refresh_from_db()
    assert article.updated_at > before

    html = Client().get(article.get_absolute_url()).content.decode()
    assert "Correction (" in html and "November 10, 2025" in html
    # The article's own part is Jinja2's (its escape writes ' as &#39;, Django's as &#x27;).
    assert "An earlier version misspelled the minister&#39;s name." in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["correction"][0]["text"].startswith("An earlier version")
    assert datetime.datetime.fromisoformat(ld["dateModified"]) == article.updated_at

    atom = ET.fromstring(Client().get("/feed/atom/").content)
    entry_updated = atom.find(
        "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}updated"
    )
    # the same instant, whatever the zone it is written in
    assert datetime.datetime.fromisoformat(entry_updated.text) == article.updated_at


def test_correction_added_directly_bumps_updated_at():
    article = ArticleFactory()
    before = article.updated_at
    Correction.objects.create(article=article, text="Fixed a date.")
    article.refresh_from_db()
    assert article.updated_at > before


def _version_then_change(article, **changes):
    revisions.record(article)
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()
    revisions.record(article)


def test_restoring_a_slug_another_article_now_uses_says_so(editor_client):
    article = ArticleFactory(slug="the-first-address")
    _version_then_change(article, slug="a-new-address")
    other = ArticleFactory(slug="taken-later")
    Article.objects.filter(pk=other.pk).update(slug="the-first-address")  # as an old bug did
    restore = reverse("admin:articles_article_revision_restore", args=[article.pk, 1])
    response = editor_client.post(restore, follow=True)
    assert response.status_code == 200
    assert "Version 1 cannot be restored" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "a-new-address"


def test_restoring_a_version_whose_people_and_topics_were_deleted(editor_client):
    from tests.factories import PersonFactory, TopicFactory

    translator, topic = PersonFactory(), TopicFactory()
    article = ArticleFactory(translators=[translator], topics=[topic])
    _version_then_change(article, dek="Changed dek.")
    translator.delete()
    topic.delete()
    restore = reverse("admin:articles_article_revision_restore", args=[article.pk, 1])
    response = editor_client.post(restore, follow=True)
    assert "Version 1 restored" in response.content.decode()
    assert "no longer exist" in response.content.decode()
    article.refresh_from_db()
    assert article.dek != "Changed dek." and not article.translators.exists()


def test_versions_keep_the_story_lead_image_and_notices_and_show_names_and_local_times(
    editor_client, settings
):
    from articles.models import OriginalUpdate, Thread
    from tests.factories import ImageFactory, TopicFactory

    settings.TIME_ZONE = "America/Mexico_City"
    when = datetime.datetime(2025, 3, 1, 18, 30, tzinfo=datetime.UTC)
    article = ArticleFactory(published_at=when)
    first = revisions.record(article)
    article.thread = Thread.objects.create(name="The water story", slug="water")
    article.lead_image = ImageFactory(alt="Farmers at the dam")
    article.published_at = when + datetime.timedelta(hours=1)
    article.save()
    article.topics.add(TopicFactory(name="Water"))
    Correction.objects.create(article=article, text="The dam is in Sonora, not Sinaloa.")
    OriginalUpdate.objects.create(article=article, note="La Jornada corrected a figure.")
    second = revisions.record(article)
    changes = {c["field"]: c["lines"] for c in revisions.diff(first, second)}
    assert any("The water story" in line for line in changes["story"])
    assert any("Farmers at the dam" in line for line in changes["lead image"])
    assert any(line.startswith("+Water (#") for line in changes["topics"])
    assert "-March 1, 2025, 12:30 (America/Mexico_City)" in changes["published at"]
    assert "+March 1, 2025, 13:30 (America/Mexico_City)" in changes["published at"]
    assert any("Sonora, not Sinaloa" in line for line in changes["corrections"])
    assert any("corrected a figure" in line for line in changes["original updates"])
    html = editor_client.get(
        versions_url(article), {"a": first.number, "b": second.number}
    ).content.decode()
    assert "The water story" in html and "T18:30:00" not in html


def test_restoring_a_version_whose_story_was_deleted_says_so():
    from articles.models import Thread

    story = Thread.objects.create(name="A story", slug="a-story")
    article = ArticleFactory(thread=story)
    version = revisions.record(article)
    story.delete()
    restored, missing = revisions.restore(version)
    assert restored.thread_id is None
    assert "its story (deleted since)" in missing
