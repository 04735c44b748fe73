"""Exports: the JSON-lines dump read back into an empty archive gives the same reader pages;
a WordPress export that WordPress's format readers (and our own importer) read; a file
whole or absent (full disk, interruption); a bad dump refused with its line, nothing
written; the admin's export for editors only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from lxml import etree

from articles import dump, uploads
from articles.exporting import files
from articles.models import (
    Article,
    CommonWord,
    CommonWords,
    Correction,
    GlossaryTerm,
    LegacyAddress,
    OriginalUpdate,
    Page,
    RelatedStory,
    Revision,
    SiteIdentity,
    Thread,
)
from articles.revisions import record
from tests.factories import ArticleFactory, ImageFactory, PersonFactory, SourceFactory, TopicFactory
from tests.processes import database_url

pytestmark = pytest.mark.django_db(transaction=False)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def archive():
    """One of each thing a reader page shows, and what readers never see."""
    source = SourceFactory(name="La Jornada", slug="la-jornada", description="a daily")
    education, water = (
        TopicFactory(name="Education", slug="education"),
        TopicFactory(name="Water", slug="water"),
    )
    # Credited in an order that is not the alphabet's: the order must survive.
    zoe, ana = (
        PersonFactory(name="Zoe Zamora", slug="zoe"),
        PersonFactory(name="Ana Ruiz", slug="ana-ruiz"),
    )
    GlossaryTerm.objects.create(
        term="CNTE", slug="cnte", explanation="The dissident teachers' union."
    )
    for bit, lexeme in enumerate(["march", "cnte"]):  # the search's common words
        CommonWord.objects.create(bit=bit, lexeme=lexeme)
    story = Thread.objects.create(name="The strike", slug="strike", description="From plan on.")
    picture = ImageFactory(alt="Teachers march")
    when = timezone.now().replace(year=2025, month=3, day=11, hour=14, microsecond=123456)
    older = ArticleFactory(
        headline="Teachers plan a strike", source=source, thread=story, published_at=when
    )
    article = ArticleFactory(
        headline="The CNTE marches on the Zócalo",
        slug="first-slug",
        source=source,
        original_headline="La CNTE marcha",
        original_url="https://www.jornada.com.mx/marcha",
        dateline="Mexico City",
        body=f"The CNTE marched.\n\n![](image:{picture.pk})\n\nThe end.",
        original_body="La CNTE marchó.\n\nFin.",
        authors=[zoe, ana],
        translators=[ana, zoe],
        topics=[education, water],
        thread=story,
        lead_image=picture,
        published_at=when.replace(day=12),
    )
    article.slug = "the-cnte-marches"
    article.save()  # the first slug redirects
    record(article, note="edited")
    Correction.objects.create(article=article, text="An earlier version misstated the date.")
    OriginalUpdate.objects.create(article=article, note="La Jornada corrected a figure.")
    RelatedStory.objects.create(article=article, position=0, target=older)
    RelatedStory.objects.create(
        article=article, position=1, title="The reform", url="https://example.org/reform"
    )
    LegacyAddress.objects.create(old_path="/2025/03/12/la-cnte-marcha/", article=article)
    ArticleFactory(draft=True, headline="A draft nobody sees", source=source)
    ArticleFactory(scheduled=True, headline="Tomorrow's piece", source=source)
    Page.objects.create(
        title="About", slug="about", body="We translate.", status=Page.Status.PUBLISHED
    )
    identity = SiteIdentity.objects.first() or SiteIdentity.objects.create()
    identity.name, identity.tagline = "Solidarity Translations", "The Mexican press in English"
    identity.save()
    return article


def reader_pages(client) -> dict[str, tuple[int, bytes]]:
    """Every reader page of the archive: status and HTML (or where it redirects)."""
    from django.core.cache import cache

    cache.clear()
    addresses = ["/", "/archive/", "/sources/", "/topics/", "/stories/", "/glossary/", "/about/"]
    for article in Article.objects.published():
        addresses.append(article.get_absolute_url())
    addresses += ["/sources/la-jornada/", "/topics/education/", "/stories/strike/"]
    addresses += [f"/people/{p}/" for p in ("zoe", "ana-ruiz")]
    addresses += ["/feed/atom/", "/sitemap-articles.xml", "/2025/03/12/la-cnte-marcha/"]
    old = Article.objects.get(slug="the-cnte-marches").get_absolute_url()
    addresses.append(old.replace("the-cnte-marches", "first-slug"))
    pages = {}
    for address in addresses:
        response = client.get(address)
        body = response.content if response.status_code == 200 else response.get("Location", "")
        pages[address] = (response.status_code, body)
    return pages


def index_definitions():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def common_words():
    return sorted(CommonWords.objects.values_list("article_id", "bits", "title_bits"))


def empty_the_archive():
    files_before = []
    for image in dump.TABLES["image"]._base_manager.exclude(file=""):
        files_before.append(image.file.name)
        files_before += [uploads.rendition_name(image.file.name, w) for w in image.rendition_widths]
    for model in reversed(list(dump.TABLES.values())):
        model._base_manager.all().delete()
    for name in files_before:
        default_storage.delete(name)
    # As in a new database, every table's numbers start again from 1.
    with connection.cursor() as cursor:
        for model in dump.TABLES.values():
            if model._meta.pk.name == "id":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)",
                    [model._meta.db_table],
                )
    return files_before


def test_an_export_read_into_an_empty_archive_gives_the_same_pages(archive, tmp_path):
    client = Client()
    before = reader_pages(client)
    credits = [p.name for p in archive.credited_translators]
    words = common_words()
    assert any(bits for _, bits, _ in words)
    assert all(status in (200, 301) for status, _ in before.values()), before.keys()
    target = tmp_path / "archive.jsonl"
    call_command("export_archive", str(target), verbosity=0)
    stored_files = empty_the_archive()
    assert not Article.objects.exists() and not default_storage.exists(stored_files[0])

    indexes = index_definitions()
    call_command("import_articles", str(target), verbosity=0)
    assert index_definitions() == indexes  # set aside while writing, and built again

    after = reader_pages(client)
    for address in before:
        assert after[address] == before[address], address
    assert all(default_storage.exists(name) for name in stored_files)
    restored = Article.objects.get(slug="the-cnte-marches")
    assert [p.name for p in restored.credited_translators] == credits
    assert restored.original_body == "La CNTE marchó.\n\nFin."
    assert restored.published_at.microsecond == 123456
    assert common_words() == words
    assert Revision.objects.filter(article=restored).count() == 1  # the latest version
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1
    # New rows get new numbers: the sequences start after the restored ones.
    assert ArticleFactory().pk > restored.pk
    # The search works on the restored archive, with its common words.
    assert "The CNTE marches" in client.get("/search/?q=zocalo").content.decode()


def test_the_dump_holds_no_staff_account(archive, tmp_path, django_user_model):
    editor = django_user_model.objects.create_user("editor", "editor@example.org", "pw")
    Article.objects.update(created_by=editor)
    text = "".join(dump.lines())
    assert "editor@example.org" not in text
    rows = [json.loads(line) for line in text.splitlines()]
    assert all(r["row"]["created_by_id"] is None for r in rows if r.get("table") == "article")
    assert rows[-1]["end"] is True


def exported(tmp_path) -> list[str]:
    target = tmp_path / "archive.jsonl"
    call_command("export_archive", str(target), verbosity=0)
    return target.read_text().splitlines(keepends=True)


def restore_lines(tmp_path, lines) -> str:
    empty_the_archive()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines))
    with pytest.raises(CommandError) as error:
        call_command("import_articles", str(bad), verbosity=0)
    assert not Article.objects.exists(), "nothing is written"
    assert not dump.TABLES["source"].objects.exists()
    return str(error.value)


def test_a_dump_cut_short_writes_nothing(archive, tmp_path):
    lines = exported(tmp_path)
    assert "cut short" in restore_lines(tmp_path, lines[:-1])
    assert "cut short" in restore_lines(tmp_path, lines[: len(lines) // 2])


def test_a_malformed_line_is_named_and_nothing_is_written(archive, tmp_path):
    lines = exported(tmp_path)
    number = next(i for i, line in enumerate(lines) if '"table":"article"' in line)
    broken = lines[:number] + ['{"table": "article", "row": {"id": 1\n'] + lines[number + 1 :]
    assert f"line {number + 1}: not JSON" in restore_lines(tmp_path, broken)

    row = json.loads(lines[number])
    row["row"]["published_at"] = "2025-13-45"
    wrong = lines[:number] + [json.dumps(row) + "\n"] + lines[number + 1 :]
    message = restore_lines(tmp_path, wrong)
    assert f"line {number + 1}: article.published_at" in message

    del row["row"]["headline"]
    missing = lines[:number] + [json.dumps(row) + "\n"] + lines[number + 1 :]
    assert "article without headline" in restore_lines(tmp_path, missing)

    assert "not an export of this archive" in restore_lines(tmp_path, lines[1:])
    unsafe = lines[:1] + ['{"table": "file", "name": "../../etc/x", "data": ""}\n'] + lines[1:]
    assert "unsafe" in restore_lines(tmp_path, unsafe)


def test_a_row_that_refers_to_one_not_in_the_file_is_named(archive, tmp_path):
    lines = exported(tmp_path)
    number = next(i for i, line in enumerate(lines) if '"table":"article"' in line)
    row = json.loads(lines[number])
    row["row"]["source_id"] = 987654
    broken = lines[:number] + [json.dumps(row) + "\n"] + lines[number + 1 :]
    message = restore_lines(tmp_path, broken)
    assert "refers to one the file does not hold" in message and "987654" in message


def test_a_row_that_breaks_a_rule_of_the_database_is_named(archive, tmp_path):
    lines = exported(tmp_path)
    number = next(i for i, line in enumerate(lines) if '"table":"article"' in line)
    duplicate = lines[: number + 1] + [lines[number]] + lines[number + 1 :]
    assert "article:" in restore_lines(tmp_path, duplicate)


def test_a_dump_is_read_into_an_empty_archive_only(archive, tmp_path):
    target = tmp_path / "archive.jsonl"
    call_command("export_archive", str(target), verbosity=0)
    count = Article.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_articles", str(target), verbosity=0)
    assert Article.objects.count() == count


def test_an_interrupted_export_leaves_no_file_and_keeps_the_earlier_one(archive, tmp_path):
    target = tmp_path / "archive.jsonl"
    target.write_text("yesterday's export\n")

    def interrupted():
        yield from list(dump.lines())[:3]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.write_whole(target, interrupted())
    assert target.read_text() == "yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["archive.jsonl"]


@pytest.mark.django_db(transaction=True)  # the export's own process reads the rows
def test_an_export_to_a_full_disk_fails_saying_so_and_leaves_no_file(archive, tmp_path):
    """The export runs in a process whose files may not grow past 4 KB (as a full disk
    refuses), against the test's database."""
    url = database_url()
    target = tmp_path / "archive.jsonl"
    script = (
        "import resource, signal, sys;"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096));"
        "from django.core.management import execute_from_command_line;"
        f"execute_from_command_line(['manage.py', 'export_archive', {str(target)!r}])"
    )
    ArticleFactory.create_batch(5, body="A paragraph long enough to need room. " * 40)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "archive.settings"}
    env.setdefault("SECRET_KEY", "test-secret-key-for-the-export-process-1234567890")
    env["DEBUG"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "File too large: nothing was written" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_wordpress_export_is_wxr_that_our_wordpress_importer_reads(archive, tmp_path):
    target = tmp_path / "archive.xml"
    credits = [p.name for p in archive.credited_translators]
    call_command("export_archive", str(target), "--format", "wxr", verbosity=0)
    tree = etree.parse(str(target))
    wp = "{http://wordpress.org/export/1.2/}"
    assert tree.find(f"channel/{wp}wxr_version").text == "1.2"
    items = {item.find(f"{wp}post_name").text: item for item in tree.iterfind("channel/item")}
    post = items["the-cnte-marches"]
    assert post.find(f"{wp}status").text == "publish"
    assert post.find(f"{wp}post_type").text == "post"
    meta = {
        m.find(f"{wp}meta_key").text: m.find(f"{wp}meta_value").text
        for m in post.iterfind(f"{wp}postmeta")
    }
    assert meta["original_url"] == "https://www.jornada.com.mx/marcha"
    assert meta["_wp_old_slug"] == "first-slug"
    thumbnail = items[f"image-{archive.lead_image_id}"]
    assert meta["_thumbnail_id"] == thumbnail.find(f"{wp}post_id").text
    statuses = {i.find("title").text: i.find(f"{wp}status").text for i in items.values()}
    assert statuses["A draft nobody sees"] == "draft"
    assert statuses["Tomorrow's piece"] == "future"
    assert items["about"].find(f"{wp}post_type").text == "page"

    # Read back by this archive's own WordPress importer, into an empty archive.
    empty_the_archive()
    call_command("import_wordpress", str(target), verbosity=0)
    back = Article.objects.get(slug="the-cnte-marches")
    assert back.headline == "The CNTE marches on the Zócalo"
    assert back.source.name == "La Jornada"
    assert {t.slug for t in back.topics.all()} >= {"education", "water"}
    assert [p.name for p in back.credited_translators] == credits
    assert "The CNTE marched." in back.body_html
    assert Article.objects.get(headline="A draft nobody sees").status == Article.Status.DRAFT


def test_editors_download_an_export_from_the_admin(archive, client, django_user_model, translator):
    editor = django_user_model.objects.create_superuser("ed", "ed@example.org", "pw-12345!")
    client.force_login(editor)
    assert "Export the archive" in client.get("/admin/").content.decode()
    assert client.get("/admin/export/").status_code == 200
    response = client.get("/admin/export/jsonl/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert json.loads(lines[0])["format"] == "translated-archive"
    assert json.loads(lines[-1])["end"] is True
    wxr = b"".join(client.get("/admin/export/wxr/").streaming_content)
    assert etree.fromstring(wxr).find("channel") is not None
    assert client.get("/admin/export/pdf/").status_code == 404

    client.force_login(translator)
    assert "Export the archive" not in client.get("/admin/").content.decode()
    assert client.get("/admin/export/").status_code == 403
    assert client.get("/admin/export/jsonl/").status_code == 403
