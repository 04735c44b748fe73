"""A newsroom with some history, seen by an editor and a reader: every page checked like the
others, and, with ``SCREENSHOTS=<folder>`` (``make screenshots``), photographed for the
README."""

import datetime
import os
import random

import pytest
from django.utils import timezone

from articles.models import Article, Correction, OriginalUpdate
from tests.browser.conftest import check_page
from tests.factories import ArticleFactory, PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINAL = (
    "Miles de maestros de la Coordinadora Nacional de Trabajadores de la Educación marcharon "
    "ayer del Ángel de la Independencia al Zócalo capitalino.\n\n"
    "Exigieron la reinstalación de los docentes despedidos tras la reforma de 2013 y la "
    "abrogación de la ley del ISSSTE de 2007.\n\n"
    "“No nos vamos a ir hasta que nos escuchen”, dijo una maestra de Oaxaca que viajó 14 "
    "horas en autobús.\n\n"
    "La Secretaría de Gobernación informó que una mesa de diálogo se instalará el próximo "
    "lunes."
)
TRANSLATION = (
    "Thousands of teachers from the National Coordinating Committee of Education Workers "
    "marched yesterday from the Angel of Independence to the capital's Zócalo.\n\n"
    "They demanded the reinstatement of the teachers dismissed after the 2013 reform and the "
    "repeal of the 2007 ISSSTE law.\n\n"
    "“We are not leaving until they listen to us,” said a teacher from Oaxaca who travelled "
    "14 hours by bus.\n\n"
    "The Interior Ministry said a negotiating table would be set up next Monday."
)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def make_newsroom(translator):
    """A year of published translations from two sources, three articles in review, drafts
    (one stale), a scheduled one, and one whose original changed after it was translated."""
    today = timezone.localdate()
    jornada = SourceFactory(name="La Jornada", slug="la-jornada", language="es")
    proceso = SourceFactory(name="Proceso", slug="proceso", language="es")
    ana, ben = PersonFactory(name="Ana Ruiz"), PersonFactory(name="Ben Carter")
    article = ArticleFactory(
        headline="Teachers March to the Zócalo to Demand Reinstatement",
        body=TRANSLATION,
        original_body=ORIGINAL,
        original_language="es",
        original_headline="Maestros marchan al Zócalo",
        original_published_on=today - datetime.timedelta(days=2),
        source=jornada,
        translators=[ana],
    )
    rng = random.Random(1)
    for month in range(12):
        for n in range(3):
            age = 30 * month + 5 * n + 1
            ArticleFactory(
                source=rng.choice([jornada, proceso]),
                published_at=days_ago(age),
                original_published_on=today - datetime.timedelta(days=age + rng.randint(1, 9)),
            )
    for waited, headline in enumerate(
        ["Water Protest in Monterrey", "Lithium Law Challenged", "Mining Concessions Revoked"]
    ):
        in_review = ArticleFactory(
            headline=headline,
            status=Article.Status.REVIEW,
            translators=[rng.choice([ana, ben])],
            created_by=translator,
        )
        Article.objects.filter(pk=in_review.pk).update(status_changed_at=days_ago(2 * waited + 1))
    for headline in ["Drought in Sonora", "Electoral Reform Debate"]:
        ArticleFactory(headline=headline, draft=True, created_by=translator)
    stale = ArticleFactory(headline="Old Draft About Pensions", draft=True, created_by=translator)
    Article.objects.filter(pk=stale.pk).update(updated_at=days_ago(20))
    ArticleFactory(headline="Strike at the Refinery", scheduled=True)
    OriginalUpdate.objects.create(article=article, note="the ministry's statement added")
    Correction.objects.create(
        article=article, text="An earlier version misspelled the teacher's name."
    )
    return article


def test_a_newsroom_with_history(open_as, live_server, editor, translator):
    article = make_newsroom(translator)
    folder = os.environ.get("SCREENSHOTS")

    def check_and_shoot(page, name, label, **options):
        check_page(page, label)
        if folder:
            page.screenshot(path=os.path.join(folder, name), **options)

    page = open_as(editor)
    page.goto(f"{live_server.url}/admin/")
    assert page.locator(".desk-chart rect").count() == 12  # a bar for each month
    check_and_shoot(page, "desk.png", "the editor's desk", full_page=True)

    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.locator(".workspace-pairs > .pair").last.locator(".pair-translation").click()
    current = page.locator(".pair.current .pair-original")
    current.wait_for()
    assert current.input_value().startswith("La Secretaría de Gobernación")
    check_and_shoot(page, "translating.png", "the change form, translating")

    reader = open_as(None)
    reader.goto(live_server.url + article.get_absolute_url())
    reader.get_by_role("link", name="Read with the original, side by side").click()
    check_and_shoot(reader, "side-by-side.png", "side by side", full_page=True)

    mine = open_as(translator)
    mine.goto(f"{live_server.url}/admin/")
    check_page(mine, "the translator's desk")
    assert "Old Draft About Pensions" in mine.get_by_role("region", name="My drafts").inner_text()
