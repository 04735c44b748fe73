"""Every kind of reader page, in Chromium at a desktop's and a phone's width, in the light and
the dark colour scheme: axe-core finds nothing (all rules, best practices included), nothing
scrolls sideways, and the Nu HTML checker (vnu) finds no error in the HTML as served."""

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Correction, GlossaryTerm, Page, RelatedStory, Thread
from tests.browser.conftest import WIDTHS, axe_violations, scrolls_sideways
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    PersonFactory,
    SourceFactory,
    TopicFactory,
    picture_file,
)

pytestmark = pytest.mark.django_db(transaction=True)

BODY = "\n\n".join(
    [
        "Teachers from the CNTE marched from the Angel of Independence to the Zócalo on "
        "Tuesday, demanding the repeal of the 2019 education reform and the reinstatement "
        "of colleagues dismissed during the previous administration.",
        "## A long day in the capital",
        "The march, which organisers said drew some twenty thousand people, closed several "
        "avenues of the historic centre for most of the afternoon.",
        "> We will stay until they listen to us.",
        "The interior ministry said talks would resume next week.",
    ]
)


@pytest.fixture
def reader_archive():
    """An archive with one of each thing a reader page shows."""
    source = SourceFactory(name="La Jornada", slug="la-jornada")
    topic = TopicFactory(name="Education", slug="education")
    person = PersonFactory(name="Ana Ruiz", slug="ana-ruiz")
    GlossaryTerm.objects.create(
        term="CNTE",
        slug="cnte",
        explanation="The National Coordinating Committee of Education Workers, a dissident "
        "teachers' union.",
        url="https://example.org/cnte",
    )
    strike = Thread.objects.create(
        name="The teachers' strike", slug="teachers-strike", description="From plan to march."
    )
    when = timezone.now().replace(year=2025, month=3, day=11, hour=14)
    lead = ImageFactory(
        file=picture_file(size=(1600, 1000)),
        alt="Teachers with banners fill the Zócalo",
        caption="The march reached the Zócalo at noon.",
        credit="Photo: Cuartoscuro",
    )
    inside = ImageFactory(alt="A teacher holds a placard", caption="", credit="Photo: Proceso")
    first, rest = BODY.split("\n\n", 1)
    older = ArticleFactory(
        headline="Teachers plan a national strike",
        slug="teachers-plan-a-national-strike",
        source=source,
        topics=[topic],
        thread=strike,
        lead_image=inside,
        published_at=when - datetime.timedelta(days=40),
    )
    article = ArticleFactory(
        headline="Teachers march on the Zócalo",
        slug="teachers-march-on-the-zocalo",
        dek="Twenty thousand teachers demand the repeal of the education reform.",
        body=f"{first}\n\n![](image:{inside.pk})\n\n{rest}",
        lead_image=lead,
        original_body="\n\n".join(
            ["Maestros marcharon.", "## Un día largo", "Otro.", "> Nos quedaremos.", "Fin."]
        ),
        original_language="es",
        source=source,
        topics=[topic],
        authors=[person],
        translators=[PersonFactory(name="Tom Smith", slug="tom-smith")],
        thread=strike,
        published_at=when,
    )
    Correction.objects.create(article=article, text="An earlier version misstated the date.")
    Page.objects.create(
        title="About the archive",
        slug="about",
        summary="Who translates, and why.",
        body="We translate the Mexican press.\n\n## Who we are\n\nVolunteers in four countries.",
        status=Page.Status.PUBLISHED,
    )
    RelatedStory.objects.create(article=article, position=0, target=older)
    RelatedStory.objects.create(
        article=article,
        position=1,
        title="The reform, explained",
        summary="What changed in 2019.",
        url="https://example.org/reform-explained",
    )
    return article


def pages(article):
    day = timezone.localtime(article.published_at)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "side by side": article.get_absolute_url() + "original/",
        "search": "/search/?q=teachers",
        "search, nothing found": "/search/?q=zzzz",
        "search, empty": "/search/",
        "archive index": "/archive/",
        "year": f"/{day:%Y}/",
        "month": f"/{day:%Y/%m}/",
        "day": f"/{day:%Y/%m/%d}/",
        "sources": "/sources/",
        "source": "/sources/la-jornada/",
        "topics": "/topics/",
        "topic": "/topics/education/",
        "person": "/people/ana-ruiz/",
        "glossary": "/glossary/",
        "stories": "/stories/",
        "story": "/stories/teachers-strike/",
        "story, from the beginning": "/stories/teachers-strike/?order=oldest",
        "page": "/about/",
        "search, newest first": "/search/?q=teachers&order=newest",
        "not found": "/no-such-page/",
    }


