"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded
browser), against Django's live server, with axe-core checking every page visited."""

import os

import pytest
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="package", autouse=True)
def _synchronous_database_calls():
    """Playwright's synchronous API runs an event loop in the tests' thread (from the first
    browser test until ``browser`` closes, at the end of this package), which makes Django
    refuse the tests' own synchronous, safe, database calls. Allowed for this package only:
    left in the environment, it would reach later tests' subprocesses (``check --deploy``
    rejects it)."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="package")
def browser(_synchronous_database_calls):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(user, width="desktop")``: a fresh browser context (signed in as ``user``
    when given) and a page in it."""
    contexts = []

    def open_page(user=None, width="desktop"):
        w, h = WIDTHS[width]
        context = browser.new_context(viewport={"width": w, "height": h})
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


# A style sheet made in script (the pages' Content-Security-Policy refuses inline styles):
# with ``true`` stops every transition, with ``false`` takes itself away.
TRANSITIONS_STOPPED = """stop => {
  const sheets = [...document.adoptedStyleSheets].filter(sheet => !sheet.stopsTransitions);
  if (stop) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync("*, *::before, *::after { transition: none !important; }");
    sheet.stopsTransitions = true;
    sheets.push(sheet);
  }
  document.adoptedStyleSheets = sheets;
}"""


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it stands, one line each (empty: none)."""
    from axe_playwright_python.sync_playwright import Axe

    # WCAG 2.2's target size (24 × 24 CSS pixels) too, which axe leaves out unless asked;
    # the details of violations only (of every rule's passes too, the answer is large and slow)
    options = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
    results = Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        + f" [{(v['nodes'][0].get('failureSummary') or '').splitlines()[-1].strip()}]"
        for v in results.response["violations"]
    ]


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


CLIPPED = """() => [...document.querySelectorAll('body *:not(input, textarea, select)')]
  .filter(e => {
    const style = getComputedStyle(e);
    return ['hidden', 'clip'].includes(style.overflowX) && e.clientWidth > 1
        && e.scrollWidth > e.clientWidth + 1
        && style.textOverflow !== 'ellipsis' && e.getClientRects().length;
}).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')
    + ` (${e.clientWidth} px for ${e.scrollWidth}: ${(e.innerText || '').slice(0, 40)})`)"""


def check_page(page, label=""):
    """What every page visited in a browser test must satisfy: no axe violation, in the light
    colour scheme and the dark one; nothing cut off by a box too narrow for it; and no
    sideways scrolling at its width."""
    label = label or page.url
    assert page.locator("form form").count() == 0, f"{label}: a form inside a form"
    violations = axe_violations(page)
    assert violations == [], f"{label}: " + " | ".join(violations)
    # The admin's buttons fade into their new colours: with transitions stopped, the dark
    # scheme's colours are there at once (rather than waiting for each fade to end).
    page.evaluate(TRANSITIONS_STOPPED, True)
    page.emulate_media(color_scheme="dark")
    try:
        violations = axe_violations(page)
        assert violations == [], f"{label}, dark: " + " | ".join(violations)
    finally:
        page.emulate_media(color_scheme="light")
        page.evaluate(TRANSITIONS_STOPPED, False)
    clipped = page.evaluate(CLIPPED)
    assert clipped == [], f"{label}: cut off: {clipped}"
    assert not scrolls_sideways(page), f"{label} scrolls sideways"
