"""The credit shapes real translation sites write, one fixture file each (tests/fixtures/text),
and the lines that must not become headings. Parsing only: no database."""

import datetime
import json
from pathlib import Path

import pytest

from articles.dates import DateProblem, parse_date
from articles.importing.credits import read_attribution, read_credit_line
from articles.importing.parsed import ImportProblem
from articles.importing.text_format import parse_article
from articles.markup import render_markdown

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_b0138dc3623c1b13.txt"


def parse(name):
    return parse_article((FIXTURES / "text" / name).read_text(encoding="utf-8"))


def test_the_seed_parses_exactly_as_before():
    """Body, rendered HTML, source, date and related stories are byte for byte what the
    first importer produced (tests/fixtures/seed_expected.json was written by it)."""
    expected = json.loads((FIXTURES / "seed_expected.json").read_text(encoding="utf-8"))
    parsed = parse_article(SEED.read_text(encoding="utf-8"))
    assert parsed.headline == expected["headline"]
    assert parsed.body == expected["body"]
    assert render_markdown(parsed.body) == expected["html"]
    assert parsed.source_name == expected["src"]
    assert parsed.source_description == expected["desc"]
    assert str(parsed.original_published_on) == expected["date"]
    assert [[s.title, s.summary] for s in parsed.related] == expected["related"]
    assert parsed.authors == [] and parsed.translators == [] and parsed.notes == []
    assert parsed.dateline == "Lima"


D = datetime.date
SHAPES = {
    # file: (source, description, original date, authors, translators, url, language)
    "by_author_edition.txt": (
        "La Jornada",
        "Mexico's premier left wing daily newspaper",
        D(2025, 7, 7),
        ["Ana Ruiz"],
        [],
        "",
        "",
    ),
    "column_two_authors.txt": (
        "La Jornada",
        "",
        D(2024, 8, 12),
        ["Ana Ruiz", "Luis Pérez Gómez"],
        [],
        "",
        "",
    ),
    "editorial_by.txt": (
        "La Jornada",
        "",
        D(2024, 8, 20),
        ["Luis Hernández Navarro"],
        [],
        "",
        "",
    ),
    "interview_spanish_date.txt": ("Proceso", "", D(2025, 11, 4), ["Marcela Turati"], [], "", ""),
    "milenio_weekday_day_month.txt": ("Milenio", "", D(2020, 3, 3), [], [], "", ""),
    "source_first.txt": ("Contralínea", "", D(2019, 6, 9), [], [], "", ""),
    "no_final_period.txt": ("Animal Político", "", D(2021, 5, 2), [], [], "", ""),
    "ordinal_date_emphasis.txt": ("El Economista", "", D(2019, 3, 3), [], [], "", ""),
    "closing_credit_block.txt": (
        "Desinformémonos",
        "",
        D(2014, 3, 7),
        [],
        ["Solidarity Translation Collective"],
        "https://desinformemonos.org/escuelas-zapatistas/",
        "es",
    ),
    "bylines.txt": ("", "", None, ["Ana Ruiz"], ["Tomás Reyes"], "", ""),
    "byline_with_source_parens.txt": ("Proceso", "", None, ["Ana Ruiz"], [], "", ""),
    "byline_with_source_slash.txt": ("La Jornada", "", None, ["Luis Pérez"], [], "", ""),
}


@pytest.mark.parametrize("name", SHAPES)
def test_credit_shape_becomes_data_and_leaves_the_body(name):
    source, description, day, authors, translators, url, language = SHAPES[name]
    parsed = parse(name)
    assert parsed.source_name == source
    assert parsed.source_description == description
    assert parsed.original_published_on == day
    assert parsed.authors == authors
    assert parsed.translators == translators
    assert parsed.original_url == url
    assert parsed.original_language == language
    for words in ("appeared", "published", "Translated", "Original:", "By", "(PROCESO)", " / "):
        assert words not in parsed.body, words
    assert parsed.subheadings == []
    assert parsed.notes == []


def test_credit_lines_written_one_under_the_other_are_read_one_by_one():
    parsed = parse("bylines.txt")
    assert parsed.body.startswith("Riot police removed")  # not "By: Ana Ruiz Translated by …"


@pytest.mark.parametrize(
    "name, dateline, day, opening",
    [
        (
            "dateline_own_line.txt",
            "Oaxaca de Juárez, Oaxaca, March 3, 2019",
            D(2019, 3, 3),
            "Oaxaca de Juárez, Oaxaca, March 3, 2019 — Thousands of teachers",
        ),
        (
            "bare_date_line.txt",
            "4 de noviembre de 2025",
            D(2025, 11, 4),
            "4 de noviembre de 2025 — Tortilla makers",
        ),
        (
            "dateline_in_first_paragraph.txt",
            "Guerrero, Mexico",
            None,
            "Guerrero, Mexico.—Search brigades",
        ),
    ],
)
def test_datelines_open_the_first_paragraph_and_are_never_headings(name, dateline, day, opening):
    parsed = parse(name)
    assert parsed.dateline == dateline
    assert parsed.original_published_on == day
    assert parsed.body.startswith(opening)
    assert parsed.subheadings == []


