"""Writing imports: batches, isolation, unchanged files, the editor's changes, links,
and the command's one line per file."""

import os
import random
import string
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.importing.files import import_file
from articles.importing.items import MAX_RELATED_STORIES, ImportItem
from articles.importing.store import ImportStore
from articles.importing.text_format import parse_article
from articles.models import Article, Person, RelatedStory, Revision, SlugRedirect, Source
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CREDITED = (
    "{headline}\n\nBy Ana Ruiz\n\nThe first paragraph of {headline}.\n\nThe second paragraph."
    "\n\nThis article first appeared in Proceso on 2 May 2021.\nTranslated by: Tomás Reyes\n"
    "{related}"
)


def write(folder, name, headline, related=""):
    if related:
        related = f"\n  • {related}\n\n    Its summary.\n"
    path = folder / name
    path.write_text(CREDITED.format(headline=headline, related=related), encoding="utf-8")
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
        ok = True
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        ok = False
    return ok, out.getvalue(), err.getvalue()


def test_credits_are_stored_as_data_and_shown_on_the_page(tmp_path, client):
    import_file(write(tmp_path, "a.txt", "Lithium for the Nation"))
    article = Article.objects.select_related("source").get()
    assert article.source.name == "Proceso"
    assert article.original_published_on.isoformat() == "2021-05-02"
    assert [p.name for p in article.authors.all()] == ["Ana Ruiz"]
    assert [p.name for p in article.translators.all()] == ["Tomás Reyes"]
    assert "Proceso" not in article.body and "By Ana Ruiz" not in article.body
    html = client.get(article.get_absolute_url()).content.decode()
    assert "This article originally appeared in the May 2, 2021 edition of Proceso." in html
    assert "first appeared" not in html
    assert 'href="/people/ana-ruiz/"' in html and 'href="/people/tomas-reyes/"' in html