VNU = Path(__file__).resolve().parents[2] / "var/vnu/node_modules/vnu-jar/build/dist/vnu.jar"


def test_every_reader_page_passes_the_html_checker(reader_archive, tmp_path):
    missing = [
        what for what, there in [("java", shutil.which("java")), (VNU, VNU.exists())] if not there
    ]
    if missing:
        message = f"the HTML checker needs {missing} (make test installs vnu.jar with npm)"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)

    client = Client()
    files = []
    for name, url in pages(reader_archive).items():
        response = client.get(url)
        assert response.status_code in (200, 404), f"{name}: {response.status_code}"
        path = tmp_path / (name.replace(" ", "-").replace(",", "") + ".html")
        path.write_bytes(response.content)
        files.append(str(path))
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_reader_page_is_accessible_and_fits(
    browser, live_server, reader_archive, width, scheme
):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme)
    page = context.new_page()
    problems = []
    try:
        for name, url in pages(reader_archive).items():
            page.goto(live_server.url + url)
            violations = axe_violations(page)
            if violations:
                problems.append(f"{name}: " + " | ".join(violations))
            if scrolls_sideways(page):
                problems.append(f"{name}: scrolls sideways")
    finally:
        context.close()
    assert problems == []


def open_reader(browser, width="desktop", **options):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


# Liberation Serif has Times' metrics, narrower than the fonts the site asks for
@pytest.mark.parametrize("font", [None, "Liberation Serif", "DejaVu Serif"])
def test_article_lines_are_a_readable_length(browser, live_server, reader_archive, font):
    context, page = open_reader(browser)
    try:
        page.goto(live_server.url + reader_archive.get_absolute_url())
        if font:
            page.evaluate(
                "font => document.querySelector('.article-body').style.fontFamily = font", font
            )
        per_line = page.evaluate(
            """() => {
                // Characters on each line of the first paragraph, from each one's position.
                const p = [...document.querySelectorAll('.article-body p')]
                    .find(p => p.childNodes.length === 1 && p.textContent.length > 100);
                const text = p.firstChild, range = document.createRange(), lines = {};
                for (let i = 0; i < text.length; i++) {
                    range.setStart(text, i); range.setEnd(text, i + 1);
                    const top = Math.round(range.getBoundingClientRect().top);
                    lines[top] = (lines[top] || 0) + 1;
                }
                return Math.max(...Object.values(lines));
            }"""
        )
    finally:
        context.close()
    assert 50 <= per_line <= 75, per_line


def test_print_keeps_the_article_its_credits_and_its_address(browser, live_server, reader_archive):
    context, page = open_reader(browser)
    try:
        page.emulate_media(media="print")
        page.goto(live_server.url + reader_archive.get_absolute_url())
        for gone in [".site-header", ".skip-link", ".topics", ".related", ".site-footer .no-print"]:
            assert not page.locator(gone).first.is_visible(), gone
        for kept in ["h1", ".dek", ".byline", ".attribution", ".article-body", ".corrections"]:
            assert page.locator(kept).first.is_visible(), kept
        address = page.locator(".site-footer .print-only")
        assert address.is_visible()
        assert address.inner_text().endswith(reader_archive.get_absolute_url())
        assert not page.get_by_role(
            "link", name="Read with the original, side by side"
        ).is_visible()
        page.emulate_media(media="screen")
        assert not address.is_visible() and page.locator(".site-header").is_visible()
    finally:
        context.close()