def test_layout_lines_are_captions_breaks_quotations_and_headings():
    parsed = parse("layout_lines.txt")
    html = render_markdown(parsed.body)
    assert parsed.subheadings == ["“¡Ya Basta!”"]  # a quoted exclamation is a heading
    assert '<p class="caption">(Photo: Cuartoscuro)</p>' in html
    assert '<p class="caption">IMG_4821.jpg</p>' in html
    assert html.count("<hr>") == 1  # the row of em dashes
    assert (
        "<blockquote>\n<p>“We will not be silenced, not today and not ever, whatever they tell "
        "us.”</p>\n<p>— Ana Ruiz</p>\n</blockquote>"
    ) in html
    # A long quoted exclamation is a sentence, not a heading.
    assert "<p>“We will keep marching until every community has water" in html


def test_false_positives_stay_as_they_were_written():
    parsed = parse("false_positives.txt")
    html = render_markdown(parsed.body)
    assert parsed.subheadings == []
    assert "<h2>" not in html
    assert "<p>March 3, 2019</p>" in html  # a date line in the text: neither heading nor credit
    assert parsed.original_published_on is None
    assert "<hr>" in html  # "* * *"
    assert '<p class="caption">census-chart-2019.png</p>' in html
    assert "<p>“We will keep counting until" in html
    assert html.rstrip().endswith("<p>Ana Ruiz</p>")
    assert parsed.authors == []


def test_a_line_that_looks_like_a_credit_but_is_not_read_stays_and_is_reported():
    parsed = parse("unsure_credit.txt")
    assert "This translation owes much to the comments of readers" in parsed.body
    assert len(parsed.notes) == 1 and parsed.notes[0].startswith("line 7: looks like a credit")


def test_credits_in_the_middle_of_a_long_article_are_left_alone():
    middle = "\n\n".join(f"Paragraph {n} of the story." for n in range(12))
    text = (
        f"Headline\n\n{middle}\n\nThis article originally appeared in Proceso on May 2, 2021."
        f"\n\n{middle}\n"
    )
    parsed = parse_article(text)
    assert parsed.source_name == ""
    assert "This article originally appeared in Proceso" in parsed.body


def test_a_credit_sentence_inside_a_paragraph_is_taken_out_and_the_rest_kept():
    parsed = parse_article(
        "Headline\n\nThe first paragraph.\n\nThe story ends here. This article first "
        "appeared in Proceso on 2 May 2021. Translated by Ana Ruiz.\n"
    )
    assert parsed.source_name == "Proceso"
    assert parsed.original_published_on == D(2021, 5, 2)
    assert parsed.body.endswith("The story ends here.\n")


def test_a_shouted_byline_is_written_as_a_name():
    assert read_credit_line("BY ANA RUIZ").authors == ["Ana Ruiz"]


@pytest.mark.parametrize(
    "sentence",
    [
        "By the end of the year, the figures had changed.",
        "This article explains what the reform means for farmers.",
        "Published figures show a rise in prices.",
    ],
)
def test_ordinary_sentences_are_not_credits(sentence):
    assert read_attribution(sentence) is None
    assert read_credit_line(sentence) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("November 4, 2025", D(2025, 11, 4)),
        ("Nov. 4 2025", D(2025, 11, 4)),
        ("March 3rd, 2019", D(2019, 3, 3)),
        ("Friday, March 7, 2014", D(2014, 3, 7)),
        ("Tuesday 3 March 2020", D(2020, 3, 3)),
        ("the 3rd of March, 2020", D(2020, 3, 3)),
        ("4 de noviembre de 2025", D(2025, 11, 4)),
        ("martes 3 de marzo del 2020", D(2020, 3, 3)),
        ("2025-11-04", D(2025, 11, 4)),
    ],
)
def test_dates_in_english_and_spanish(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["February 30, 2025", "January 1, 0001", "December 31, 9999", "1 de enero de 1799"]
)
def test_impossible_and_implausible_dates_are_refused(text):
    with pytest.raises(DateProblem):
        parse_date(text)


def test_an_attribution_with_a_year_one_date_names_the_line():
    with pytest.raises(ImportProblem, match="line 3: implausible date 'January 1, 0001'"):
        parse_article(
            "H\n\nThis article originally appeared in the January 1, 0001 edition of X, y."
            "\n\nBody.\n"
        )


def test_tomorrow_is_the_latest_original_date(settings):
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert parse_date(tomorrow.isoformat()) == tomorrow
    with pytest.raises(DateProblem):
        parse_date((tomorrow + datetime.timedelta(days=1)).isoformat())