def test_the_dateline_opens_the_body_styled_and_is_in_json_ld(tmp_path, client):
    path = tmp_path / "d.txt"
    path.write_text(
        "Teachers March\n\nOaxaca de Juárez, Oaxaca, March 3, 2019\n\nThousands marched.\n\n"
        "This article originally appeared in La Jornada on March 4, 2019.\n",
        encoding="utf-8",
    )
    import_file(path)
    article = Article.objects.get()
    assert article.dateline == "Oaxaca de Juárez, Oaxaca, March 3, 2019"
    assert article.body_html.startswith(
        '<p><span class="dateline">Oaxaca de Juárez, Oaxaca, March 3, 2019</span> — Thousands'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '"dateline": "Oaxaca de Juárez, Oaxaca, March 3, 2019"' in html


def test_an_unchanged_file_writes_nothing_and_records_no_version(tmp_path):
    """Even after its related story was linked to an article imported later."""
    write(tmp_path, "a.txt", "Story A", related="Story B")
    ok, out, _ = run(tmp_path)
    write(tmp_path, "b.txt", "Story B")
    ok, out, _ = run(tmp_path)
    assert "1 imported, 0 updated, 1 unchanged, 0 failed" in out
    assert RelatedStory.objects.get().target.headline == "Story B"
    before = list(Article.objects.order_by("pk").values("pk", "updated_at"))
    versions = Revision.objects.count()
    ok, out, _ = run(tmp_path)
    assert ok and "0 imported, 0 updated, 2 unchanged, 0 failed" in out
    assert list(Article.objects.order_by("pk").values("pk", "updated_at")) == before
    assert Revision.objects.count() == versions


def test_unchanged_files_cost_one_query_per_batch(tmp_path, django_assert_max_num_queries):
    for n in range(30):
        write(tmp_path, f"{n:02}.txt", f"Story number {n}")
    run(tmp_path)
    with django_assert_max_num_queries(3):  # one lookup (plus the transaction's savepoint)
        store = ImportStore()
        from articles.importing.files import import_files

        import_files([str(tmp_path)], store)
    assert store.counts["unchanged"] == 30


def test_related_stories_link_in_either_order_within_one_run(tmp_path):
    write(tmp_path, "a.txt", "Story A", related="Story C")
    write(tmp_path, "b.txt", "Story B")
    write(tmp_path, "c.txt", "Story C", related="Story A")
    run(tmp_path)
    links = dict(RelatedStory.objects.values_list("article__headline", "target__headline"))
    assert links == {"Story A": "Story C", "Story C": "Story A"}


def test_the_editor_wins_field_by_field_on_a_reimport(tmp_path):
    path = write(tmp_path, "a.txt", "Lithium for the Nation")
    import_file(path)
    article = Article.objects.get()
    article.body = "The editor rewrote the body."
    article.save()
    article.translators.set([Person.objects.create(name="Edna Editor", slug="edna-editor")])
    changed = path.read_text(encoding="utf-8").replace(
        "Lithium for the Nation", "Lithium Belongs to the Nation"
    )
    changed = changed.replace("Ana Ruiz", "Ana Ruiz Gómez").replace(
        "The second paragraph.", "A new second paragraph."
    )
    path.write_text(changed, encoding="utf-8")
    assert import_file(path).result == "updated"
    article.refresh_from_db()
    assert article.headline == "Lithium Belongs to the Nation"  # nobody had changed it
    assert article.body == "The editor rewrote the body."  # the editor had
    assert [p.name for p in article.authors.all()] == ["Ana Ruiz Gómez"]
    assert [p.name for p in article.translators.all()] == ["Edna Editor"]
    assert article.revisions.first().note == "Imported"


def test_a_save_in_the_admin_that_changed_nothing_leaves_the_text_to_the_import(
    tmp_path, editor_client
):
    """The admin's form strips the body's trailing newline and a browser sends CRLF: an
    article saved without a change is still the import's, and follows its source."""
    from django.urls import reverse

    from tests.test_admin import form_data

    path = write(tmp_path, "a.txt", "Lithium for the Nation")
    import_file(path)
    article = Article.objects.get()
    assert article.body.endswith("\n")
    data = form_data(
        headline=article.headline,
        slug=article.slug,
        dek=article.dek,
        body=article.body.replace("\n", "\r\n").strip(),
        original_published_on="2021-05-02",
        status="published",
    )
    data.update({"authors": [p.pk for p in article.authors.all()]})
    data.update({"translators": [p.pk for p in article.translators.all()]})
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    path.write_text(
        path.read_text(encoding="utf-8").replace("The second paragraph.", "A new one."),
        encoding="utf-8",
    )
    assert import_file(path).result == "updated"
    article.refresh_from_db()
    assert "A new one." in article.body


def test_a_change_of_case_alone_in_the_source_leaves_related_stories_alone(tmp_path):
    """Names and titles are compared without regard to case: a source that now shouts a
    related story's title does not replace the stories (and the links an editor set)."""
    path = write(tmp_path, "a.txt", "Lithium for the Nation", related="Mines Close in Sonora")
    import_file(path)
    story = RelatedStory.objects.get()
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace("Mines Close in Sonora", "MINES CLOSE IN SONORA")
        .replace("The second paragraph.", "A new one."),
        encoding="utf-8",
    )
    assert import_file(path).result == "updated"
    assert list(RelatedStory.objects.values_list("pk", "title")) == [
        (story.pk, "Mines Close in Sonora")
    ]
    assert "A new one." in Article.objects.get().body


def test_an_original_added_in_the_admin_survives_a_reimport(tmp_path):
    path = write(tmp_path, "a.txt", "Lithium for the Nation")
    import_file(path)
    Article.objects.update(original_body="El litio es de la nación.")
    path.write_text(
        path.read_text(encoding="utf-8").replace("The second paragraph.", "A new one."),
        encoding="utf-8",
    )
    assert import_file(path).result == "updated"
    article = Article.objects.get()
    assert "A new one." in article.body
    assert article.original_body == "El litio es de la nación."


def test_articles_imported_before_the_record_keep_slug_status_and_credits(seed_file):
    import_file(seed_file)
    article = Article.objects.get()
    Article.objects.filter(pk=article.pk).update(
        imported=None, import_fingerprint="", slug="kept-slug", status="draft"
    )
    volunteer = Person.objects.create(name="A. Volunteer", slug="a-volunteer")
    article.translators.set([volunteer])
    assert import_file(seed_file).result == "updated"
    article.refresh_from_db()
    assert (article.slug, article.status) == ("kept-slug", "draft")
    assert list(article.translators.all()) == [volunteer]
    assert article.body.startswith("Lima. Peru announced")