def test_the_skip_link_does_not_outline_the_whole_page(browser, live_server, reader_archive):
    context, page = open_reader(browser)
    try:
        page.goto(live_server.url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "none"
    finally:
        context.close()


def test_on_a_phone_controls_and_links_keep_together(browser, live_server, reader_archive):
    from tests.factories import ArticleFactory

    october = reader_archive.published_at.replace(month=10, day=15)
    for month in (9, 10, 11):  # "← September 2025", "November 2025 →": long names
        ArticleFactory(published_at=october.replace(month=month))
    ArticleFactory(
        source=SourceFactory(name="Desinformémonos, periodismo de abajo"),
        topics=[TopicFactory(name="Indigenous rights and autonomy")],
    )
    context, page = open_reader(browser, "phone")
    try:
        page.goto(live_server.url + f"/{timezone.localtime(october):%Y/%m}/")
        for link in page.locator(".period-nav a").all():
            box = link.bounding_box()
            line = link.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)")
            assert box["height"] < 1.5 * line, link.inner_text()
        assert not scrolls_sideways(page)
        page.goto(live_server.url + "/search/?q=teachers")
        for name in ["source", "topic", "year"]:
            label = page.locator(f"label[for={name}]").bounding_box()
            select = page.locator(f"#{name}").bounding_box()
            assert abs((label["y"] + label["height"]) - (select["y"] + select["height"])) < 12
        minus = page.locator(".search-form .nowrap")
        assert minus.inner_text() == "-word" and minus.bounding_box()["height"] < 30
    finally:
        context.close()