def test_a_paragraph_starting_with_a_quote_mark_is_not_a_blockquote():
    parsed = parse_article("Headline\n\n> not a quotation, a plain line.\n\nMore.\n")
    html = render_markdown(parsed.body)
    assert "<blockquote>" not in html
    assert "<p>&gt; not a quotation, a plain line.</p>" in html


def test_the_first_paragraph_is_never_a_heading():
    parsed = parse_article("Headline\n\nA Short Opening\n\nThe text.\n\nThe end.\n")
    assert parsed.subheadings == []


def test_a_line_ending_in_a_closing_quote_is_not_a_heading():
    parsed = parse_article("Headline\n\nText.\n\nThey called it “the end”\n\nMore text.\n")
    assert parsed.subheadings == []


def test_a_long_source_name_is_refused_with_its_length():
    name = "A" * 201
    with pytest.raises(ImportProblem, match="source name is 201 characters long"):
        parse_article(
            f"H\n\nThis article originally appeared in the May 1, 2025 edition of {name}."
            "\n\nBody.\n"
        )


def test_html_written_directly_is_what_markdown_and_the_sanitizer_make():
    """The text importer writes plain bodies' HTML itself (Markdown costs most of an import):
    for hundreds of random texts, with every character Markdown or HTML might read, the HTML
    is the same as ``render_markdown``'s, or the importer leaves it to ``render_markdown``."""
    import random

    rng = random.Random(5)
    pieces = [
        "word", "Peru", "“quoted”", "‘single’", '"straight"', "it's", "&", "&amp;", "&copy;",
        "<b>", ">", "2022.", "1)", "-", "+", "*", "_", "#tag", "[1]", "{x}", "|", "~", "`",
        "\\", "—", "…", "(Photo: X)", "Ñandú", ":", "a:b", "http://x.org/?a=1&b=2", "\u00a0",
    ]  # fmt: skip
    plain = ["word", "the", "Peru", "said", "Mañanera"]
    direct = 0
    for _ in range(400):
        paragraphs = [
            " ".join(
                rng.choice(pieces) if rng.random() < 0.08 else rng.choice(plain)
                for _ in range(rng.randint(1, 12))
            )
            for _ in range(rng.randint(2, 6))
        ]
        parsed = parse_article("Headline\n\n" + "\n\n".join(paragraphs) + "\n")
        if parsed.body_html is not None:
            direct += 1
            assert parsed.body_html == render_markdown(parsed.body), paragraphs
    assert direct > 20  # the direct path was exercised


def test_the_seed_html_is_written_directly():
    parsed = parse_article(SEED.read_text(encoding="utf-8"))
    assert parsed.body_html == render_markdown(parsed.body)


@pytest.mark.parametrize(
    "line",
    [
        "Teletype Tag (obsolete in HTML5)",  # WordPress's theme test data: a remark in brackets
        "By The Incident",  # a title, not a person
        "The Incident",
    ],
)
def test_a_line_that_only_looks_like_a_credit_stays_text(line):
    parsed = parse_article(f"Headline\n\n{line}\n\nThe text of the post.\n\nMore of it.\n")
    assert parsed.authors == [] and parsed.source_name == ""
    assert line in parsed.body.replace("\\", "")


@pytest.mark.parametrize(
    "line",
    [
        "This article originally appeared in La Jornada. It has been translated without "
        "permission.",
        "Source: La Jornada. It has been translated without permission",
    ],
)
def test_a_source_name_ends_with_its_sentence(line):
    parsed = parse_article(f"Headline\n\nThe text.\n\nMore text.\n\n{line}\n")
    assert parsed.source_name == "La Jornada"


def test_a_byline_with_a_role_in_brackets_keeps_its_author_and_no_source():
    parsed = parse_article("Headline\n\nBy Ana Ruiz (special correspondent)\n\nThe text.\n")
    assert parsed.authors == ["Ana Ruiz"] and parsed.source_name == ""


def test_a_pull_quotes_speaker_is_no_subheading():
    parsed = parse_article(
        "Headline\n\nFirst paragraph.\n\nWe will not leave until they listen.\n\n"
        "María López, teacher\n\nThe story goes on.\n\nEnd.\n"
    )
    assert "## " not in parsed.body and "María López, teacher" in parsed.body


def test_a_short_line_under_a_photo_is_its_caption_not_a_subheading():
    parsed = parse_article(
        "Headline\n\nFirst paragraph.\n\nphoto-teachers-march.jpg\n\n"
        "Teachers marching on the Zócalo\n\nThe story goes on.\n\nEnd.\n"
    )
    assert "## " not in parsed.body
    assert "Teachers marching on the Zócalo\n{: .caption }" in parsed.body
