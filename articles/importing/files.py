"""Import text files: find them, read and parse them (in worker processes when there are
many), and hand them to the batched store.

Parsing and rendering Markdown cost more than writing (about 5 ms an article, mostly
Python-Markdown and the sanitizer), so with several files they run in a pool of worker processes
while this process writes. Workers never touch the database.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from articles.dates import DateProblem
from articles.importing.items import ImportItem, Outcome, check, fingerprint
from articles.importing.parallel import ordered_map
from articles.importing.parsed import ImportProblem, ParsedArticle
from articles.importing.store import ImportStore
from articles.importing.text_format import parse_article, read_text
from articles.markup import render_markdown
from articles.models import Article, Source

POOL_THRESHOLD = 50  # below this many files, a pool costs more than it saves

# The names of the sources the archive knows, in each process that parses (see
# ``credits.Sources``): read once per import, before the files.
_known_sources: tuple[str, ...] = ()


def _remember_sources(names) -> None:
    global _known_sources
    _known_sources = tuple(names)


def known_sources() -> tuple[str, ...]:
    return tuple(Source.objects.values_list("name", flat=True))


@dataclass
class ReadFile:
    """A file as a worker returns it: parsed, or the problem that stopped it."""

    path: Path
    label: str
    parsed: ParsedArticle | None = None
    fingerprint: str = ""
    body_html: str | None = None
    error: str = ""


def display_name(path: Path) -> str:
    """The path as it can be printed, even when its name is not UTF-8."""
    return os.fsencode(path).decode("utf-8", "replace")


def find_files(names: list[str]) -> Iterator[tuple[Path, str]]:
    """The files named, and the ``*.txt`` files of the folders named, in a stable order; each
    with "" or the reason it cannot be read (a broken or looping link, a folder…)."""
    for name in names:
        path = Path(name)
        if path.is_dir():
            entries = sorted(path.iterdir(), key=lambda p: os.fsencode(p.name))
            for entry in entries:
                if entry.name.endswith(".txt"):
                    yield entry, _unreadable(entry)
        else:
            yield path, _unreadable(path)


def _unreadable(path: Path) -> str:
    try:
        if path.is_file():
            pass
        elif path.is_symlink():
            try:
                os.stat(path)
            except FileNotFoundError:
                return "a broken symbolic link"
            except OSError as error:  # a link that points to itself, say
                return error.strerror or str(error)
            return "a folder, not a text file" if path.is_dir() else "not a regular file"
        elif path.is_dir():
            return "a folder, not a text file"
        elif not path.exists():
            return "No such file or directory"
        else:
            return "not a regular file"
    except OSError as error:
        return error.strerror or str(error)
    if display_name(path) != str(path):
        return "the file name is not valid UTF-8 (rename the file)"
    return ""


def read_file(path: Path) -> ReadFile:
    """Read, parse and render one file (runs in a worker process)."""
    label = display_name(path)
    try:
        text = read_text(path)
        parsed = parse_article(text, sources=_known_sources)
        stamp = file_fingerprint(path)
    except (ImportProblem, DateProblem) as problem:
        return ReadFile(path, label, error=str(problem))
    except OSError as error:
        return ReadFile(path, label, error=error.strerror or str(error))
    problem = check(parsed)
    if problem:
        return ReadFile(path, label, error=problem)
    return ReadFile(
        path,
        label,
        parsed=parsed,
        fingerprint=stamp,
        body_html=parsed.body_html or render_markdown(parsed.body),
    )


def file_fingerprint(path: Path) -> str:
    return fingerprint(path.read_bytes())


def changed_files(paths: list[Path], store: ImportStore) -> Iterator[Path]:
    """The files whose content differs from what their article was imported from; the
    others are reported unchanged without being parsed (a query per thousand files)."""
    for start in range(0, len(paths), 1000):
        chunk = paths[start : start + 1000]
        stamps = {}
        for path in chunk:
            try:
                stamps[path] = file_fingerprint(path)
            except OSError:
                stamps[path] = ""  # read_file reports the problem
        known = store.fingerprints([path.stem for path in chunk])
        for path in chunk:
            if stamps[path] and known.get(path.stem) == stamps[path]:
                store.unchanged(display_name(path))
            else:
                yield path


def read_files(paths, workers: int, sources=()) -> Iterator[ReadFile]:
    """Read the files in order, in ``workers`` processes when it pays; ``sources``: the
    names of the sources the archive knows."""
    paths = list(paths)
    workers = workers if len(paths) >= POOL_THRESHOLD else 1
    yield from ordered_map(
        read_file, paths, workers, initializer=_remember_sources, initargs=(tuple(sources),)
    )


def import_files(
    names: list[str], store: ImportStore, workers: int = 1, user=None
) -> dict[str, int]:
    """Import the files and folders ``names`` into ``store``; return its counts."""
    readable = []
    for path, problem in find_files(names):
        if problem:
            store.fail(display_name(path), problem)
        else:
            readable.append(path)
    changed = list(changed_files(readable, store))
    for read in read_files(changed, workers, known_sources() if changed else ()):
        if read.error:
            store.fail(read.label, read.error)
            continue
        store.add(item_for(read, user))
    return store.finish()


def item_for(read: ReadFile, user=None) -> ImportItem:
    """A file read as an item for the store: published, unless what was read of its credits
    says an editor should look first (``ParsedArticle.needs_review``): then a draft, and the
    import says why."""
    parsed, status, note = read.parsed, Article.Status.PUBLISHED, "Imported"
    if parsed.needs_review:
        status, note = Article.Status.DRAFT, f"Imported as a draft: {parsed.needs_review}"
        parsed.notes.append(f"imported as a draft for an editor: {parsed.needs_review}")
    return ImportItem(
        parsed=parsed,
        key=read.path.stem,
        label=read.label,
        origin=str(read.path.resolve()),
        fingerprint=read.fingerprint,
        body_html=read.body_html,
        user=user,
        checked=True,
        status=status,
        note=note,
    )


def import_file(path: Path, user=None) -> Outcome:
    """Import one file now; the outcome says "imported", "updated", "unchanged" or "failed"
    (with ``error``)."""
    outcomes = []
    import_files([str(path)], ImportStore(report=outcomes.append), user=user)
    return outcomes[0]


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))
