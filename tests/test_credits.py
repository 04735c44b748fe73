"""Credits in the shapes further translation sites write them, read by the general grammar
(dates in any common English or Spanish form, the archive's known sources as a gazetteer,
credit blocks of two or three short lines), and what it cannot read never published as new.
Parsing only, but for the import's status: no database."""

import datetime
from pathlib import Path

import pytest

from articles.dates import parse_date
from articles.importing.credits import read_attribution
from articles.importing.text_format import parse_article

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "text"
KNOWN_SOURCES = ("La Jornada", "Proceso", "Desinformémonos", "Sin Embargo", "Milenio")
D = datetime.date


def parse(name, sources=KNOWN_SOURCES):
    return parse_article((FIXTURES / name).read_text(encoding="utf-8"), sources=sources)


SHAPES = {
    # file: (source, description, date, authors, translators, original headline, gone)
    "written_by_shared_agreement.txt": (
        "Sin Embargo",
        "a leftist daily",
        D(2015, 8, 26),
        ["Mayela Sánchez"],
        [],
        "",
        ["content-sharing", "originally published"],
    ),
    "name_over_source_and_date.txt": (
        "La Jornada",
        "",
        D(2016, 3, 3),
        ["Luis Hernández Navarro"],
        [],
        "",
        ["Luis Hernández", "3rd March"],
    ),
    "from_the_editors.txt": (
        "Desinformémonos",
        "",
        D(2024, 9, 26),
        [],
        [],
        "",
        ["From the Editors", "26 September"],
    ),
    "first_published_on_by.txt": (
        "Proceso",
        "",
        D(2019, 7, 14),
        [],
        [],
        "",
        ["first published"],
    ),
    "extract_title_date_source.txt": (
        "Proceso",
        "Mexican weekly news magazine",
        D(2020, 5, 1),
        [],
        [],
        "El agua es de todos",
        ["Extract", "1 de mayo", "[Mexican"],
    ),
    "author_source_translator_block.txt": (
        "Proceso",
        "",
        D(2019, 7, 20),  # not the march's date in the text: the credit block's
        ["Marcela Turati"],
        ["Tomás Reyes"],
        "",
        ["Marcela Turati", "20th July", "Translated by"],
    ),
}


@pytest.mark.parametrize("name", SHAPES)
def test_a_credit_in_a_shape_not_seen_before_is_read(name):
    source, description, day, authors, translators, original_headline, gone = SHAPES[name]
    parsed = parse(name)
    assert parsed.source_name == source
    assert parsed.source_description == description
    assert parsed.original_published_on == day
    assert parsed.authors == authors
    assert parsed.translators == translators
    assert parsed.original_headline == original_headline
    assert parsed.needs_review == "", parsed.notes
    for words in gone:
        assert words not in parsed.body, words
    assert parsed.dateline == ""
    assert parsed.subheadings == []


def test_an_event_date_in_the_text_is_no_publication_date():
    parsed = parse("author_source_translator_block.txt")
    assert "On 14 July 2019, the group found a grave" in parsed.body


def test_a_known_source_is_what_tells_a_credit_from_a_dateline():
    """ "La Jornada, 3rd March, 2016" under a name reads as a credit because La Jornada is a
    source the archive knows; without that knowledge the article is not published as new."""
    unknown = parse("name_over_source_and_date.txt", sources=())
    assert unknown.source_name == ""
    assert unknown.needs_review


def test_what_the_grammar_cannot_read_waits_for_an_editor():
    parsed = parse("credit_not_understood.txt")
    assert parsed.source_name == "" and parsed.original_published_on is None
    assert "Radio Pozol" in parsed.body  # kept, word for word
    assert "not understood" in parsed.needs_review
    bare = parse_article("A Headline\n\nA paragraph of text with no credit at all.\n")
    assert "no source or original date" in bare.needs_review
    seed = parse_article(
        (FIXTURES.parent.parent.parent / "seeds" / "000_b0138dc3623c1b13.txt").read_text(
            encoding="utf-8"
        )
    )
    assert seed.needs_review == ""


