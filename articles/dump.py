"""The archive as one JSON-lines file, and back: ``export_archive --format jsonl`` writes it,
``import_articles`` reads it into an empty archive (a move to a new server, a copy for a
partner, a backup a person can read).

One JSON object a line. The first says what the file is::

    {"format": "translated-archive", "version": 1, "exported_at": "…", "site": "…"}

then one line per row of each table, in an order that lets each row's references be
written before it: images, sources, topics, people, glossary, stories, pages, the search's
common words (the database computes each article's from them as it is written), articles,
their credits and topics, related stories, corrections, updates of the original, old
addresses, the translation memory, the latest version of each article and page, the site's
identity. An image's files (the upload and its resized copies) come before its row,
base64-encoded::

    {"table": "article", "row": {"id": 12, "headline": "…", "published_at": "…", …}}
    {"table": "file", "name": "images/2025/11/march.jpg", "data": "<base64>"}

and the last line says the file is whole, with the number of rows of each table::

    {"end": true, "rows": {"article": 100000, …}}

A row holds every stored column but the ones PostgreSQL generates (the search vectors):
the rendered HTML and the other derived columns come as they are, so the pages of the
restored archive are the pages of this one, byte for byte, without rendering anything again.
Times keep their microseconds. The staff's accounts are not in it (nor the person who wrote,
uploaded or versioned something: those columns are empty in the file), nor the versions
before the latest, the preview links, or anything kept to serve pages faster.

Reading it back (:func:`restore`) writes the rows with COPY in one transaction, after checking
that the archive is empty, with the large tables' indexes built once at the end
(``REBUILT``): a file that is cut short (no ``end`` line), malformed or that breaks a rule of
the database leaves the archive as it was, and the error names the line.
"""

import base64
import datetime
import json
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from articles import uploads
from articles.models import (
    Article,
    CommonWord,
    Correction,
    GlossaryTerm,
    Image,
    LegacyAddress,
    OriginalUpdate,
    Page,
    PageRevision,
    ParagraphPair,
    Person,
    RelatedStory,
    Revision,
    SiteIdentity,
    SlugRedirect,
    Source,
    Thread,
    Topic,
)
from articles.signals import content_changed

FORMAT = "translated-archive"
VERSION = 1
BATCH = 2000

# The tables, in the order they are written and read back: each row's references first.
TABLES = {
    "image": Image,
    "source": Source,
    "topic": Topic,
    "person": Person,
    "glossary_term": GlossaryTerm,
    "story": Thread,
    "page": Page,
    # Before the articles: the database computes each article's common words as it is written.
    "common_word": CommonWord,
    "article": Article,
    "article_author": Article.authors.through,
    "article_translator": Article.translators.through,
    "article_topic": Article.topics.through,
    "related_story": RelatedStory,
    "correction": Correction,
    "original_update": OriginalUpdate,
    "slug_redirect": SlugRedirect,
    "legacy_address": LegacyAddress,
    "paragraph_pair": ParagraphPair,
    "article_version": Revision,
    "page_version": PageRevision,
    "site_identity": SiteIdentity,
}
# Versions: only each article's and page's latest.
LATEST = {Revision: "article_id", PageRevision: "page_id"}


class DumpError(ValueError):
    """What is wrong with a file, and where."""


def _columns(model) -> list:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _is_staff_account(field) -> bool:
    return field.is_relation and field.related_model is get_user_model()


def _value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return value


def _line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# Writing -------------------------------------------------------------------------------------


def lines(site: str = "") -> Iterator[str]:
    """The archive's dump, line by line: memory stays flat whatever its size (rows are read
    ``BATCH`` at a time through a server-side cursor)."""
    yield _line(
        {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": timezone.now().isoformat(),
            "site": site,
        }
    )
    counts = {}
    for table, model in TABLES.items():
        fields = _columns(model)
        names = [f.attname for f in fields]
        blank = {i for i, f in enumerate(fields) if _is_staff_account(f)}
        rows = model._base_manager.order_by("pk")
        if model in LATEST:
            owner = LATEST[model]
            rows = model._base_manager.order_by(owner, "-number").distinct(owner)
        counts[table] = 0
        for values in rows.values_list(*names).iterator(chunk_size=BATCH):
            row = {
                name: (None if i in blank else _value(value))
                for i, (name, value) in enumerate(zip(names, values, strict=True))
            }
            if model is Image and row["file"]:
                yield from _files(row)
            counts[table] += 1
            yield _line({"table": table, "row": row})
    yield _line({"end": True, "rows": counts})


def _files(row: dict) -> Iterator[str]:
    names = [row["file"]] + [
        uploads.rendition_name(row["file"], w) for w in row["rendition_widths"]
    ]
    for name in names:
        try:
            with default_storage.open(name, "rb") as stored:
                data = stored.read()
        except FileNotFoundError:
            continue  # a copy that was never made: the page links what there is
        yield _line({"table": "file", "name": name, "data": base64.b64encode(data).decode()})


# Reading -------------------------------------------------------------------------------------


