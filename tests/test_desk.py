"""The desk, translating side by side, and the original changing (server side; the browser
journeys are in tests/browser/)."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.desk import dashboard as desk
from articles.models import Article, OriginalUpdate, RelatedStory
from tests.factories import ArticleFactory, PersonFactory, SourceFactory
from tests.test_admin import ADD_URL, LIST_URL, form_data

pytestmark = pytest.mark.django_db

ORIGINAL = "Primer párrafo del original.\n\nSegundo párrafo.\n\nTercero."
TRANSLATION = "First paragraph of the translation.\n\nSecond paragraph.\n\nThird."


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


# -- The desk --------------------------------------------------------------------------------


def make_newsroom(size, translator):
    source = SourceFactory(name="La Jornada")
    for n in range(size):
        ArticleFactory(
            status=Article.Status.REVIEW,
            created_by=translator,
            translators=[PersonFactory()],
            source=source,
        )
        ArticleFactory(draft=True, created_by=translator)
        ArticleFactory(scheduled=True)
        published = ArticleFactory(source=source, published_at=days_ago(n + 1))
        OriginalUpdate.objects.create(article=published, note=f"change {n}")
        stale = ArticleFactory(draft=True)
        Article.objects.filter(pk=stale.pk).update(updated_at=days_ago(20))


@pytest.mark.parametrize("size", [1, 12])
def test_the_editors_desk_costs_a_fixed_number_of_queries(editor_client, translator, size):
    make_newsroom(size, translator)
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    # session, user, the user's permissions (2); the desk: review, drafts per translator,
    # renderings to check, scheduled, stale, lag by source, lag by month, corrections,
    # originals changed (9)
    assert len(queries) == 13, [q["sql"][:80] for q in queries]


@pytest.mark.parametrize("size", [1, 12])
def test_the_translators_desk_costs_a_fixed_number_of_queries(translator_client, translator, size):
    make_newsroom(size, translator)
    with CaptureQueriesContext(connection) as queries:
        response = translator_client.get(reverse("admin:index"))
    assert response.status_code == 200
    # session, user, permissions (2); own drafts, returned, in review (3)
    assert len(queries) == 7, [q["sql"][:80] for q in queries]


def test_the_desk_lists_review_oldest_first_with_waiting_time_and_translator(editor_client):
    newer = ArticleFactory(headline="Newer review", status=Article.Status.REVIEW)
    older = ArticleFactory(
        headline="Older review",
        status=Article.Status.REVIEW,
        translators=[PersonFactory(name="Tina Translator")],
    )
    Article.objects.filter(pk=older.pk).update(status_changed_at=days_ago(3))
    Article.objects.filter(pk=newer.pk).update(status_changed_at=days_ago(1))
    html = editor_client.get(reverse("admin:index")).content.decode()
    section = html.split('id="desk-review"')[1].split("</section>")[0]
    assert section.index("Older review") < section.index("Newer review")
    assert "Tina Translator" in section and "3 days" in section


def test_scheduled_stale_corrections_and_drafts_per_translator(editor_client, translator):
    ArticleFactory(headline="Coming Tuesday", scheduled=True)
    stale = ArticleFactory(headline="Forgotten draft", draft=True, created_by=translator)
    Article.objects.filter(pk=stale.pk).update(updated_at=days_ago(15))
    ArticleFactory(headline="Fresh draft", draft=True, created_by=translator)
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Coming Tuesday" in html.split('id="desk-scheduled"')[1].split("</section>")[0]
    stale_section = html.split('id="desk-stale"')[1].split("</section>")[0]
    assert "Forgotten draft" in stale_section and "Fresh draft" not in stale_section
    drafts = html.split('id="desk-drafts"')[1].split("</section>")[0]
    assert "<td>tina</td><td>2</td>" in drafts


def test_translation_lag_is_the_median_per_source_and_per_month():
    jornada, proceso = SourceFactory(name="La Jornada"), SourceFactory(name="Proceso")
    now = timezone.now()
    for lag, source in [(1, jornada), (3, jornada), (10, jornada), (4, proceso)]:
        published = now - datetime.timedelta(days=5)
        ArticleFactory(
            source=source,
            published_at=published,
            original_published_on=timezone.localdate(published) - datetime.timedelta(days=lag),
        )
    ArticleFactory(source=jornada, draft=True, original_published_on=datetime.date(2020, 1, 1))
    by_source = {row["label"]: row for row in desk.lag_by("source")}
    assert by_source["La Jornada"]["median_days"] == 3.0
    assert by_source["La Jornada"]["articles"] == 3
    assert by_source["Proceso"]["median_days"] == 4.0
    chart = desk.lag_chart(desk.lag_by("month"), now)
    assert len(chart["bars"]) == 12
    drawn = [bar for bar in chart["bars"] if bar["days"] is not None]
    assert len(drawn) == 1 and drawn[0]["days"] == 3.5


def test_the_lag_chart_is_an_accessible_svg(editor_client):
    ArticleFactory(
        published_at=days_ago(2),
        original_published_on=timezone.localdate() - (datetime.timedelta(days=6)),
    )
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert '<svg viewBox="0 0 640 180" role="img" aria-labelledby="lag-chart-title"' in html
    assert re.search(r"<rect [^>]*><title>\w+ \d{4}: 4\.0 days \(1 articles\)</title>", html)


def test_an_editor_returns_an_article_and_its_translator_sees_it(
    editor_client, translator_client, translator
):
    article = ArticleFactory(
        headline="Needs work", status=Article.Status.REVIEW, created_by=translator
    )
    editor_client.post(
        LIST_URL, {"action": "return_to_translator", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == "draft" and article.returned_at is not None
    assert article.revisions.first().note == "Returned for changes"
    html = translator_client.get(reverse("admin:index")).content.decode()
    assert "Needs work" in html.split('id="desk-returned"')[1].split("</section>")[0]
    article.status = Article.Status.REVIEW
    article.save()
    article.refresh_from_db()
    assert article.returned_at is None


def test_an_editor_says_what_to_change_and_the_translator_reads_it(
    editor_client, translator_client, translator
):
    article = ArticleFactory(
        headline="Needs work", status=Article.Status.REVIEW, created_by=translator
    )
    change = reverse("admin:articles_article_change", args=[article.pk])
    form = editor_client.get(change).context["adminform"].form
    assert "returned_note" in form.fields
    from tests.test_admin import form_data

    data = form_data(
        headline=article.headline,
        slug=article.slug,
        status="draft",
        returned_note="The second paragraph drops a negation: check “no”.",
    )
    assert editor_client.post(change, data).status_code == 302
    article.refresh_from_db()
    assert article.returned_at is not None
    desk = translator_client.get(reverse("admin:index")).content.decode()
    back = desk.split('id="desk-returned"')[1].split("</section>")[0]
    assert "The second paragraph drops a negation" in back
    page = translator_client.get(change).content.decode()
    assert "The second paragraph drops a negation" in page  # shown, not editable
    assert 'name="returned_note"' not in page
    article.status = Article.Status.REVIEW  # submitted again: the note has served
    article.save()
    article.refresh_from_db()
    assert article.returned_note == "" and article.returned_at is None


def test_a_returned_draft_is_listed_once_and_an_unpublished_article_is_not_returned(
    editor_client, translator_client, translator
):
    returned = ArticleFactory(
        headline="Sent back", status=Article.Status.REVIEW, created_by=translator
    )
    unpublished = ArticleFactory(headline="Taken down", created_by=translator)
    ArticleFactory(headline="Plain draft", draft=True, created_by=translator)
    editor_client.post(
        LIST_URL, {"action": "return_to_translator", "_selected_action": [returned.pk]}
    )
    editor_client.post(LIST_URL, {"action": "unpublish", "_selected_action": [unpublished.pk]})
    unpublished.refresh_from_db()
    assert unpublished.status == "draft" and unpublished.returned_at is None
    html = translator_client.get(reverse("admin:index")).content.decode()
    back = html.split('id="desk-returned"')[1].split("</section>")[0]
    drafts = html.split('id="desk-mine"')[1].split("</section>")[0]
    assert "Sent back" in back and "Taken down" not in back and "Plain draft" not in back
    assert "Sent back" not in drafts and "Taken down" in drafts and "Plain draft" in drafts


def test_the_lag_by_month_comes_oldest_month_first():
    for months_ago in [1, 5, 3]:
        published = days_ago(months_ago * 31)
        ArticleFactory(
            published_at=published,
            original_published_on=timezone.localdate(published) - datetime.timedelta(days=2),
        )
    labels = [row["label"] for row in desk.lag_by("month")]
    assert labels == sorted(labels) and len(labels) == 3


# -- Side by side --------------------------------------------------------------------------


def test_readers_read_the_translation_beside_its_original(client):
    article = ArticleFactory(
        body=TRANSLATION, original_body=ORIGINAL, original_language="es", headline="Pairs"
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}original/" hreflang="es"' in page
    response = client.get(article.get_absolute_url() + "original/")
    html = response.content.decode()
    assert response.status_code == 200
    pairs = re.findall(
        r'<div class="pair">\s*<div class="original">.*?<div lang="es">(.*?)</div></div>\s*'
        r'<div class="translation">.*?<div lang="en">(.*?)</div></div>',
        html,
        re.S,
    )
    assert pairs == [
        ("<p>Primer párrafo del original.</p>", "<p>First paragraph of the translation.</p>"),
        ("<p>Segundo párrafo.</p>", "<p>Second paragraph.</p>"),
        ("<p>Tercero.</p>", "<p>Third.</p>"),
    ]
    assert "Original (Spanish)" in html


def side_by_side_pairs(html):
    return re.findall(
        r'<div class="pair">\s*<div class="original">.*?<div lang="[^"]*">(.*?)</div></div>\s*'
        r'<div class="translation">.*?<div lang="en">(.*?)</div></div>',
        html,
        re.S,
    )


def test_the_side_by_side_page_pairs_what_each_side_has(client):
    from tests.factories import ImageFactory, PersonFactory

    image = ImageFactory()
    article = ArticleFactory(
        headline="Pairs",
        original_headline="Los pares",
        body=f"First.\n\n![](image:{image.pk})\n\nSecond.",
        original_body="Los pares\n\nPrimero.\n\nSegundo.\n\nUn cuarto párrafo.",
        original_language="es",
        authors=[PersonFactory(name="Ana Ruiz")],
        translators=[PersonFactory(name="Tom Reyes")],
    )
    html = client.get(article.get_absolute_url() + "original/").content.decode()
    assert side_by_side_pairs(html) == [
        ("<p>Primero.</p>", "<p>First.</p>"),  # not the headline, not the image line
        ("<p>Segundo.</p>", "<p>Second.</p>"),
        ("<p>Un cuarto párrafo.</p>", ""),  # more paragraphs on one side: none lost
    ]
    assert "image:" not in html
    assert (
        "By <a" in html and "Ana Ruiz" in html and "Translated by" in html and "Tom Reyes" in html
    )
    assert article.attribution and article.attribution in html.replace("&#x27;", "'")
    assert 'class="wrap wrap-wide"' in html


def test_an_old_slugs_side_by_side_page_redirects_to_the_new_one(client):
    article = ArticleFactory(slug="old-slug", original_body=ORIGINAL)
    article.slug = "new-slug"
    article.save()
    response = client.get(article.get_absolute_url().replace("new-slug", "old-slug") + "original/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() + "original/"


def test_a_pasted_original_gives_up_its_headline(editor_client):
    from django.urls import reverse

    editor_client.post(
        reverse("admin:articles_article_paste"),
        {
            "text": "Lithium Is the Nation's\n\nFirst paragraph.\n\nSecond paragraph.\n",
            "original": "El litio es de la nación\n\nPrimer párrafo.\n\nSegundo párrafo.\n",
            "original_language": "es",
        },
    )
    article = Article.objects.get()
    assert article.original_headline == "El litio es de la nación"
    assert article.original_body.startswith("Primer párrafo.")


def test_the_side_by_side_page_is_only_for_published_articles_with_their_original(client):
    plain = ArticleFactory()
    assert client.get(plain.get_absolute_url() + "original/").status_code == 404
    assert "Read with the original" not in client.get(plain.get_absolute_url()).content.decode()
    draft = ArticleFactory(draft=True, original_body=ORIGINAL)
    assert client.get(draft.get_absolute_url() + "original/").status_code == 404


def test_feeds_and_search_keep_the_translation(client):
    ArticleFactory(body=TRANSLATION, original_body="Zapatero zapatero único.")
    assert "Zapatero" not in client.get("/feed/atom/").content.decode()
    assert "Nothing in the archive matches" in client.get("/search/?q=zapatero").content.decode()


def test_a_pasted_original_is_kept_with_the_draft(editor_client):
    editor_client.post(
        reverse("admin:articles_article_paste"),
        {
            "text": "Headline\n\n" + TRANSLATION,
            "original": ORIGINAL.replace("\n", "\r\n"),
            "original_language": "pt",
        },
    )
    article = Article.objects.get()
    assert article.original_body == ORIGINAL + "\n"
    assert article.original_language == "pt"


def test_a_pasted_original_needs_a_language_code(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_paste"),
        {
            "text": "Headline\n\n" + TRANSLATION,
            "original": ORIGINAL,
            "original_language": "Spanish",
        },
    )
    assert "A language code such as “es”" in response.content.decode()
    assert not Article.objects.exists()


def test_the_importers_leave_the_original_empty(seed_file):
    from articles.importing.files import import_file

    import_file(seed_file)
    assert Article.objects.get().original_body == ""


# -- The original changed ------------------------------------------------------------------


def test_an_update_of_the_original_shows_in_the_attribution_and_the_json_ld(client):
    article = ArticleFactory()
    OriginalUpdate.objects.create(
        article=article, changed_on=datetime.date(2025, 11, 6), note="casualty figures revised"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        'The original was updated on <time datetime="2025-11-06">November 6, 2025</time>, '
        "after this translation: casualty figures revised.</p>"
    ) in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])
    assert ld["translationOfWork"]["dateModified"] == "2025-11-06"


def test_a_translation_to_revisit_leaves_the_desk_once_revised(client, editor_client):
    article = ArticleFactory(headline="Figures Revised")
    update = OriginalUpdate.objects.create(article=article, note="figures corrected.")
    article.corrections.create(text="A typo fixed.")  # an edit, but not the revision

    def to_revisit():
        html = editor_client.get(reverse("admin:index")).content.decode()
        return html.split('id="desk-revisit"')[1].split("</section>")[0]

    assert "Figures Revised" in to_revisit() and "figures corrected." in to_revisit()
    update.translation_revised = True
    update.save()
    assert "Figures Revised" not in to_revisit()
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        "after this translation: figures corrected. The translation has been revised to match.</p>"
    ) in html


# -- Editing ---------------------------------------------------------------------------------


def test_bodies_from_a_browser_are_kept_with_lf_line_endings(editor_client):
    editor_client.post(ADD_URL, form_data(body="One.\r\n\r\nTwo."))
    assert Article.objects.get().body == "One.\n\nTwo."


def test_bodies_saved_by_any_path_are_kept_with_lf_line_endings():
    article = ArticleFactory(body="First.\r\n\r\nSecond.", original_body="Uno.\r\n\r\nDos.")
    article.refresh_from_db()
    assert article.body == "First.\n\nSecond." and article.original_body == "Uno.\n\nDos."


def test_a_related_story_whose_only_change_is_its_archive_link_shows_in_the_diff():
    article = ArticleFactory()
    first, second = ArticleFactory(headline="First target"), ArticleFactory(headline="Other")
    story = RelatedStory.objects.create(article=article, title="Story", target=first)
    revisions.record(article)
    story.target = second
    story.save()
    revisions.record(article)
    newer, older = article.revisions.all()[:2]
    (change,) = revisions.diff(older, newer)
    assert change["field"] == "related stories"
    assert "-Story → archive article “First target”" in change["lines"][0]
    assert "+Story → archive article “Other”" in change["lines"][1]


def test_a_new_related_story_without_a_position_goes_last(editor_client):
    article = ArticleFactory(slug="with-stories")
    RelatedStory.objects.create(article=article, title="Existing", position=4)
    change = reverse("admin:articles_article_change", args=[article.pk])
    existing = article.related_stories.get()
    data = form_data(
        headline=article.headline,
        slug=article.slug,
        status="published",
        **{
            "related_stories-TOTAL_FORMS": "2",
            "related_stories-INITIAL_FORMS": "1",
            "related_stories-0-id": str(existing.pk),
            "related_stories-0-article": str(article.pk),
            "related_stories-0-position": "4",
            "related_stories-0-title": "Existing",
            "related_stories-1-position": "",
            "related_stories-1-title": "Added without a position",
        },
    )
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.context["errors"]
    assert list(article.related_stories.values_list("title", "position")) == [
        ("Existing", 4),
        ("Added without a position", 5),
    ]


def test_the_blank_related_story_row_has_no_position(editor_client):
    html = editor_client.get(ADD_URL).content.decode()
    assert re.search(r'name="related_stories-0-position"(?![^>]*value=)', html)


def test_the_share_preview_forms_are_not_inside_the_article_form(editor_client):
    article = ArticleFactory()
    html = editor_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    form_end = html.index("</form>", html.index('id="article_form"'))
    assert html.index('id="share-preview"') > form_end


def test_distant_changes_are_separated_by_an_ellipsis_not_diff_headers():
    paragraphs = [f"Paragraph {n}." for n in range(1, 11)]
    article = ArticleFactory(body="\n".join(paragraphs))
    revisions.record(article)
    paragraphs[0], paragraphs[9] = "Paragraph one.", "Paragraph ten."
    article.body = "\n".join(paragraphs)
    article.save()
    revisions.record(article)
    newer, older = article.revisions.all()[:2]
    (change,) = [c for c in revisions.diff(older, newer) if c["field"] == "body"]
    assert change["lines"] == [
        "-Paragraph 1.",
        "+Paragraph one.",
        " Paragraph 2.",
        "…",
        " Paragraph 9.",
        "-Paragraph 10.",
        "+Paragraph ten.",
    ]


def test_saving_the_form_unchanged_records_no_change(editor_client):
    article = ArticleFactory(headline="Unchanged", slug="unchanged", body="Text.")
    assert article.published_at.microsecond  # as a save outside the admin leaves it
    revisions.record(article)
    local = timezone.localtime(article.published_at)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(
        headline="Unchanged",
        slug="unchanged",
        dek=article.dek,
        body="Text.",
        source=article.source_id or "",
        original_headline=article.original_headline,
        original_url=article.original_url,
        original_language=article.original_language,
        original_published_on=article.original_published_on or "",
        status=article.status,
        published_at_0=local.strftime("%Y-%m-%d"),
        published_at_1=local.strftime("%H:%M:%S"),
    )
    assert editor_client.post(url, data).status_code == 302
    assert article.revisions.count() == 1  # no new version: nothing changed


def test_a_translator_sent_to_an_editors_page_gets_a_page_that_says_so(translator_client):
    response = translator_client.get(reverse("admin:articles_topic_add"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1" in html and "Not allowed" in html and 'href="/admin/"' in html


def test_a_month_whose_median_is_zero_days_still_draws_a_bar():
    """Published the day the original appeared: a median of 0 days is a bar two pixels high
    (an empty month draws none)."""
    now = timezone.now()
    ArticleFactory(published_at=now - datetime.timedelta(hours=1), original_published_on=None)
    same_day = ArticleFactory(published_at=now - datetime.timedelta(hours=2))
    same_day.original_published_on = timezone.localdate(same_day.published_at)
    same_day.save()
    chart = desk.lag_chart(desk.lag_by("month"), now)
    (bar,) = [bar for bar in chart["bars"] if bar["days"] is not None]
    assert bar["days"] == 0.0 and bar["height"] == 2.0
    assert all(other["height"] == 0 for other in chart["bars"] if other is not bar)


def test_the_lag_counts_only_what_readers_see_now():
    """A scheduled article (its time not come) is no translation published yet."""
    now = timezone.now()
    ArticleFactory(
        published_at=now - datetime.timedelta(days=1),
        original_published_on=timezone.localdate(now) - datetime.timedelta(days=3),
    )
    ArticleFactory(
        published_at=now + datetime.timedelta(days=2),
        original_published_on=timezone.localdate(now) - datetime.timedelta(days=40),
    )
    (row,) = desk.lag_by("source")
    assert row["articles"] == 1 and row["median_days"] == 2.0


PANEL_QUERIES = {
    "review": 1,
    "renderings": 1,
    "concordance": 0,
    "scheduled": 1,
    "drafts": 1,
    "stale": 1,
    "lag": 2,  # by month, by source
    "revisit": 1,
    "corrections": 1,
    "returned": 1,
    "mine": 1,
    "waiting": 1,
}


@pytest.mark.parametrize("size", [1, 12])
def test_each_panel_costs_its_own_fixed_number_of_queries(editor, translator, size):
    make_newsroom(size, translator)
    now = timezone.now()
    assert {panel.name for panel in desk.PANELS} == set(PANEL_QUERIES)
    for panel in desk.PANELS:
        user = editor if desk.EDITOR in panel.audiences else translator
        with CaptureQueriesContext(connection) as queries:
            html = panel.render(user, now)
        assert len(queries) == PANEL_QUERIES[panel.name], panel.name
        assert html.strip(), panel.name


def test_each_audience_sees_its_panels_in_order(editor, translator, django_user_model):
    assert [p.name for p in desk.panels_for(editor)] == [
        "review", "renderings", "scheduled", "drafts", "stale", "lag", "revisit", "corrections",
        "concordance",
    ]  # fmt: skip
    assert [p.name for p in desk.panels_for(translator)] == [
        "returned",
        "mine",
        "waiting",
        "concordance",
    ]
    reader = django_user_model.objects.create_user("someone", is_staff=True)
    assert desk.panels_for(reader) == []
