"""The translators' and editors' journeys, in a real browser: each admin page visited is
checked with axe-core (no violation) and for sideways scrolling, at 1,280 and 390 px."""

import datetime
import re

import pytest
from django.utils import timezone

from articles.models import Article, GlossaryTerm, Image, OriginalUpdate, PreviewLink, Thread
from tests.browser.conftest import check_page
from tests.factories import ArticleFactory, ImageFactory, PersonFactory, TopicFactory, picture_file

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINAL = (
    "Los maestros marcharon ayer por el centro de la ciudad.\n\n"
    "Exigieron la reinstalación de los despedidos.\n\n"
    "La marcha terminó en el Zócalo."
)
TRANSLATION = (
    "The teachers marched through the city centre yesterday.\n\n"
    "They demanded the reinstatement of those dismissed.\n\n"
    "The march ended in the Zócalo."
)


def admin(live_server, path=""):
    return f"{live_server.url}/admin/{path}"


def test_a_translator_writes_a_draft_beside_the_original_and_submits_it(
    open_as, live_server, translator
):
    page = open_as(translator)
    page.goto(admin(live_server))
    check_page(page, "translator's desk")
    assert page.get_by_role("heading", name="My drafts").is_visible()

    page.goto(admin(live_server, "articles/article/paste/"))
    check_page(page, "paste page")
    page.get_by_label("Article text").fill(
        "Teachers March Through the City\n\nThe teachers marched yesterday.\n\n"
        "They demanded that the dismissed be reinstated.\n\nThe march ended at the Zócalo.\n"
    )
    page.get_by_label("The original (optional)").fill(ORIGINAL)
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(re.compile(r"/change/$"))
    check_page(page, "change form of a new draft")

    # The workspace: each paragraph of the original beside its translation, counted.
    assert page.locator(".workspace-pairs > .pair").count() == 3
    assert page.locator(".workspace-count").inner_text() == "3 of 3 paragraphs translated"
    third = page.locator("#pair-3-translation")
    third.click()
    current = page.locator(".pair.current")
    assert current.locator("textarea.pair-original").input_value() == (
        "La marcha terminó en el Zócalo."
    )
    assert current.locator("textarea.pair-original").get_attribute("lang") == "es"

    # The live preview, one keystroke away: the site's own rendering of what is typed.
    page.keyboard.press("Alt+P")
    third.fill("The march ended at the **Zócalo**.")
    preview = page.locator(".reader-preview")
    page.wait_for_function(
        "() => document.querySelector('.reader-preview').shadowRoot"
        ".querySelector('strong')?.textContent === 'Zócalo'"
    )
    assert preview.get_attribute("role") == "region"

    # A paragraph left untranslated is counted, and said to shift the ones after it.
    page.locator("#pair-2-translation").fill("")
    assert "Paragraph 2 has no translation" in page.locator(".workspace-count").inner_text()
    page.locator("#pair-2-translation").fill("They demanded the dismissed be reinstated.")

    # No way to publish for a translator.
    options = page.locator("#id_status option").all_inner_texts()
    assert options == ["Draft", "In review"]
    page.select_option("#id_status", "review")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url(re.compile(r"/change/$"))
    article = Article.objects.get()
    assert article.status == "review"
    assert article.body == (
        "The teachers marched yesterday.\n\nThey demanded the dismissed be reinstated.\n\n"
        "The march ended at the **Zócalo**."
    )
    assert article.original_body == ORIGINAL  # written back as it was, not a second copy

    page.goto(admin(live_server, "articles/article/"))
    check_page(page, "translator's change list")
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert not any("Publish" in action for action in actions)