def read_lines(stream: Iterable) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each line of ``stream`` (bytes or text)."""
    for number, raw in enumerate(stream, start=1):
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except ValueError as error:
            raise DumpError(f"line {number}: not JSON ({error})") from None
        if not isinstance(data, dict):
            raise DumpError(f"line {number}: not a JSON object")
        yield number, data


def restore(stream: Iterable, label: str = "the file") -> dict[str, int]:
    """Write the dump in ``stream`` into this (empty) archive; the rows written, by table.
    All or nothing: any error leaves the archive as it was."""
    records = read_lines(stream)
    _check_header(next(records, (1, None)), label)
    occupied = [t for t, m in TABLES.items() if m._base_manager.exists()]
    if occupied:
        raise DumpError(
            f"{label}: this archive is not empty (it has {', '.join(occupied[:3])} rows): "
            "an export is read into an empty database"
        )
    counts = dict.fromkeys(TABLES, 0)
    with transaction.atomic():
        indexes = _set_indexes_aside()
        batch, table, ended = [], None, None
        for number, data in records:
            if ended is not None:
                raise DumpError(f"{label}, line {number}: more after the end line")
            if data.get("end") is True:
                ended = data
                continue
            name = data.get("table")
            if name == "file":
                _write_file(data, number, label)
                continue
            if name not in TABLES:
                raise DumpError(f"{label}, line {number}: unknown table {name!r}")
            if name != table:
                _insert(table, batch, label)
                batch, table = [], name
            batch.append((number, data.get("row")))
            if len(batch) >= BATCH:
                _insert(table, batch, label)
                batch = []
            counts[name] += 1
        _insert(table, batch, label)
        if ended is None:
            raise DumpError(f"{label}: cut short (no end line): nothing was imported")
        expected = ended.get("rows") or {}
        if {t: n for t, n in counts.items() if n} != {t: n for t, n in expected.items() if n}:
            raise DumpError(
                f"{label}: the rows read ({counts}) are not the ones the end line "
                f"counts ({expected}): nothing was imported"
            )
        _check_references(label)
        _rebuild(indexes)
        _reset_sequences()
        content_changed.send(sender=Article, article_ids=[])
    return counts


def _check_header(first, label: str) -> None:
    number, data = first
    if not data or data.get("format") != FORMAT:
        raise DumpError(f"{label}, line {number}: not an export of this archive (no header)")
    if data.get("version") != VERSION:
        raise DumpError(
            f"{label}, line {number}: export format version {data.get('version')!r}; "
            f"this archive reads version {VERSION}"
        )


def _write_file(data: dict, number: int, label: str) -> None:
    name = data.get("name")
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name.split("/"):
        raise DumpError(f"{label}, line {number}: a file with no name or an unsafe one")
    try:
        content = base64.b64decode(data.get("data") or "", validate=True)
    except ValueError:
        raise DumpError(f"{label}, line {number}: file {name}: its data is not base64") from None
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            if stored.read() == content:
                return  # already there (an import on the same server)
        raise DumpError(f"{label}, line {number}: file {name} exists with other content")
    default_storage.save(name, ContentFile(content))


def _insert(table: str | None, batch: list, label: str) -> None:
    """COPY the batch's rows, every column as the file gives it."""
    if not batch:
        return
    model = TABLES[table]
    fields = _columns(model)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    rows = []
    for number, row in batch:
        if not isinstance(row, dict):
            raise DumpError(f"{label}, line {number}: {table} without its row")
        values = []
        for field in fields:
            if field.attname not in row:
                raise DumpError(f"{label}, line {number}: {table} without {field.attname}")
            try:
                value = row[field.attname]
                if value is not None and not field.is_relation:
                    value = field.to_python(value)
                values.append(field.get_db_prep_save(value, connection))
            except Exception as error:  # noqa: BLE001 - said with its line and field
                message = "; ".join(getattr(error, "messages", [str(error)]))
                raise DumpError(
                    f"{label}, line {number}: {table}.{field.attname}: {message}"
                ) from None
        rows.append(values)
    table_name = connection.ops.quote_name(model._meta.db_table)
    first, last = batch[0][0], batch[-1][0]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
    except Exception as error:  # noqa: BLE001
        detail = str(getattr(error, "__cause__", None) or error).strip().splitlines()[0]
        raise DumpError(f"{label}, lines {first}–{last}: {table}: {detail}") from None


# The tables whose indexes are set aside during a restore and built again after it, as
# PostgreSQL's "Populating a Database" advises: building an index over 100,000 rows at once
# is much cheaper than updating it row by row (the search's GIN indexes above all). Unique
# indexes stay: they check the rows as they come.
REBUILT = ["articles_article", "articles_paragraphpair", "articles_article_topics"]


def _set_indexes_aside() -> list[str]:
    """Drop the non-unique indexes of ``REBUILT`` (inside the restore's transaction: a
    failure brings them back); the statements that build them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index AS i JOIN pg_class AS t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
            ORDER BY 1
            """,
            [REBUILT],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _check_references(label: str) -> None:
    """The foreign keys are checked at commit (Django makes them deferrable): check them now,
    saying which reference is missing (and PostgreSQL builds no index on a table with checks
    pending)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except Exception as error:  # noqa: BLE001 - said with what is missing
        detail = str(getattr(error, "__cause__", None) or error).strip().splitlines()
        raise DumpError(
            f"{label}: a row refers to one the file does not hold: " + " ".join(detail[:2])
        ) from None


def _rebuild(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


def _reset_sequences() -> None:
    """The next id of each table after the highest written (new rows must not collide)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(TABLES.values()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