def test_a_text_too_large_to_index_fails_alone(tmp_path):
    write(tmp_path, "a.txt", "Story A")
    rng = random.Random(7)
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(105_000))
    (tmp_path / "b.txt").write_text(f"Huge\n\n{words}\n", encoding="utf-8")
    write(tmp_path, "c.txt", "Story C")
    ok, out, err = run(tmp_path)
    assert not ok
    assert "b.txt: the text is too long to be indexed for search" in err
    assert "2 imported, 0 updated, 0 unchanged, 1 failed" in err
    assert sorted(Article.objects.values_list("headline", flat=True)) == ["Story A", "Story C"]


def test_a_new_article_never_takes_another_articles_old_address(tmp_path):
    moved = ArticleFactory(headline="Peru", slug="peru")
    moved.slug = "peru-breaks-relations"
    moved.save()
    import_file(write(tmp_path, "p.txt", "Peru"))
    new = Article.objects.exclude(pk=moved.pk).get()
    assert new.slug == "peru-2"
    assert SlugRedirect.objects.get(old_slug="peru").article == moved


def test_too_many_related_stories_are_refused_with_a_clear_line(tmp_path):
    items = "".join(f"\n  • Story {n}\n" for n in range(MAX_RELATED_STORIES + 1))
    (tmp_path / "many.txt").write_text(f"Headline\n\nBody.\n{items}", encoding="utf-8")
    ok, _, err = run(tmp_path / "many.txt")
    assert not ok and f"{MAX_RELATED_STORIES + 1} related stories (at most 50" in err
    assert not Article.objects.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names and links")
def test_every_file_gets_one_line_and_the_run_ends_with_its_summary(tmp_path):
    write(tmp_path, "good.txt", "Good Story")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing-target")
    (tmp_path / "folder.txt").mkdir()
    bad_name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / bad_name).write_text("Headline\n\nBody.\n", encoding="utf-8")
    long_source = "X" * 250
    (tmp_path / "source.txt").write_text(
        f"H\n\nThis article originally appeared in the May 1, 2025 edition of {long_source}."
        "\n\nBody.\n",
        encoding="utf-8",
    )
    ok, out, err = run(tmp_path)
    assert not ok
    lines = err.splitlines()
    assert any(line.endswith("loop.txt: Too many levels of symbolic links") for line in lines)
    assert any(line.endswith("dangling.txt: a broken symbolic link") for line in lines)
    assert any(line.endswith("folder.txt: a folder, not a text file") for line in lines)
    assert any("caf\ufffd.txt: the file name is not valid UTF-8" in line for line in lines)
    assert any("source.txt: the source name is 250 characters long" in line for line in lines)
    assert lines[-1] == "CommandError: 1 imported, 0 updated, 0 unchanged, 5 failed"
    assert "good.txt: imported “Good Story”" in out


def test_dry_run_prints_what_was_understood_and_writes_nothing(tmp_path):
    write(tmp_path, "a.txt", "Lithium for the Nation", related="Story B")
    ok, out, _ = run("--dry-run", tmp_path)
    assert ok
    assert "headline: Lithium for the Nation" in out
    assert "source: Proceso" in out
    assert "original date: May 2, 2021" in out
    assert "authors: Ana Ruiz" in out and "translators: Tomás Reyes" in out
    assert "related stories: Story B" in out
    assert "nothing was written" in out
    assert not Article.objects.exists() and not Source.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_many_files_are_parsed_in_worker_processes(tmp_path):
    for n in range(60):
        write(tmp_path, f"{n:02}.txt", f"Story number {n}", related=f"Story number {n + 1}")
    ok, out, _ = run("--workers", "2", tmp_path)
    assert ok and "60 imported" in out
    assert RelatedStory.objects.filter(target__isnull=False).count() == 59
    assert Article.objects.filter(authors__name="Ana Ruiz").count() == 60