@pytest.mark.parametrize(
    "text, day",
    [
        ("3rd March, 2016", D(2016, 3, 3)),
        ("14 July 2019", D(2019, 7, 14)),
        ("1 de mayo de 2020", D(2020, 5, 1)),
        ("1 mayo 2020", D(2020, 5, 1)),
        ("mayo 1, 2020", D(2020, 5, 1)),
        ("March 3rd 2016", D(2016, 3, 3)),
        ("Tuesday, 3 March 2020", D(2020, 3, 3)),
        ("martes 3 de marzo del 2020", D(2020, 3, 3)),
        ("3-Mar-2016", D(2016, 3, 3)),
        ("2016-03-03", D(2016, 3, 3)),
        ("Sept. 9, 2019", D(2019, 9, 9)),
    ],
)
def test_dates_in_common_english_and_spanish_forms(text, day):
    assert parse_date(text) == day


def test_an_image_title_and_a_repeated_headline_are_no_subheadings():
    parsed = parse("image_title_and_repeated_headline.txt")
    assert parsed.subheadings == []
    assert parsed.body.startswith("Thousands of teachers")  # the headline, not again
    assert "Teachers march on the Zócalo\n{: .caption }" in parsed.body
    assert parsed.authors == ["Ana Ruiz"] and parsed.source_name == "La Jornada"


def test_attribution_sentences_with_a_writer():
    credit = read_attribution(
        "This article was written by Mayela Sánchez and was originally published on Sin "
        "Embargo on August 26, 2015."
    )
    assert (credit.authors, credit.source, credit.published_on) == (
        ["Mayela Sánchez"],
        "Sin Embargo",
        D(2015, 8, 26),
    )


@pytest.mark.django_db
def test_the_import_reads_credits_by_the_sources_the_archive_knows(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from articles.models import Article, Source

    Source.objects.create(name="La Jornada", slug="la-jornada", description="a daily")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["name_over_source_and_date.txt", "credit_not_understood.txt"]:
        (folder / name).write_text((FIXTURES / name).read_text(encoding="utf-8"))
    out = StringIO()
    call_command("import_articles", str(folder), stdout=out, stderr=StringIO())
    read = Article.objects.get(headline="The Water Wars of the Bajío")
    assert read.status == Article.Status.PUBLISHED and read.source.name == "La Jornada"
    assert [p.name for p in read.authors.all()] == ["Luis Hernández Navarro"]
    unread = Article.objects.get(headline="Radio on the Mountain")
    assert unread.status == Article.Status.DRAFT
    assert "imported as a draft for an editor: a credit was not understood (line 7)" in (
        out.getvalue()
    )
    note = "Imported as a draft: a credit was not understood (line 7)"
    assert unread.revisions.get().note == note


@pytest.mark.django_db
def test_the_page_says_what_the_credit_said_in_its_order_and_words(tmp_path, client):
    import re

    from articles.importing.files import import_file
    from articles.models import Article, Source

    Source.objects.create(name="Sin Embargo", slug="sin-embargo", description="a news site")
    path = tmp_path / "agreement.txt"
    path.write_text(
        (FIXTURES / "written_by_shared_agreement.txt")
        .read_text(encoding="utf-8")
        .replace("Mayela Sánchez", "Néstor Jiménez, Laura Poy and Lilian Hernández"),
        encoding="utf-8",
    )
    assert import_file(path).result == "imported"
    article = Article.objects.get()
    page = client.get(article.get_absolute_url()).content.decode()
    assert (
        "This article originally appeared in the August 26, 2015 edition of Sin Embargo, "
        "a leftist daily."
    ) in page
    byline = re.search(r'<p class="byline">(.*?)</p>', page, re.S)[1]
    names = re.findall(r">([^<]+)</a>", byline)
    assert names == ["Néstor Jiménez", "Laura Poy", "Lilian Hernández"]  # not alphabetical
    assert re.sub(r"<[^>]+>", "", byline).split() == (
        "By Néstor Jiménez, Laura Poy and Lilian Hernández".split()
    )
    assert " ," not in re.sub(r"<[^>]+>", "", byline)
    article.original_body = "Uno.\n\nDos."
    article.save()
    side = client.get(article.get_absolute_url() + "original/").content.decode()
    byline = re.search(r'<p class="byline">(.*?)</p>', side, re.S)[1]
    assert re.findall(r">([^<]+)</a>", byline) == names