FOCUSED = """() => {
  const e = document.activeElement;
  const row = [...(e.closest('.form-row')?.classList || [])].find((c) => c.startsWith('field-'));
  return e.id || row || e.getAttribute('name') || (e.textContent || '').trim().slice(0, 30);
}"""


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_translator_works_from_the_keyboard_with_the_memory_and_the_glossary(
    open_as, live_server, translator, width
):
    GlossaryTerm.objects.create(
        term="Normalistas",
        slug="normalistas",
        explanation="Students of the rural teacher-training colleges.",
        original_forms="normalistas\nnormalista",
        rendering="trainee teachers",
    )
    ArticleFactory(  # published: the memory suggests from it
        headline="Teachers March", body=TRANSLATION, original_body=ORIGINAL, original_language="es"
    )
    draft = ArticleFactory(
        headline="Teachers March Again",
        body="The teachers marched again today.",
        original_body=(
            "Los maestros marcharon hoy por el centro de la ciudad.\n\n"
            "Exigieron la reinstalación de los despedidos.\n\n"
            "Los normalistas se sumaron a la marcha."
        ),
        original_language="es",
        draft=True,
        created_by=translator,
    )
    page = open_as(translator, width)
    page.add_init_script(  # suggestions slowed down at will: window.slowMemory ms
        """
        const realFetch = window.fetch;
        window.slowMemory = 0;
        window.fetch = async (...args) => {
          if (String(args[0]).includes("translation-memory") && window.slowMemory) {
            await new Promise((resolve) => setTimeout(resolve, window.slowMemory));
          }
          return realFetch(...args);
        };
        """
    )
    page.goto(admin(live_server, f"articles/article/{draft.pk}/change/"))
    page.wait_for_selector(".workspace-pairs .pair")
    check_page(page, f"the workspace ({width})")
    assert page.locator(".workspace-count").inner_text() == "1 of 3 paragraphs translated"

    # Before the headline, a dozen Tab stops (skip link, header, breadcrumbs, the page's
    # tools; the sidebar's 40-odd links are gone); then the dek, the credits, the workspace.
    stops = []
    while len(stops) < 40 and (not stops or stops[-1] != "pair-1-original"):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
    assert stops.index("id_headline") <= 12, stops
    fields = [stop for stop in stops if re.match(r"id_|field-|pair-", stop)]
    assert fields == [
        "id_headline",
        "id_dek",
        "field-authors",
        "field-translators",
        "pair-1-original",
    ], stops
    assert "Preview (Alt+P)" in stops[stops.index("field-translators") :]

    # To the next paragraph's translation; the closest published paragraph is suggested
    # (beside the pairs on a wide screen, under the paragraph on a phone) and inserted.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "pair-1-translation"
    page.locator(".memory-suggestion").first.wait_for()  # for paragraph 1
    page.evaluate("window.slowMemory = 1000")
    page.keyboard.press("Alt+ArrowDown")
    assert page.evaluate(FOCUSED) == "pair-2-translation"
    # Paragraph 1's suggestions are gone at once: Alt+1 inserts none of them here.
    assert page.locator(".memory-suggestion").count() == 0
    page.keyboard.press("Alt+1")
    assert page.locator("#pair-2-translation").input_value() == ""
    suggestion = page.locator(".memory-suggestion").first
    suggestion.wait_for()
    assert suggestion.locator(".memory-translation").inner_text() == (
        "They demanded the reinstatement of those dismissed."
    )
    assert "100% match" in suggestion.inner_text()
    memory, current = box(page, ".workspace-memory"), box(page, ".pair.current")
    if width == "desktop":
        assert memory["x"] >= current["x"] + current["width"]
    else:
        assert page.locator(".pair.current .workspace-memory").count() == 1
    page.keyboard.press("Alt+1")
    assert page.locator("#pair-2-translation").input_value() == (
        "They demanded the reinstatement of those dismissed."
    )
    assert page.evaluate(FOCUSED) == "pair-2-translation"

    # The glossary: the term found in the original, its agreed rendering flagged if missing.
    page.keyboard.press("Alt+ArrowDown")
    assert page.locator(".memory-terms").inner_text() == (
        "Glossary: normalistas → trainee teachers"
    )
    page.keyboard.type("The students joined the march.")
    note = page.locator("#pair-3-note")
    assert note.inner_text() == "Agreed rendering missing: “trainee teachers”"
    assert page.locator("#pair-3-translation").get_attribute("aria-describedby") == "pair-3-note"
    assert page.locator(".workspace-count").inner_text() == "3 of 3 paragraphs translated"
    check_page(page, f"the workspace, translating ({width})")

    # Saved with Ctrl+S, flag and all (a flag never blocks).
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    draft.refresh_from_db()
    assert draft.body == (
        "The teachers marched again today.\n\n"
        "They demanded the reinstatement of those dismissed.\n\n"
        "The students joined the march."
    )
    assert [gap["paragraph"] for gap in draft.rendering_gaps] == [3]
    assert page.locator("#pair-3-note").inner_text() == (
        "Agreed rendering missing: “trainee teachers”"
    )


