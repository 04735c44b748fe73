"""The Markdown pipeline (``articles.markup``): CommonMark through cmark-gfm, then the
sanitizer. Rendering is bounded in time by design (linear in the input, inputs bounded);
what the importers write (captions, nested lists, definition lists) renders as meant."""

import re
import signal
from contextlib import contextmanager

import pytest
from django.urls import reverse

from articles import markup
from articles.markup import render_markdown
from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_admin import form_data


@contextmanager
def hang_guard(seconds):
    """Fail, instead of hanging the suite, if the block runs for ``seconds`` (a guard against
    a parser that is quadratic again, not a speed target: these inputs render in
    milliseconds; Python-Markdown took minutes on the first one)."""

    def stop(signum, frame):
        raise AssertionError(f"still rendering after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 50_000,
        "[a](" * 20_000,
        "*_" * 40_000,
        "<div>" * 20_000,
        "> " * 50_000 + "deep",
        "&#" * 100_000,
        "![" * 50_000,
        "- a\n" * 50_000,
    ],
    ids=["brackets", "link-openers", "emphasis", "divs", "quotes", "entities", "images", "list"],
)
def test_the_worst_inputs_known_render_at_once(text):
    with hang_guard(20):
        html = render_markdown(text)
    assert html.strip()


@pytest.mark.django_db
def test_saving_and_previewing_a_hostile_body_is_bounded(editor_client):
    with hang_guard(20):
        article = ArticleFactory(body="[" * 6000)
        assert article.body_html.startswith("<p>[[[")
        response = editor_client.post(
            reverse("admin:articles_article_markdown_preview"), {"body": "[a](" * 20_000}
        )
    assert response.status_code == 200


def test_no_element_nests_deeper_than_the_sanitizer_can_afford():
    html = render_markdown("<div>" * 100 + "inside")
    assert html.count("<div>") == 0  # the sanitizer drops <div>s; the excess shows as text
    assert html.count("&lt;div&gt;") == 100 - markup.MAX_NESTING
    quotes = render_markdown("> " * 100 + "deep")
    assert quotes.count("<blockquote>") == markup.MAX_NESTING
    assert "deep" in quotes
    assert markup.bounded_nesting("<ol><li>a<li>b</ol>" * 3) == "<ol><li>a<li>b</ol>" * 3


@pytest.mark.django_db
def test_a_body_beyond_the_limit_is_refused_with_its_length(editor_client):
    body = "word " * (markup.MAX_CHARS // 5) + "over"
    response = editor_client.post(reverse("admin:articles_article_add"), form_data(body=body))
    errors = str(response.context["adminform"].form.errors["body"])
    assert f"at most {markup.MAX_CHARS:,}".replace(",", "") in errors.replace(",", "")
    assert not Article.objects.exists()


def test_markup_typed_around_a_link_is_never_lost_or_turned_into_placeholders():
    html = render_markdown('![img](x" onerror="alert(1))[js link](javascript:alert(1))')
    assert "klzzwxh" not in html and "onerror=" not in html.replace('onerror="alert', "")
    assert "js link" in html and "javascript:" not in html
    assert render_markdown("a klzzwxh:0000 b") == "<p>a klzzwxh:0000 b</p>"


def test_a_caption_line_is_a_caption_wherever_it_stands():
    gallery = (
        "- ![Canola](https://example.org/canola.jpg)\n\n"
        "  A field of canola,\n  in flower.\n  {: .caption }\n"
        "- ![Boat](https://example.org/boat.jpg)\n\n"
        "  A fishing boat\n  {: .caption }\n\n"
        "After the gallery.\n"
    )
    html = render_markdown(gallery)
    assert "{:" not in html
    assert html.count("<li>") == 2 and html.count("</ul>") == 1
    assert '<p class="caption">A field of canola,\nin flower.</p>' in html
    assert '<p class="caption">A fishing boat</p>' in html
    assert render_markdown("Under a photo\n{: .caption }") == '<p class="caption">Under a photo</p>'
    assert "{:" not in render_markdown("Text.\n\n{: .caption }\n")


def test_nested_lists_keep_their_levels_and_their_numbers():
    html = render_markdown(
        "1. ordered item\n2. ordered item\n   - unordered\n   - unordered\n"
        "     1. deeper\n     2. deeper\n3. ordered item\n4. ordered item\n\n"
        "Text between.\n\n3. starts at three\n4. four\n"
    )
    assert re.sub(r"\s", "", html).startswith(
        "<ol><li>ordereditem</li><li>ordereditem<ul><li>unordered</li><li>unordered<ol>"
        "<li>deeper</li><li>deeper</li></ol></li></ul></li><li>ordereditem</li>"
        "<li>ordereditem</li></ol>"
    )
    assert '<ol start="3">' in html


def test_definition_lists_are_kept():
    html = render_markdown("Startup\n:   A company.\n\nDo It Live\n:   Said on air.\n")
    assert html == (
        "<dl><dt>Startup</dt><dd>A company.</dd><dt>Do It Live</dt><dd>Said on air.</dd></dl>"
    )
    assert render_markdown("Not: a list\n:-)") == "<p>Not: a list\n:-)</p>"


def test_tables_strikethrough_and_line_breaks():
    html = render_markdown("| a | b |\n| --- | --- |\n| 1 | 2 |\n\n~~gone~~ and a  \nbreak")
    assert "<table>" in html and "<td>1</td>" in html
    assert "<del>gone</del>" in html and "<br>" in html


@pytest.mark.django_db
def test_render_bodies_renders_what_an_older_pipeline_stored():
    from io import StringIO

    from django.core.management import call_command

    stale = ArticleFactory(body="1. one\n   - nested\n2. two")
    fresh = ArticleFactory(body="Plain.")
    Article.objects.filter(pk=stale.pk).update(body_html="<p>1. one - nested</p>")
    out = StringIO()
    call_command("render_bodies", stdout=out)
    assert "1 of 2 articles rendered anew." in out.getvalue()
    stale.refresh_from_db()
    assert "<ol>" in stale.body_html and "<ul>" in stale.body_html
    fresh.refresh_from_db()
    assert fresh.body_html == "<p>Plain.</p>"
