"""The checks every browser test makes of a page (``conftest.check_page``) see what they
should: the dark colour scheme's colours as they end, not halfway through a fade."""

import pytest

from tests.browser.conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)

# Good contrast in the light scheme; in the dark one, grey on black after a 3-second fade.
FADING_INTO_BAD_CONTRAST = """() => {
  document.querySelector("main").insertAdjacentHTML("beforeend", "<p id=fading>Some words</p>");
  const sheet = new CSSStyleSheet();
  sheet.replaceSync("#fading { color: #fff; background: #000; transition: color 3s }"
    + " @media (prefers-color-scheme: dark) { #fading { color: #333 } }");
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""


def test_the_dark_scheme_is_checked_as_it_ends_not_mid_fade(open_as, live_server):
    page = open_as(None)
    page.goto(live_server.url + "/")
    page.evaluate(FADING_INTO_BAD_CONTRAST)
    with pytest.raises(AssertionError, match=r", dark: color-contrast"):
        check_page(page, "a paragraph fading into grey")
    assert page.evaluate("document.adoptedStyleSheets.length") == 1  # the check's sheet gone
