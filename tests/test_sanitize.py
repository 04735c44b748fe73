"""Editors' Markdown is rendered and sanitized: nothing in it can run in a reader's browser."""

import json
import re
from html.parser import HTMLParser

import pytest

from articles.markup import render_markdown
from articles.models import Article
from tests.factories import ArticleFactory, RelatedStoryFactory

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<img src="javascript:alert(1)">',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<img src="jav&#x09;ascript:alert(1)">',
    '<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<body onload="alert(1)">',
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JAVASCRIPT:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="java\nscript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="#" onclick="alert(1)">click</a>',
    '<a href="https://ok.example" onmouseover="alert(1)">hover</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    '![x](https://ok.example/i.png "title" onerror="alert(1)")',
    "[x]: javascript:alert(1)\n\n[link][x]",
    "<javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">x</details>',
    '<video><source onerror="alert(1)"></video>',
    '<audio src=x onerror="alert(1)">',
    '<marquee onstart="alert(1)">x</marquee>',
    "<base href=javascript:alert(1)//>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<img """><script>alert(1)</script>">',
    "<<script>alert(1);//<</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<p>ok</p>{: onclick=alert(1) }",
    'Paragraph\n{: onclick="alert(1)" }',
    '<a href="javascript:123">click</a>',
    "[click](javascript:123)",
    '<a href="javascript:0">click</a>',
]

SAFE_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "sub", "sup",
    "small", "blockquote", "q", "cite", "ul", "ol", "li", "a", "img", "code", "pre", "table",
    "thead", "tbody", "tr", "th", "td",
    # the page's own chrome around the article
    "html", "head", "body", "main", "header", "footer", "nav", "article", "aside", "section",
    "div", "span", "time", "title", "link", "meta", "form", "input", "label", "button",
    "select", "option", "mark", "details", "summary", "svg", "circle", "path",
}  # fmt: skip
# the site's head, header and search form (behind a button: details, summary, its icon)
CHROME_ONLY = {
    "link", "meta", "form", "input", "label", "button", "select", "option", "details", "summary",
    "svg", "circle", "path",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "background", "cite", "xlink:href", "formaction"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_inert(html: str, page_chrome: bool = False):
    """Parse ``html`` as a browser would and fail on anything that could run script."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.elements:
        if page_chrome and tag == "script" and attrs == [("type", "application/ld+json")]:
            continue  # the page's own JSON-LD: data, not script
        assert tag in SAFE_TAGS, f"<{tag}> in {html!r}"
        if tag in CHROME_ONLY:
            assert page_chrome, f"<{tag}> in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= on <{tag}> in {html!r}"
            assert name != "style", f"style= on <{tag}> in {html!r}"
            if name in URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)
                assert (
                    len(scheme) == 1
                    or scheme[0] in {"http", "https", "mailto"}
                    or ("/" in scheme[0] or "?" in scheme[0] or "#" in scheme[0])
                ), f"{name}={value!r} on <{tag}>"


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_markdown_pipeline_neutralizes(vector):
    assert_inert(render_markdown(vector))


def test_corpus_is_large():
    assert len(XSS_VECTORS) >= 50


def test_safe_markup_survives():
    html = render_markdown(
        '## Sub\n\nSome *emphasis*, **strong**, a [link](https://example.org/ "t").\n\n'
        "> quoted\n\n- one\n- two\n\n![Alt text](https://example.org/i.png)"
    )
    assert "<h2>Sub</h2>" in html
    assert '<a href="https://example.org/" title="t">link</a>' in html
    assert "<blockquote>" in html and "<ul>" in html
    assert '<img loading="lazy" src="https://example.org/i.png" alt="Alt text">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("vector", XSS_VECTORS[:25])
def test_article_page_never_renders_vectors(client, vector):
    article = ArticleFactory(headline=vector[:300], dek=vector[:500], body=vector)
    RelatedStoryFactory(article=article, title=vector[:300], summary=vector)
    page = client.get(article.get_absolute_url()).content.decode()
    assert_inert(page, page_chrome=True)
    assert_inert(page.split("<main", 1)[1].split("</main>", 1)[0])
    assert page.lower().count("<script") == 1  # only the JSON-LD block
    json_ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(json_ld)["headline"] == vector[:110]


@pytest.mark.parametrize("text", ["a \x02klzzwxh:0000\x03 b", "bell\x07 and nul\x00 and esc\x1b"])
def test_control_characters_never_reach_the_html(text):
    html = render_markdown(text)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html), html


@pytest.mark.django_db
def test_control_characters_in_any_text_leave_the_feeds_working(client, editor_client):
    from django.urls import reverse

    ArticleFactory(headline="Bell\x07 in the headline", dek="A dek\x1b.", body="Text\x08.")
    pasted = "Pasted headline\n\nBefore \x02klzzwxh:0000\x03 after.\n\nMore \x07text.\n"
    editor_client.post(reverse("admin:articles_article_paste"), {"text": pasted})
    Article.objects.update(status=Article.Status.PUBLISHED)
    for article in Article.objects.all():
        for field in ["headline", "dek", "body", "body_html"]:
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", getattr(article, field))
    for feed in ["/feed/rss/", "/feed/atom/"]:
        response = client.get(feed)
        assert response.status_code == 200, feed
        assert "Before klzzwxh:0000 after." in response.content.decode(), feed