def test_a_pasted_item_for_someone_who_may_not_add_sources_leaves_the_source_empty():
    parsed = parse_article(
        "Headline\n\nThis article first appeared in Proceso on 2 May 2021.\n\nBody.\n"
    )
    item = ImportItem(parsed=parsed, key=None, label="paste", create_subjects=False)
    article = ImportStore().save_one(item)
    assert article.source is None
    assert article.imported["source_named"] == "Proceso"
    assert not Source.objects.exists()
    assert parsed.notes == [
        "source “Proceso” is not in the archive yet: an editor adds it and sets it on the article"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_writers_write_batches_at_once_without_colliding(tmp_path):
    """Same headlines (so the same slug bases), the same people and sources in every batch,
    and one item the database refuses: batches written by two threads at once."""
    from articles.importing.files import import_files

    for n in range(40):
        write(tmp_path, f"{n:02}.txt", "The Same Headline", related="The Same Headline")
    rng = random.Random(7)
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(105_000))
    (tmp_path / "huge.txt").write_text(
        f"Huge\n\nBy Unique Person\n\n{words}\n\nThis article first appeared in Unique Source "
        "on 2 May 2021.\n",
        encoding="utf-8",
    )
    outcomes = []
    store = ImportStore(batch_size=5, writers=2, report=outcomes.append)
    counts = import_files([str(tmp_path)], store)
    assert counts == {"imported": 40, "updated": 0, "unchanged": 0, "failed": 1}
    slugs = list(Article.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 40
    assert Person.objects.filter(name="Ana Ruiz").count() == 1
    assert Source.objects.filter(name="Proceso").count() == 1
    # What the failed item alone named is gone with it.
    assert not Person.objects.filter(name="Unique Person").exists()
    assert not Source.objects.filter(name="Unique Source").exists()
    assert Revision.objects.count() == 40
    assert not RelatedStory.objects.filter(target__isnull=True).exists()


def test_a_batch_the_database_refused_leaves_its_slugs_to_its_articles(tmp_path):
    """The batch is written again item by item: the others keep the slugs of their titles."""
    from articles.importing.files import import_files

    for name in ["Alpha Story", "Beta Story", "Gamma Story"]:
        write(tmp_path, f"{name}.txt", name)
    rng = random.Random(7)
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(105_000))
    (tmp_path / "huge.txt").write_text(f"Huge\n\n{words}\n", encoding="utf-8")
    counts = import_files([str(tmp_path)], ImportStore(batch_size=10))
    assert counts["imported"] == 3 and counts["failed"] == 1
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "alpha-story",
        "beta-story",
        "gamma-story",
    ]


def test_the_store_itself_skips_an_unchanged_item():
    """Whatever the caller (here: no pre-filter by file), the same input writes nothing."""
    parsed = parse_article("Store Headline\n\nBody.\n")
    first = ImportStore()
    first.add(ImportItem(parsed=parsed, key="k", label="k", fingerprint="same"))
    first.finish()
    versions = Revision.objects.count()
    second = ImportStore()
    second.add(ImportItem(parsed=parsed, key="k", label="k", fingerprint="same"))
    assert second.finish()["unchanged"] == 1
    assert Revision.objects.count() == versions


def test_a_story_titled_like_its_own_article_never_links_to_itself(tmp_path):
    write(tmp_path, "a.txt", "Story A", related="Story A")
    run(tmp_path)
    assert RelatedStory.objects.get().target is None
    write(tmp_path, "b.txt", "Story A")  # a second article with that headline: the link
    run(tmp_path)
    story = RelatedStory.objects.select_related("article", "target").get()
    assert story.target is not None and story.target != story.article


@pytest.mark.django_db(transaction=True)
def test_links_that_batches_written_at_once_could_not_see_are_made_at_the_end(
    tmp_path, monkeypatch
):
    """Each writer thread's batch cannot see the other's uncommitted articles; the links it
    misses are made when the import finishes."""
    import threading

    from articles.importing import store as store_module
    from articles.importing.files import import_files

    real = store_module.link_by_headline

    def only_at_the_end(ids):  # as if every batch had missed its links
        if not threading.current_thread().name.startswith("import-writer"):
            return real(ids)
        return 0

    monkeypatch.setattr(store_module, "link_by_headline", only_at_the_end)
    for n in range(20):
        write(tmp_path, f"{n:02}.txt", f"Story {n}", related=f"Story {(n + 1) % 20}")
    import_files([str(tmp_path)], ImportStore(batch_size=5, writers=2))
    assert RelatedStory.objects.filter(target__isnull=True).count() == 0
    assert RelatedStory.objects.count() == 20
