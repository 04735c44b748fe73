"""The glossary: the first use of each term in an article is explained inline (accents and
case do not matter, whole words only, never in a link or a heading); the glossary page; terms
edited or deleted later; feeds and teasers keep the text as written."""

import pytest
from django.urls import reverse

from articles import glossary
from articles.models import Article, GlossaryTerm
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

MANANERA = "The president's daily morning press conference."


@pytest.fixture
def mananera():
    return GlossaryTerm.objects.create(
        term="Mañanera", slug="mananera", explanation=MANANERA, url="https://example.org/m"
    )


def explained(article) -> list[str]:
    """The words, as written, that carry an explanation."""
    import re

    return re.findall(
        r'<button type="button" class="term"[^>]*>([^<]*)</button>', article.body_html
    )


def test_the_first_use_is_explained_accents_and_case_aside(mananera):
    article = ArticleFactory(
        body="At Tuesday's MANANERA the president spoke.\n\nAnother mañanera followed."
    )
    assert explained(article) == ["MANANERA"]
    assert article.glossary_terms == ["mananera"]
    assert (
        '<span class="term-note" id="term-mananera" popover><strong>Mañanera</strong>: '
        "The president&#x27;s daily morning press conference. "
        '<a href="https://example.org/m">Read more</a></span>' in article.body_html
    )
    assert "Another mañanera followed." in article.body_html


def test_whole_words_only_and_never_in_links_or_headings(mananera):
    article = ArticleFactory(
        body="First.\n\n## The mañanera\n\nSee [the mañanera](https://example.org/x) "
        "and the mañaneras.\n\nThen the mañanera itself."
    )
    assert explained(article) == ["mañanera"]
    assert article.body_html.index("term-mananera") > article.body_html.index("Then the")


def test_a_term_is_whole_at_both_ends(mananera):
    article = ArticleFactory(body="The supermañanera and the mañanerazo.\n\nThe mañanera.")
    assert explained(article) == ["mañanera"]
    assert "The supermañanera and the mañanerazo." in article.body_html


@pytest.mark.parametrize(
    "html",
    [
        '<p><img alt="a > mañanera" src="https://x.org/a.png"> and the mañanera.</p>',
        "<p><img alt='a > mañanera' src=\"https://x.org/a.png\"> and the mañanera.</p>",
        '<p><a title="x > mañanera" href="https://x.org/">link</a> and the mañanera.</p>',
        '<p><q cite="https://x.org/?a>mañanera">quoted</q> and the mañanera.</p>',
    ],
)
def test_a_term_inside_an_attribute_value_is_left_alone(mananera, html):
    explained_html, used = glossary.explain(html, GlossaryTerm.objects.for_rendering())
    assert used == ["mananera"]
    assert explained_html.count("<button") == 1
    assert explained_html.index("<button") > explained_html.index("and the")
    assert explained_html.startswith(html[: html.index(" and the")])


def test_terms_of_several_words_and_several_terms(mananera):
    GlossaryTerm.objects.create(
        term="Fourth Transformation", slug="4t", explanation="The governing project."
    )
    article = ArticleFactory(body="The Fourth\nTransformation and the mañanera.")
    assert explained(article) == ["Fourth\nTransformation", "mañanera"]
    assert sorted(article.glossary_terms) == ["4t", "mananera"]


def test_a_term_added_edited_or_deleted_later_updates_the_articles(client):
    article = ArticleFactory(body="The mañanera began at seven.")
    two_words = ArticleFactory(body="The Fourth\nTransformation.")
    GlossaryTerm.objects.create(term="Fourth Transformation", slug="4t", explanation="X.")
    two_words.refresh_from_db()
    assert explained(two_words) == ["Fourth\nTransformation"]
    assert explained(article) == []
    term = GlossaryTerm.objects.create(term="Mañanera", slug="mananera", explanation="Old.")
    article.refresh_from_db()
    assert explained(article) == ["mañanera"] and article.glossary_terms == ["mananera"]
    term.explanation = "New explanation."
    term.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "New explanation." in page and "Old." not in page
    term.delete()
    article.refresh_from_db()
    assert explained(article) == [] and article.glossary_terms == []
    assert "The mañanera began at seven." in article.body_html


