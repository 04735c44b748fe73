"""The translation memory: paragraphs paired as the side-by-side page pairs them, kept as rows
when an article is saved, suggestions from published translations only, the concordance,
and the glossary's agreed renderings checked paragraph by paragraph."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import glossary, languages, memory, pairing
from articles.models import Article, GlossaryTerm, ParagraphPair
from tests.factories import ArticleFactory, ImageFactory, SourceFactory

ORIGINAL = (
    "Los maestros de la Coordinadora marcharon ayer por el centro de Oaxaca.\n\n"
    "Exigieron la reinstalación de los despedidos y el pago de los salarios caídos.\n\n"
    "La marcha terminó en el Zócalo, donde instalaron un plantón."
)
BODY = (
    "The teachers of the Coordinadora marched through the center of Oaxaca yesterday.\n\n"
    "They demanded the reinstatement of those dismissed and their lost wages.\n\n"
    "The march ended in the Zócalo, where they set up a sit-in."
)


def translated(original=ORIGINAL, body=BODY, **fields):
    return ArticleFactory(original_body=original, body=body, original_language="es", **fields)


# -- Pairing ----------------------------------------------------------------------------------


def test_paragraphs_pair_by_position_and_leftovers_are_never_shifted():
    image = "![](image:4)"
    pairs = pairing.align("Uno.\n\nDos.\n\nTres.", f"One.\n\n{image}\n\nTwo.", "")
    assert [(p.position, p.original, p.translation) for p in pairs] == [
        (0, "Uno.", "One."),
        (1, "Dos.", "Two."),  # the image line is the translation's own
        (2, "Tres.", ""),  # not translated yet: shown as such
    ]
    more = pairing.align("Uno.", "One.\n\nTwo.")
    assert [(p.original, p.translation) for p in more] == [("Uno.", "One."), ("", "Two.")]
    headed = pairing.align("El titular\n\nUno.", "One.", original_headline="El titular")
    assert [(p.original, p.translation) for p in headed] == [("Uno.", "One.")]
    assert pairing.align("", "") == [] and pairing.align("\n\n  \n", "One.")[0].original == ""


@pytest.mark.django_db
def test_the_side_by_side_page_pairs_as_the_memory_does(client):
    article = translated(
        body=BODY.replace("\n\nThey demanded", "\n\n![](image:1)\n\nThey demanded")
    )
    page = client.get(article.get_absolute_url() + "original/").content.decode()
    first = page.index("Exigieron") if "Exigieron" in page else -1
    assert first > 0 and page.index("They demanded") > first  # the second pair, together
    pairs = ParagraphPair.objects.filter(article=article)
    assert [p.translation[:8] for p in pairs] == ["The teac", "They dem", "The marc"]


# -- Building ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_an_article_keeps_its_pairs_in_two_statements():
    article = translated()
    assert ParagraphPair.objects.filter(article=article).count() == 3
    pair = ParagraphPair.objects.get(article=article, position=2)
    assert pair.original.startswith("La marcha") and pair.translation.startswith("The march")
    assert pair.config == "spanish" and pair.published_at == article.published_at
    article.body = BODY.rsplit("\n\n", 1)[0]  # the last paragraph taken out
    with CaptureQueriesContext(connection) as queries:
        memory.rebuild([article.pk])
    assert len(queries) == 3  # the articles, delete, insert
    assert ParagraphPair.objects.get(article=article, position=2).translation.startswith("The")
    article.save()
    assert ParagraphPair.objects.get(article=article, position=2).translation == ""
    article.original_body = ""
    article.save()
    assert not ParagraphPair.objects.filter(article=article).exists()


@pytest.mark.django_db(transaction=True)
def test_the_whole_archive_is_paired_by_a_command_its_indexes_built_again():
    first, second = translated(), translated(original="Uno.\n\nDos.", body="One.")
    ArticleFactory(original_body="")  # nothing to pair
    ParagraphPair.objects.filter(article=first).delete()  # an archive from before the memory
    ParagraphPair.objects.filter(article=second).update(translation="stale")
    out = io.StringIO()
    call_command("build_paragraph_pairs", stdout=out)
    assert "5 pairs of 2 articles" in out.getvalue()
    assert ParagraphPair.objects.filter(article=first).count() == 3
    assert list(
        ParagraphPair.objects.filter(article=second).values_list("original", "translation")
    ) == [("Uno.", "One."), ("Dos.", "")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s",
            [ParagraphPair._meta.db_table],
        )
        found = {row[0] for row in cursor.fetchall()}
    assert {index.name for index in ParagraphPair._meta.indexes} <= found
    hits, _ = memory.concordance("salarios caidos")  # read through the index again
    assert [hit.article_id for hit in hits] == [first.pk]


@pytest.mark.django_db
def test_a_language_postgresql_cannot_stem_is_read_word_for_word():
    assert languages.search_config("es") == "spanish"
    assert languages.search_config("pt-BR") == "portuguese"
    assert languages.search_config("nah") == languages.WORD_FOR_WORD == "simple"
    article = translated(original="Tlamatinime otlahtohqueh.", body="The wise ones spoke.")
    Article.objects.filter(pk=article.pk).update(original_language="nah")
    article.refresh_from_db()
    memory.rebuild([article.pk])
    assert ParagraphPair.objects.get(article=article).config == "simple"


@pytest.mark.django_db
def test_odd_originals_are_kept_honestly():
    none = translated(original="   \n\n  ", body="Text.")
    assert not ParagraphPair.objects.filter(article=none).exists()
    long = translated(
        original="\n\n".join(f"Párrafo {n}." for n in range(2000)),
        body="\n\n".join(f"Paragraph {n}." for n in range(1990)),
    )
    assert ParagraphPair.objects.filter(article=long).count() == 2000
    assert ParagraphPair.objects.get(article=long, position=1999).translation == ""
    marked = translated(original="<b>Negritas</b> y \x07control.", body="Bold and control.")
    pair = ParagraphPair.objects.get(article=marked)
    assert "\x07" not in pair.original and pair.original.startswith("<b>Negritas</b>")


# -- Suggestions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_closest_published_paragraphs_are_suggested_best_first():
    near = translated()
    translated(
        original="Los maestros marcharon ayer por Oaxaca.\n\nOtro párrafo sobre el agua.",
        body="The teachers marched through Oaxaca yesterday.\n\nAnother about water.",
    )
    found = memory.suggestions(
        "Los maestros de la Coordinadora marcharon ayer por el centro de Oaxaca.", "es"
    )
    assert found[0].translation.startswith("The teachers of the Coordinadora")
    assert found[0].share == 1.0 and found[0].article_id == near.pk
    assert found[1].translation == "The teachers marched through Oaxaca yesterday."
    assert 0.3 <= found[1].share < 1.0
    assert len(found) == 2  # the water paragraph shares too little
    accents_aside = memory.suggestions(
        "los MAESTROS de la coordinadora marcharon ayer por el centro de oaxaca", "es"
    )
    assert accents_aside[0].share == 1.0
    assert (
        memory.suggestions("Los maestros marcharon.", "es", exclude_article=near.pk)[0].article_id
        != near.pk
    )


@pytest.mark.django_db
def test_drafts_scheduled_and_untranslated_paragraphs_never_suggest():
    translated(status=Article.Status.DRAFT)
    translated(status=Article.Status.REVIEW)
    translated(published_at=timezone.now() + datetime.timedelta(days=1))
    translated(body="Only the first paragraph is translated.")
    assert memory.suggestions("Exigieron la reinstalación de los despedidos.", "es") == []
    visible = memory.suggestions("Los maestros de la Coordinadora marcharon ayer.", "es")
    assert [s.translation for s in visible] == ["Only the first paragraph is translated."]


@pytest.mark.django_db
def test_suggestions_cost_two_queries_whatever_the_memory_holds():
    for _ in range(5):
        translated()
    with CaptureQueriesContext(connection) as queries:
        memory.suggestions("Los maestros marcharon por el centro de Oaxaca.", "es")
    assert len(queries) <= 3  # the words looked up (the statistics once a process), the pairs
    assert memory.suggestions("", "es") == [] and memory.suggestions("...", "es") == []


# -- The concordance ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_concordance_finds_a_phrase_in_originals_or_translations_newest_first():
    jornada = SourceFactory(name="La Jornada", slug="la-jornada")
    old = translated(source=jornada, published_at=timezone.now() - datetime.timedelta(days=400))
    new = translated(source=SourceFactory(name="Proceso", slug="proceso"))
    translated(status=Article.Status.DRAFT)
    hits, more = memory.concordance("salarios caídos")
    assert [hit.article_id for hit in hits] == [new.pk, old.pk] and not more
    assert (
        f"{memory.START}salarios{memory.STOP} {memory.START}caídos{memory.STOP}" in hits[0].original
    )
    assert hits[0].translation.startswith("They demanded")
    hits, _ = memory.concordance("salarios caidos", source=jornada.pk)  # accents aside
    assert [hit.article_id for hit in hits] == [old.pk]
    # Folded before PostgreSQL reads them, on both sides: Spanish stemming keeps the ñ and
    # English keeps every accent.
    child = translated(original="Un niño en el Zócalo.", body="A child in the Zócalo.")
    assert [hit.article_id for hit in memory.concordance("nino")[0]] == [child.pk]
    zocalo = memory.concordance("Zocalo", side=memory.TRANSLATIONS)[0]
    assert child.pk in [hit.article_id for hit in zocalo]
    hits, _ = memory.concordance("lost wages", side=memory.TRANSLATIONS)
    assert len(hits) == 2 and memory.START in hits[0].translation
    assert memory.concordance('"wages lost"', side=memory.TRANSLATIONS)[0] == []
    year = timezone.localtime(old.published_at).year
    assert [h.article_id for h in memory.concordance("plantón", year=year)[0]] == [old.pk]
    for nothing in ["", "-salarios", "!!!", "x" * 5000]:
        assert memory.concordance(nothing)[0] == []
    assert memory.concordance("salarios", page=99)[0] == []


# -- Renderings -----------------------------------------------------------------------------------


@pytest.fixture
def cnte():
    return GlossaryTerm.objects.create(
        term="CNTE",
        slug="cnte",
        explanation="A dissident teachers' union.",
        original_forms="Coordinadora\nCNTE",
        rendering="Coordinadora",
    )


@pytest.mark.django_db
def test_a_paragraph_whose_translation_lacks_the_agreed_rendering_is_flagged(cnte):
    kept = translated()
    assert kept.rendering_gaps == []
    lost = translated(body=BODY.replace("of the Coordinadora ", "of the union "))
    assert lost.rendering_gaps == [
        {"paragraph": 1, "term": "cnte", "form": "Coordinadora", "rendering": "Coordinadora"}
    ]
    cnte.rendering = "National Coordinating Committee"
    cnte.save()  # every article using the term is checked again
    kept.refresh_from_db()
    assert kept.rendering_gaps[0]["rendering"] == "National Coordinating Committee"
    cnte.delete()
    kept.refresh_from_db()
    assert kept.rendering_gaps == []


def test_forms_with_regex_or_sql_syntax_match_as_written():
    terms = [("4t", ["(4T)", "100% mexicano", "'; DROP TABLE x; --"], "Fourth Transformation")]
    pairs = pairing.align(
        "El gobierno de la (4T) dijo.\n\nEs 100% mexicano.\n\n'; DROP TABLE x; -- ok",
        "The (4T) government said.\n\nIt is all Mexican.\n\nok",
    )
    gaps = glossary.rendering_gaps(pairs, terms)
    assert [gap["paragraph"] for gap in gaps] == [1, 2, 3]
    assert glossary.rendering_gaps(pairs, [("x", ["(4T)"], "")]) == []  # nothing agreed yet


@pytest.mark.django_db
def test_glossary_renderings_reach_the_workspace_from_one_cached_list(cnte):
    with CaptureQueriesContext(connection) as queries:
        first = GlossaryTerm.objects.for_translating()
        again = GlossaryTerm.objects.for_translating()
    assert first == again == [("cnte", ["Coordinadora", "CNTE"], "Coordinadora")]
    assert len(queries) == 1


@pytest.mark.django_db
def test_an_image_in_the_translation_is_no_paragraph_of_it():
    image = ImageFactory()
    article = translated(body=BODY.replace("\n\n", f"\n\n![](image:{image.pk})\n\n", 1))
    assert ParagraphPair.objects.filter(article=article).count() == 3
    assert "image:" not in "".join(p.translation for p in ParagraphPair.objects.all())


# -- How the memory is read at scale ----------------------------------------------------------


@pytest.mark.django_db
def test_suggestions_are_found_through_the_index_of_words_not_the_newest_articles():
    translated()
    with CaptureQueriesContext(connection) as queries:
        found = memory.suggestions("Los maestros de la Coordinadora marcharon ayer.", "es")
    assert found
    # No order asked of PostgreSQL: ordered, it reads the newest articles' pairs one by one
    # until enough match (thousands of pairs at 100,000 articles; benchmark_memory).
    read = [
        q["sql"] for q in queries.captured_queries if 'FROM "articles_paragraphpair"' in q["sql"]
    ]
    assert len(read) == 1 and "ORDER BY" not in read[0].upper()


@pytest.mark.django_db
def test_the_concordance_walks_the_newest_pairs_only_for_common_words(monkeypatch):
    old = translated(published_at=timezone.now() - datetime.timedelta(days=400))
    new = translated()
    orders = {}
    for name, frequencies in [("common", {"salari": 0.5, "caid": 0.2}), ("rare", {})]:
        monkeypatch.setattr(memory, "_frequencies", lambda column, f=frequencies: f)
        with CaptureQueriesContext(connection) as queries:
            hits, _ = memory.concordance('"salarios caídos"')
        assert [hit.article_id for hit in hits] == [new.pk, old.pk], name
        read = [
            q["sql"]
            for q in queries.captured_queries
            if 'FROM "articles_paragraphpair"' in q["sql"]
        ]
        orders[name] = read[0].split("ORDER BY")[1]
    assert "interval" not in orders["common"]  # read newest first from the index of times
    assert "interval '0 seconds'" in orders["rare"]  # found in the index of words, then sorted
