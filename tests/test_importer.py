import datetime

import pytest
from django.core.management import CommandError, call_command

from articles.importing.files import import_file
from articles.importing.parsed import ImportProblem
from articles.importing.text_format import parse_article
from articles.models import Article, Person, RelatedStory, Source

pytestmark = pytest.mark.django_db

SIMPLE = "A Headline\n\nFirst paragraph.\n\nSecond paragraph.\n"


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run_import(*paths):
    """Run the command; return (exit ok?, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, paths), stdout=out, stderr=err)
        ok = True
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        ok = False
    return ok, out.getvalue(), err.getvalue()


# -- The seed, field by field -----------------------------------------------------------------


def test_seed_article_fields(seed_file):
    result = import_file(seed_file)
    article = Article.objects.select_related("source").get()
    assert result.result == "imported"
    assert article.headline == (
        "Mexican Foreign Ministry: Peru Breaking Relations is a Disproportionate Action"
    )
    assert article.slug == (
        "mexican-foreign-ministry-peru-breaking-relations-is-a-disproportionate-action"
    )
    assert article.status == Article.Status.PUBLISHED
    assert article.original_published_on == datetime.date(2025, 11, 4)
    assert article.published_at.date() == datetime.date(2025, 11, 4)
    assert article.source.name == "La Jornada"
    assert article.source.slug == "la-jornada"
    assert article.source.description == "Mexico’s premier left wing daily newspaper"
    assert article.original_language == "es"
    assert article.import_key == "000_b0138dc3623c1b13"
    assert article in Article.objects.published()


def test_seed_body(seed_file):
    import_file(seed_file)
    article = Article.objects.get()
    assert article.body.startswith("Lima. Peru announced yesterday")
    assert "originally appeared" not in article.body
    assert "Large Scale Mining" not in article.body  # the related stories are not body text
    assert article.body_html.count("<h2>") == 1
    assert "<h2>Castillo’s Wife &amp; Children are in our Country</h2>" in article.body_html
    assert article.body_html.count("<p>") == 15
    assert article.body_html.rstrip().endswith("reported the newspaper La República.</p>")
    assert "Betssy Chávez" in article.body_html


def test_seed_related_stories(seed_file):
    import_file(seed_file)
    stories = list(Article.objects.get().related_stories.all())
    assert [s.title for s in stories] == [
        "The Return of Large Scale Mining in Mexico",
        "A Century of Mexico’s Organ Grinders",
        "People’s Mañanera December 1",
    ]
    assert stories[0].summary.startswith("Secretary of Economy Ebrard’s announcement")
    assert stories[1].summary.startswith("For over a century, the barrel organ")
    assert stories[1].summary.endswith("armed with MP3 players.")
    assert stories[2].summary.endswith("a message to the US about foreign interference.")
    assert all(s.target is None for s in stories)
    assert "|" not in "".join(s.title + s.summary for s in stories)


def test_reimport_updates_without_duplicates(seed_file, tmp_path):
    import_file(seed_file)
    article = Article.objects.get()
    volunteer = Person.objects.create(name="A. Volunteer", slug="a-volunteer")
    article.translators.set([volunteer])
    article.slug = "peru-breaks-relations"
    article.save()
    changed = write(
        tmp_path,
        seed_file.name,
        seed_file.read_text(encoding="utf-8").replace("Lima. Peru", "LIMA. Peru"),
    )
    result = import_file(changed)
    assert result.result == "updated"
    assert Article.objects.count() == 1
    assert Source.objects.count() == 1
    assert RelatedStory.objects.count() == 3
    article.refresh_from_db()
    assert article.body.startswith("LIMA. Peru")
    assert list(article.translators.all()) == [volunteer]  # the editor's work stays
    assert article.slug == "peru-breaks-relations"


def test_reimport_keeps_a_publication_time_the_editor_changed(seed_file):
    import_file(seed_file)
    article = Article.objects.get()
    new_time = datetime.datetime(2025, 11, 8, 9, 30, tzinfo=datetime.UTC)
    article.published_at = new_time
    article.save()
    import_file(seed_file)
    article.refresh_from_db()
    assert article.published_at == new_time


def test_crlf_bom_and_curly_quotes(tmp_path):
    text = (
        "\ufeffA “Quoted” Headline\r\n\r\n"
        "This article originally appeared in the March 2, 2024 edition of Desinformémonos, "
        "a Mexican news site.\r\n\r\nPárrafo ‘uno’.\r\n"
    )
    path = write(tmp_path, "crlf.txt", text.encode("utf-8"))
    import_file(path)
    article = Article.objects.select_related("source").get()
    assert article.headline == "A “Quoted” Headline"
    assert article.source.name == "Desinformémonos"
    assert article.source.description == "a Mexican news site"
    assert article.original_published_on == datetime.date(2024, 3, 2)
    assert article.body_html == "<p>Párrafo ‘uno’.</p>"


def nfd(text):
    import unicodedata

    return unicodedata.normalize("NFD", text)


CREDITED = (
    "Peña Nieto’s last year\n\nBy Łukasz Żak and Øystein Ødegård\n\n"
    "The year began in Oaxaca.\n\nThis article originally appeared in the March 2, 2024 "
    "edition of Desinformémonos, a Mexican news site.\n\nTranslated by Žaneta Šťastná\n"
)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: nfd(text).encode("utf-8"),  # decomposed accents, as from a Mac
        lambda text: text.encode("utf-16"),  # Notepad's "Unicode", with its byte-order mark
        lambda text: (
            text.replace("Desinformémonos", "Desinfor\u00admémo\u200bnos")
            .replace("By ", "By\u200b ")
            .replace("Translated", "Trans\u00adlated")
            .encode("utf-8")
        ),  # soft hyphens and zero-width spaces pasted from a web page
    ],
    ids=["utf-8", "nfd", "utf-16", "invisible"],
)
def test_the_same_text_in_any_encoding_or_form_imports_the_same(tmp_path, encode):
    import_file(write(tmp_path, "credited.txt", encode(CREDITED)))
    article = Article.objects.select_related("source").get()
    assert article.headline == "Peña Nieto’s last year"
    assert {p.name for p in article.authors.all()} == {"Łukasz Żak", "Øystein Ødegård"}
    assert [p.name for p in article.translators.all()] == ["Žaneta Šťastná"]
    assert article.source.name == "Desinformémonos"
    assert article.body_html == "<p>The year began in Oaxaca.</p>"
    import_file(write(tmp_path, "again.txt", encode(CREDITED.replace("Peña", "Pena"))))
    assert Person.objects.count() == 3 and Source.objects.count() == 1  # no duplicates


def test_without_attribution_the_article_has_no_source(tmp_path):
    import_file(write(tmp_path, "editorial.txt", SIMPLE))
    article = Article.objects.get()
    assert article.source is None
    assert article.original_published_on is None
    assert article.body_html == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"


def test_existing_source_is_reused(tmp_path):
    Source.objects.create(name="La Jornada", slug="la-jornada", description="")
    text = (
        "Headline\n\nThis article originally appeared in the May 1, 2025 edition of "
        "La Jornada, Mexico’s daily.\n\nBody.\n"
    )
    import_file(write(tmp_path, "a.txt", text))
    assert Source.objects.get().description == "Mexico’s daily"


def test_related_item_title_on_the_bullet_line_without_summary():
    parsed = parse_article(
        "H\n\nBody one.\n\n  • Only a title\n\n  • Another\n\n    Its summary.\n"
    )
    assert [(r.title, r.summary) for r in parsed.related] == [
        ("Only a title", ""),
        ("Another", "Its summary."),
    ]


def test_short_last_line_is_a_paragraph_not_a_subheading():
    parsed = parse_article("H\n\nBody one.\n\nA short line\n\nMore text.\n\nThe end")
    assert parsed.body.count("## ") == 1
    assert parsed.body.rstrip().endswith("The end")


def test_an_unindented_bullet_in_the_body_stays_in_the_body():
    parsed = parse_article("H\n\n• a point in the text\n\nBody continues.\n")
    assert parsed.related == []
    assert "a point in the text" in parsed.body


def test_markup_in_the_text_is_shown_as_text(tmp_path):
    text = (
        "Headline <script>alert(1)</script>\n\n"
        'A paragraph with <img src=x onerror="alert(1)"> and [a link](javascript:alert(1)).\n\n'
        "# not a heading, * not a list.\n\n"
        "2022. A year, not a list.\n"
    )
    import_file(write(tmp_path, "xss.txt", text))
    html = Article.objects.get().body_html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;img src=x onerror=" in html  # visible as text, inert
    assert "<h1>" not in html and "<h2>" not in html and "<ol>" not in html and "<li>" not in html


# -- Bad input: one clear line naming the file, nothing written, others still import ----------

BAD_FILES = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\t\n \r\n", "empty"),
    "latin1.txt": ("Título\n\nAñadido en español.\n".encode("latin-1"), "not UTF-8"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    "nobody.txt": (b"Only a headline\n", "no body"),
    "attribution-only.txt": (
        b"Headline\n\nThis article originally appeared in the November 4, 2025 edition of "
        b"La Jornada, a daily.\n",
        "no body",
    ),
    "baddate.txt": (
        b"Headline\n\nThis article originally appeared in the February 30, 2025 edition of "
        b"La Jornada, a daily.\n\nBody.\n",
        "impossible date 'February 30, 2025'",
    ),
    "huge.txt": (b"Headline\n\n" + b"word " * 220_000, "too large"),
    "longheadline.txt": (("H" * 301 + "\n\nBody.\n").encode(), "headline:"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_is_reported_and_writes_nothing(tmp_path, name):
    content, problem = BAD_FILES[name]
    bad = write(tmp_path, name, content)
    good = write(tmp_path, "zz-good.txt", SIMPLE)
    ok, out, err = run_import(bad, good)
    assert not ok
    lines = [line for line in err.splitlines() if line.startswith(str(bad))]
    assert len(lines) == 1 and problem in lines[0], err
    assert "1 imported, 0 updated, 0 unchanged, 1 failed" in err
    assert list(Article.objects.values_list("headline", flat=True)) == ["A Headline"]
    assert Source.objects.count() == 0
    assert RelatedStory.objects.count() == 0


def test_a_bad_new_version_leaves_the_stored_article_intact(seed_file, tmp_path):
    import_file(seed_file)
    before = Article.objects.values().get()
    broken = seed_file.read_text(encoding="utf-8").replace("November 4, 2025", "November 31, 2025")
    ok, _, err = run_import(write(tmp_path, seed_file.name, broken))
    assert not ok and "impossible date" in err
    assert Article.objects.values().get() == before
    assert RelatedStory.objects.count() == 3


def test_command_imports_a_folder_and_reports_a_summary(seed_file, tmp_path):
    ok, out, _ = run_import(seed_file.parent)
    assert ok and "1 imported, 0 updated, 0 unchanged, 0 failed" in out
    ok, out, _ = run_import(seed_file.parent)
    assert ok and "0 imported, 0 updated, 1 unchanged, 0 failed" in out
    assert Article.objects.count() == 1


def test_command_reports_a_missing_path(tmp_path):
    ok, _, err = run_import(tmp_path / "missing.txt")
    assert not ok and "missing.txt: No such file or directory" in err


def test_parse_problem_messages_name_the_line():
    with pytest.raises(ImportProblem, match="line 3: impossible date"):
        parse_article(
            "H\n\nThis article originally appeared in the Smarch 4, 2025 edition of X, y.\n\nB\n"
        )


def test_two_files_of_the_same_name_in_two_folders_never_overwrite_each_other(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "index.txt", "First Story\n\nIts text.\n")
    second = write(tmp_path / "b", "index.txt", "Second Story\n\nIts text.\n")
    ok, out, err = run_import(first, second)  # in one run
    assert not ok and f"{second}: {first} has the same name (index): rename one" in err
    assert list(Article.objects.values_list("headline", flat=True)) == ["First Story"]
    ok, out, err = run_import(second)  # in a later run, the first file still there
    assert not ok and "was imported under the same name (index), with another headline" in err
    assert list(Article.objects.values_list("headline", flat=True)) == ["First Story"]
    moved = tmp_path / "c"
    (tmp_path / "a").rename(moved)  # the first file moved: the same article
    changed = write(moved, "index.txt", "First Story, Revised\n\nIts text.\n")
    ok, out, err = run_import(changed)
    assert ok, err
    assert list(Article.objects.values_list("headline", flat=True)) == ["First Story, Revised"]