def test_the_colour_scheme_follows_the_system(browser, live_server, reader_archive):
    def colours(scheme):
        context, page = open_reader(browser, color_scheme=scheme)
        try:
            page.goto(live_server.url + reader_archive.get_absolute_url())
            return page.evaluate(
                """() => [document.body, document.querySelector('.article-body p')]
                    .map(e => getComputedStyle(e))
                    .map((s, i) => i ? s.color : s.backgroundColor)"""
            )
        finally:
            context.close()

    def lightness(css):
        r, g, b = (int(n) for n in re.findall(r"\d+", css)[:3])
        return (r + g + b) / 3

    background, text = colours("light")
    assert lightness(background) > 200 and lightness(text) < 60
    background, text = colours("dark")
    assert lightness(background) < 40 and lightness(text) > 200


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_glossary_term_opens_its_explanation_without_javascript(
    browser, live_server, reader_archive, width
):
    context, page = open_reader(browser, width, java_script_enabled=False)
    try:
        page.goto(live_server.url + reader_archive.get_absolute_url())
        note = page.locator("#term-cnte")
        assert not note.is_visible()
        term = page.get_by_role("button", name="CNTE")
        term.click()
        assert note.is_visible()
        assert "dissident teachers' union" in note.inner_text()
        box = note.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width][0]
        word = term.bounding_box()  # the word keeps the focus, and stays in sight
        overlaps = not (
            box["x"] >= word["x"] + word["width"]
            or word["x"] >= box["x"] + box["width"]
            or box["y"] >= word["y"] + word["height"]
            or word["y"] >= box["y"] + box["height"]
        )
        assert not overlaps, (box, word)
        assert 0 <= box["y"] and box["y"] + box["height"] <= WIDTHS[width][1]
        page.keyboard.press("Escape")
        assert not note.is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_images_arrive_at_a_fitting_size_without_moving_the_text(
    browser, live_server, reader_archive, width
):
    """The lead image is in view at once, in a copy about as wide as it is shown; the text's
    image waits until it is scrolled near; nothing moves when either arrives."""
    context, page = open_reader(browser, width)
    page.add_init_script(
        "window.shifts = 0; new PerformanceObserver(list => { for (const e of "
        "list.getEntries()) if (!e.hadRecentInput) window.shifts += e.value; })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    page.goto(live_server.url + reader_archive.get_absolute_url())
    lead = page.locator(".lead-figure img")
    lead.evaluate("img => img.decode()")
    shown = lead.evaluate("img => img.getBoundingClientRect().width")
    chosen = lead.evaluate("img => img.currentSrc")
    chosen_width = int(re.search(r"-(\d+)w\.webp$", chosen).group(1))
    assert shown <= chosen_width < 2 * shown + 320, (shown, chosen)
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
    inside = page.locator(".article-body figure img")
    assert inside.get_attribute("loading") == "lazy"
    inside.scroll_into_view_if_needed()
    inside.evaluate("img => img.decode()")
    assert inside.evaluate("img => img.naturalWidth") > 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.shifts") == 0
    context.close()


def test_the_header_is_compact_and_search_opens_without_script(
    browser, live_server, reader_archive
):
    """On a phone the sections stay on one line and search is behind a button (details and
    summary: no script); the header is about half the height it was (179 px)."""
    context, page = open_reader(browser, "phone", java_script_enabled=False)
    try:
        page.goto(live_server.url + "/")
        nav = page.locator(".site-nav ul")
        link_height = page.locator(".site-nav a").first.bounding_box()["height"]
        assert nav.bounding_box()["height"] < 1.5 * link_height  # one line
        assert page.locator(".site-header").bounding_box()["height"] <= 110
        field = page.locator("#site-search")
        assert not field.is_visible()
        page.locator(".header-search summary").click()
        field.fill("teachers")
        field.press("Enter")
        page.wait_for_url("**/search/?q=teachers")
        assert "Teachers march on the Zócalo" in page.content()
    finally:
        context.close()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_reader_pages_do_not_move_as_they_load(browser, live_server, reader_archive, width):
    """No layout shift (the headline face shows only if it is there at once: font-display
    optional; every image has its size)."""
    context, page = open_reader(browser, width)
    page.add_init_script(
        """window.__shift = 0;
        new PerformanceObserver(list => {
            for (const entry of list.getEntries())
                if (!entry.hadRecentInput) window.__shift += entry.value;
        }).observe({type: "layout-shift", buffered: true});"""
    )
    shifts = {}
    try:
        for name in ["home", "article", "story", "search", "page"]:
            page.goto(live_server.url + pages(reader_archive)[name], wait_until="load")
            page.wait_for_timeout(300)
            shifts[name] = page.evaluate("window.__shift")
    finally:
        context.close()
    assert all(value < 0.01 for value in shifts.values()), shifts


def test_the_article_grid_lines_up_and_the_lead_image_is_wide(browser, live_server, reader_archive):
    """Headline, dek, attribution and text share one left edge; the lead image is at least
    the text's width, wider beside the side column at 1,280 px, where the story box sits."""
    context, page = open_reader(browser)
    try:
        page.goto(live_server.url + reader_archive.get_absolute_url())
        box = {
            name: page.locator(selector).first.bounding_box()
            for name, selector in [
                ("headline", ".article-header h1"),
                ("dek", ".dek"),
                ("attribution", ".attribution"),
                ("text", ".article-body"),
                ("lead", ".lead-figure img"),
                ("story", ".thread-box"),
            ]
        }
        lefts = {round(box[name]["x"]) for name in ["headline", "dek", "attribution", "text"]}
        assert len(lefts) == 1, box
        assert box["lead"]["width"] > box["text"]["width"] + 200
        assert box["story"]["x"] > box["text"]["x"] + box["text"]["width"]  # beside the text
    finally:
        context.close()


SHOTS = os.environ.get("SCREENSHOTS")  # a folder: `make screenshots` writes docs/screenshots/


@pytest.mark.skipif(not SHOTS, reason="only to retake the pictures (make screenshots)")
def test_take_the_readers_screenshots(browser, live_server, reader_archive):
    """Home, article, story, search and a page at 390 and 1,280 px, light and dark."""
    folder = Path(SHOTS) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    headlines = [
        "Peru breaks relations with Mexico over an asylum",
        "Lithium becomes the nation's property",
        "Zapatista communities open their schools to visitors",
        "Water shortages reach a third of Mexico City",
        "A union vote at the General Motors plant",
        "Mining concessions fall to their lowest in decades",
    ]
    for i, headline in enumerate(headlines):
        ArticleFactory(
            headline=headline,
            source=reader_archive.source if i % 2 else SourceFactory(name="Desinformémonos"),
            topics=list(reader_archive.topics.all()),
            lead_image=ImageFactory(alt=headline) if i % 3 == 0 else None,
            published_at=reader_archive.published_at - datetime.timedelta(days=i + 1),
        )
    shown = {name: pages(reader_archive)[name] for name in ["home", "article", "story", "page"]}
    shown["search"] = "/search/?q=teachers"
    for width in ["desktop", "phone"]:
        for scheme in ["light", "dark"]:
            context, page = open_reader(browser, width, color_scheme=scheme)
            try:
                for name, url in shown.items():
                    page.goto(live_server.url + url, wait_until="networkidle")
                    page.wait_for_function(
                        "[...document.images].every(i => i.complete || i.loading === 'lazy')"
                    )
                    page.screenshot(
                        path=folder / f"{name}-{WIDTHS[width][0]}-{scheme}.jpg",
                        type="jpeg",
                        quality=70,
                    )
            finally:
                context.close()