def test_feeds_and_teasers_keep_the_text_as_written(client, mananera):
    article = ArticleFactory(dek="", body="At the mañanera the president spoke.")
    assert article.teaser == "At the mañanera the president spoke."
    atom = client.get("/feed/atom/").content.decode()
    assert "At the mañanera the president spoke." in atom
    assert "popover" not in atom and MANANERA.replace("'", "&#x27;") not in atom


def test_the_glossary_page_lists_terms_with_the_articles_that_use_them(client, mananera):
    used = ArticleFactory(headline="Morning news", body="The mañanera.")
    ArticleFactory(headline="Secret draft", body="The mañanera.", draft=True)
    GlossaryTerm.objects.create(term="Ejido", slug="ejido", explanation="Communal land.")
    html = client.get(reverse("articles:glossary")).content.decode()
    assert '<dt id="mananera">Mañanera</dt>' in html and '<dt id="ejido">Ejido</dt>' in html
    assert f'<a href="{used.get_absolute_url()}">Morning news</a>' in html
    assert "Secret draft" not in html
    assert html.index('id="ejido"') < html.index('id="mananera"')


def test_explanations_are_escaped(client):
    GlossaryTerm.objects.create(
        term="Ejido", slug="ejido", explanation="<img src=x onerror=alert(1)>", url=""
    )
    article = ArticleFactory(body="An ejido in Oaxaca.")
    assert "<img" not in article.body_html and "&lt;img" in article.body_html


def test_without_terms_the_body_is_untouched():
    article = ArticleFactory(body="The mañanera.")
    assert article.body_html == "<p>The mañanera.</p>"
    assert glossary.explain("<p>x</p>", GlossaryTerm.objects.for_rendering()) == ("<p>x</p>", [])


def test_editors_keep_the_glossary_translators_do_not(editor_client, translator_client):
    assert editor_client.get(reverse("admin:articles_glossaryterm_add")).status_code == 200
    assert translator_client.get(reverse("admin:articles_glossaryterm_add")).status_code == 403
    assert Article.objects.count() == 0


def test_the_glossary_page_shows_each_terms_five_newest_articles(client, mananera):
    import datetime

    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(days=30)
    for n in range(7):
        ArticleFactory(
            headline=f"Conference {n}",
            body="The mañanera.",
            published_at=start + datetime.timedelta(days=n),
        )
    ejido = GlossaryTerm.objects.create(term="Ejido", slug="ejido", explanation="Land.")
    ArticleFactory(headline="Land reform", body="The ejido voted.")
    html = client.get(reverse("articles:glossary")).content.decode()
    section = html[html.index('id="mananera"') :]
    shown = [n for n in range(7) if f">Conference {n}<" in section]
    assert shown == [2, 3, 4, 5, 6]
    assert section.index("Conference 6") < section.index("Conference 2")
    assert ">Land reform<" in html[html.index(f'id="{ejido.slug}"') : html.index('id="mananera"')]


@pytest.mark.parametrize("element", ["cite", "code", "a", "h2"])
def test_a_term_in_a_quotations_attribution_or_code_is_not_explained(mananera, element):
    """“— the mañanera's host” under a quotation names a source; it is not the first use."""
    attributes = ' href="https://x.org/"' if element == "a" else ""
    html = (
        f"<blockquote><p>Words.</p><p><{element}{attributes}>the mañanera</{element}></p>"
        "</blockquote><p>Later, the mañanera began.</p>"
    )
    explained_html, used = glossary.explain(html, GlossaryTerm.objects.for_rendering())
    assert used == ["mananera"]
    assert explained_html.count("<button") == 1
    assert explained_html.index("<button") > explained_html.index("Later, the")
