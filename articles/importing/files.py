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
from articles.importing.items import ImportItem, check, fingerprint
from articles.importing.parallel import ordered_map
from articles.importing.parsed import ImportProblem, ParsedArticle
from articles.importing.store import ImportStore
from articles.importing.text_format import parse_article, read_text
from articles.markup import render_markdown

POOL_THRESHOLD = 50  # below this many files, a pool costs more than it saves


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
        parsed = parse_article(text)
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


def read_files(paths, workers: int) -> Iterator[ReadFile]:
    """Read the files in order, in ``workers`` processes when it pays."""
    paths = list(paths)
    workers = workers if len(paths) >= POOL_THRESHOLD else 1
    yield from ordered_map(read_file, paths, workers)


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
    for read in read_files(changed_files(readable, store), workers):
        if read.error:
            store.fail(read.label, read.error)
            continue
        store.add(
            ImportItem(
                parsed=read.parsed,
                key=read.path.stem,
                label=read.label,
                origin=str(read.path.resolve()),
                fingerprint=read.fingerprint,
                body_html=read.body_html,
                user=user,
                checked=True,
            )
        )
    return store.finish()


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))