def test_a_translation_sent_back_with_an_error_opens_as_one_text(open_as, live_server, translator):
    draft = ArticleFactory(
        body="Only paragraph.", original_body=ORIGINAL, draft=True, created_by=translator
    )
    page = open_as(translator)
    page.goto(admin(live_server, f"articles/article/{draft.pk}/change/"))
    page.locator("#pair-1-translation").fill("")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert page.locator(".field-body .errorlist").inner_text() == "This field is required."
    assert page.locator("#id_body").is_visible() and page.locator("#id_original_body").is_visible()
    check_page(page, "the form sent back with an error")
    page.get_by_role("button", name="Edit paragraph by paragraph").click()
    assert page.locator(".workspace-pairs > .pair").count() == 3
    assert not page.locator("#id_body").is_visible()


def test_an_editor_reviews_compares_shares_schedules_and_publishes(
    open_as, live_server, editor, translator
):
    article = ArticleFactory(
        headline="Water for Whom",
        body="First version of the text.\n\nSecond paragraph.",
        status=Article.Status.REVIEW,
        created_by=translator,
        original_body=ORIGINAL,
        translators=[PersonFactory(name="Tina Translator")],
    )
    from articles import revisions

    revisions.record(article, translator, note="Submitted for review")
    page = open_as(editor)
    page.goto(admin(live_server))
    check_page(page, "editor's desk")
    review = page.get_by_role("region", name="In review, oldest first")
    assert "Water for Whom" in review.inner_text() and "Tina Translator" in review.inner_text()
    page.get_by_role("link", name="Water for Whom").click()
    page.wait_for_url(re.compile(rf"/{article.pk}/change/$"))
    check_page(page, "editor's change form")

    # An edit, saved from the browser (CRLF line endings), then the two versions compared.
    page.locator("#pair-1-translation").fill("First version of the text, corrected.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url(re.compile(r"/change/$"))
    page.get_by_role("link", name="Versions").click()
    check_page(page, "versions")
    page.get_by_role("button", name="Compare the two selected versions").click()
    check_page(page, "comparison")
    diff = page.locator(".diff").inner_text()
    assert "-First version of the text." in diff
    assert "+First version of the text, corrected." in diff
    assert "Related stories" not in page.content()  # unchanged: not listed, not empty

    # A share-preview link: created (and not a save of the article), opened by someone
    # without an account, then revoked.
    page.goto(admin(live_server, f"articles/article/{article.pk}/change/"))
    versions_before = article.revisions.count()
    page.locator("#id_dek").fill("An edit not saved yet")  # a link would leave it out: said
    page.get_by_role("button", name="Create a preview link").click()
    assert page.get_by_role("alert").filter(has_text="not saved").count() == 1
    assert not PreviewLink.objects.filter(article=article).exists()
    page.reload()  # the edit given up
    page.get_by_role("button", name="Create a preview link").click()
    page.wait_for_selector(".share-preview input[type=text]")
    check_page(page, "change form with a preview link")
    assert article.revisions.count() == versions_before
    link = PreviewLink.objects.get(article=article)
    shared = page.locator(".share-preview input[type=text]").input_value()
    assert shared.endswith(link.get_absolute_url())
    reader = open_as(None)
    reader.goto(shared)
    assert "Water for Whom" in reader.content() and "not published yet" in reader.content()
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()
    assert reader.goto(shared).status == 404

    # Scheduled, then published now.
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    page.goto(admin(live_server, f"articles/article/{article.pk}/change/"))
    page.select_option("#id_status", "published")
    page.fill("#id_published_at_0", when.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url(re.compile(r"/change/$"))
    page.goto(admin(live_server))
    assert "Water for Whom" in page.get_by_role("region", name="Scheduled").inner_text()
    page.goto(admin(live_server, f"articles/article/{article.pk}/change/"))
    now = timezone.localtime(timezone.now())
    page.fill("#id_published_at_0", now.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", now.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url(re.compile(r"/change/$"))
    article.refresh_from_db()
    assert article.is_published
    assert reader.goto(live_server.url + article.get_absolute_url()).status == 200


def test_the_original_changed_shows_to_readers_and_on_the_desk(open_as, live_server, editor):
    article = ArticleFactory(headline="Figures Revised", original_body=ORIGINAL)
    Article.objects.filter(pk=article.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    OriginalUpdate.objects.create(
        article=article, changed_on=timezone.localdate(), note="figures corrected"
    )
    page = open_as(editor)
    page.goto(admin(live_server))
    revisit = page.get_by_role("region", name="Translations to revisit (the original changed)")
    assert "Figures Revised" in revisit.inner_text()
    reader = open_as(None)
    reader.goto(live_server.url + article.get_absolute_url())
    assert "The original was updated on" in reader.content()
    assert "figures corrected" in reader.content()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_admin_page_is_accessible_and_fits_the_screen(
    open_as, live_server, editor, translator, width
):
    own = ArticleFactory(draft=True, created_by=translator, original_body=ORIGINAL)
    article = ArticleFactory(original_body=ORIGINAL, status=Article.Status.REVIEW)
    ArticleFactory(  # the desk's table of articles in review, with a headline of 300 characters
        headline="Lithium " + "nationalisation " * 17 + "in Sonora",
        status=Article.Status.REVIEW,
        created_by=translator,
    )
    from articles import revisions

    revisions.record(article, editor)
    article.body = "Changed."
    article.save()
    revisions.record(article, editor)
    mining = TopicFactory(name="Mining")
    article.topics.add(mining)
    ArticleFactory(  # a story the article could join: the change form suggests it
        headline="Headline of the story so far",
        topics=[mining],
        thread=Thread.objects.create(name="The mining story", slug="mining-story"),
    )
    picture = ImageFactory()
    ArticleFactory(headline="Shown with a picture", lead_image=picture)
    ArticleFactory(  # in the translation memory: the concordance finds it
        headline="Teachers March", body=TRANSLATION, original_body=ORIGINAL, original_language="es"
    )
    login = open_as(None, width)
    login.goto(admin(live_server, "login/"))
    check_page(login, f"login page ({width})")
    page = open_as(editor, width)
    for path in [
        "",
        "articles/article/",
        "articles/article/add/",
        f"articles/article/{article.pk}/change/",
        f"articles/article/{article.pk}/versions/",
        f"articles/article/{article.pk}/versions/?a=1&b=2",
        "articles/article/paste/",
        "articles/article/concordance/",
        "articles/article/concordance/?q=marcha&language=es&side=original",
        "articles/source/",
        "articles/topic/add/",
        "articles/thread/",
        "articles/thread/add/",
        "articles/image/",
        "articles/image/add/",
        f"articles/image/{picture.pk}/change/",
    ]:
        page.goto(admin(live_server, path))
        page.wait_for_load_state("networkidle")
        check_page(page, f"/admin/{path} ({width})")
        if path.endswith(f"{article.pk}/change/"):
            assert page.get_by_role("button", name="Add to this story and save").count() == 1
    page = open_as(translator, width)
    for path in [
        "",
        "articles/article/",
        "articles/article/add/",
        f"articles/article/{own.pk}/change/",
        "articles/article/paste/",
        "articles/article/concordance/?q=despedidos&language=es&side=original",
        "articles/topic/add/",  # not theirs to open: the "not allowed" page
        "password_change/",
    ]:
        page.goto(admin(live_server, path))
        page.wait_for_load_state("networkidle")
        check_page(page, f"/admin/{path} as a translator ({width})")


def test_a_translator_uploads_a_photo_and_places_it_in_the_text(
    open_as, live_server, translator, tmp_path
):
    photo = picture_file(size=(1200, 800), gps=True)
    path = tmp_path / "march.jpg"
    path.write_bytes(photo.read())
    page = open_as(translator)
    page.goto(admin(live_server, "articles/image/add/"))
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Alt text").fill("Teachers march under umbrellas")
    page.get_by_label("Credit").fill("Photo: Cuartoscuro")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_url(re.compile(r"/change/$"))
    check_page(page, "an uploaded image's page")
    image = Image.objects.get()
    snippet = f"![](image:{image.pk})"
    assert snippet in page.locator(".field-placing").inner_text()
    assert page.locator("img.image-preview").evaluate("img => img.naturalWidth") > 0

    page.goto(admin(live_server, "articles/article/add/"))
    page.locator("#id_headline").fill("Teachers march in the rain")
    page.get_by_role("button", name="Edit as one text").click()
    page.locator("#id_body").fill(f"The teachers marched.\n\n{snippet}\n\nThey stayed.")
    page.get_by_role("button", name="Preview (Alt+P)").click()
    page.wait_for_function(
        "() => document.querySelector('.reader-preview').shadowRoot"
        ".querySelector('figure figcaption')"
    )
    caption = page.evaluate(
        "() => document.querySelector('.reader-preview').shadowRoot"
        ".querySelector('figcaption').textContent"
    )
    assert caption == "Photo: Cuartoscuro"
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_url(re.compile(r"/change/$"))
    assert Article.objects.get().body_images == [image.pk]


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_the_change_form_fits_a_laptop_screen(open_as, live_server, editor):
    headline = (
        "Teachers from Oaxaca, Chiapas and Guerrero March Through Mexico City to Demand the "
        "Reinstatement of Their Dismissed Colleagues"
    )
    article = ArticleFactory(headline=headline, original_body=ORIGINAL)
    target = ArticleFactory(headline="An earlier story")
    article.related_stories.create(position=1, target=target, title="Earlier", url="")
    page = open_as(editor)
    page.goto(admin(live_server, f"articles/article/{article.pk}/change/"))
    page.wait_for_load_state("networkidle")
    check_page(page, "change form with a long headline and a related story")
    width = page.viewport_size["width"]
    for delete in page.get_by_role("link", name="Delete", exact=True).all():
        right = delete.bounding_box()["x"] + delete.bounding_box()["width"]
        assert right <= width  # on screen, not 800 px to the right
    # The buttons above the form do not cover the headline.
    tools, title = box(page, ".object-tools"), box(page, "#content h2")
    assert tools["y"] + tools["height"] <= title["y"] or title["y"] + title["height"] <= tools["y"]
    # The share-preview box comes after the article's form, not under it.
    form, share = box(page, "#article_form"), box(page, "#share-preview")
    assert share["y"] >= form["y"] + form["height"]
    # The headline and slug fields show a long headline whole.
    assert box(page, "#id_headline")["width"] >= 600
    assert box(page, "#id_slug")["width"] >= 600
    # The workspace takes the window's width: each original beside its translation, the
    # suggestions beside them.
    original, translation = box(page, "#pair-1-original"), box(page, "#pair-1-translation")
    assert translation["x"] >= original["x"] + original["width"]
    assert abs(translation["y"] - original["y"]) < 2
    assert original["width"] >= 350 and translation["width"] >= 350
    suggestions = box(page, ".workspace-memory")
    assert suggestions["x"] >= translation["x"] + translation["width"]
    assert suggestions["x"] + suggestions["width"] <= width


def test_the_preview_looks_like_the_site_not_the_admin(open_as, live_server, editor):
    article = ArticleFactory()
    page = open_as(editor)
    page.goto(admin(live_server, f"articles/article/{article.pk}/change/"))
    page.keyboard.press("Alt+P")
    page.locator("#pair-1-translation").fill(
        "Text with [a link](https://example.org/).\n\n## A heading"
    )
    page.wait_for_function(
        "() => document.querySelector('.reader-preview').shadowRoot.querySelector('a')"
    )
    style = page.evaluate(
        """() => {
          const root = document.querySelector('.reader-preview').shadowRoot;
          const h2 = getComputedStyle(root.querySelector('h2'));
          const a = getComputedStyle(root.querySelector('a'));
          const p = getComputedStyle(root.querySelector('p'));
          return {font: p.fontFamily, heading: h2.fontFamily, background: h2.backgroundColor,
                  underline: a.textDecorationLine};
        }"""
    )
    admin_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Georgia" in style["font"] and style["heading"] != admin_font  # the site's fonts
    assert style["background"] == "rgba(0, 0, 0, 0)"  # not the admin's blue bar
    assert style["underline"] == "underline"


def test_the_change_list_shows_headlines_in_a_wide_column(open_as, live_server, editor):
    for n in range(30):
        ArticleFactory(headline=f"A long headline about the water crisis, number {n}")
    page = open_as(editor)
    page.goto(admin(live_server, "articles/article/"))
    assert page.locator("#result_list tbody tr").count() == 25
    assert box(page, "#result_list th.field-headline")["width"] >= 250


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_readers_read_the_translation_beside_the_original(open_as, live_server, width):
    article = ArticleFactory(
        headline="Teachers March",
        body="The teachers marched.\n\nThey demanded reinstatement.\n\nIt ended at the Zócalo.",
        original_body=ORIGINAL,
        original_language="es",
    )
    page = open_as(None, width)
    page.goto(live_server.url + article.get_absolute_url())
    page.get_by_role("link", name="Read with the original, side by side").click()
    page.wait_for_url(re.compile(r"/original/$"))
    check_page(page, f"side by side ({width})")
    assert "Teachers March" in page.title()
    pairs = page.locator(".pair:not(.pair-heading)")
    assert pairs.count() == 3
    third = pairs.nth(2)
    original = third.locator(".original [lang=es]")
    translation = third.locator(".translation [lang=en]")
    assert original.inner_text() == "La marcha terminó en el Zócalo."
    assert translation.inner_text() == "It ended at the Zócalo."
    o, t = original.bounding_box(), translation.bounding_box()
    if width == "desktop":  # two columns, each pair on one row
        assert abs(o["y"] - t["y"]) < 2 and t["x"] > o["x"] + o["width"]
    else:  # stacked: the original, then its translation
        assert t["y"] >= o["y"] + o["height"]


def test_the_live_preview_never_queues_renders(open_as, live_server, translator):
    """Typing while a render is on its way sends nothing more until it is back; the newest
    text is then sent once (each render here takes 400 ms on its way)."""
    article = ArticleFactory(headline="Slow network", body="Start.", draft=True)
    Article.objects.filter(pk=article.pk).update(created_by=translator)
    page = open_as(translator)
    page.add_init_script(
        """
        const realFetch = window.fetch;
        window.previewStats = {inFlight: 0, most: 0, sent: 0};
        window.fetch = async (...args) => {
          if (!String(args[0]).includes("preview")) return realFetch(...args);
          const stats = window.previewStats;
          stats.inFlight++; stats.sent++; stats.most = Math.max(stats.most, stats.inFlight);
          try {
            await new Promise((resolve) => setTimeout(resolve, 400));
            return await realFetch(...args);
          } finally { stats.inFlight--; }
        };
        """
    )
    page.goto(admin(live_server, f"articles/article/{article.pk}/change/"))
    page.get_by_role("button", name="Preview (Alt+P)").click()
    page.wait_for_function("() => window.previewStats.sent === 1 && !window.previewStats.inFlight")
    body = page.locator("#pair-1-translation")
    body.click()
    page.keyboard.press("Control+End")
    typed = " and more."  # a key every 350 ms: the 300 ms pause before a render passes
    page.keyboard.type(typed, delay=350)
    page.wait_for_function(
        "(text) => document.querySelector('.reader-preview').shadowRoot"
        ".querySelector('p')?.textContent === text",
        arg="Start." + typed,
    )
    stats = page.evaluate("window.previewStats")
    assert stats["most"] == 1  # never two at once
    assert stats["sent"] < 1 + len(typed)
