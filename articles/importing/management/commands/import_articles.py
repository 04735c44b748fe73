from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles import dump
from articles.importing.files import (
    _remember_sources,
    default_workers,
    find_files,
    import_files,
    known_sources,
    read_file,
)
from articles.importing.store import ImportStore


class Command(BaseCommand):
    help = (
        "Import translated articles from text files in the archive's format (see seeds/ and "
        "docs/importing.md). Give files or folders of *.txt files. Re-importing a file updates its "
        "article; an unchanged file writes nothing. --dry-run shows what would be imported. "
        "Or give one export of a whole archive (export_archive's .jsonl) to read it into "
        "this empty archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what the importer understood of each file; write nothing.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processes that read and parse files (default: one per core, at most 4).",
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=2,
            help="Database connections writing batches at once in a large import (default 2).",
        )

    def handle(self, *args, paths, dry_run, workers, writers, **options):
        if any(path.endswith(".jsonl") for path in paths):
            return self.restore(paths, dry_run)
        if dry_run:
            return self.dry_run(paths)
        store = ImportStore(report=self.report, writers=writers)
        counts = import_files(paths, store, workers=workers)
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        if counts["failed"]:
            raise CommandError(summary)
        if not any(counts.values()):
            raise CommandError("no .txt files found in " + ", ".join(paths))
        self.stdout.write(self.style.SUCCESS(summary))

    def restore(self, paths, dry_run):
        """An export of a whole archive (``articles.dump``): into an empty archive, all or
        nothing."""
        if len(paths) != 1 or dry_run:
            raise CommandError("give one .jsonl export alone (and no --dry-run)")
        path = Path(paths[0])
        try:
            with path.open("rb") as stream:
                counts = dump.restore(stream, label=str(path))
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        except dump.DumpError as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"{path}: restored {summary}"))

    def report(self, outcome):
        if outcome.result == "failed":
            self.stderr.write(f"{outcome.item.label}: {outcome.error}")
            return
        parsed = outcome.item.parsed
        headline = f" “{parsed.headline}”" if parsed.headline else ""
        self.stdout.write(f"{outcome.item.label}: {outcome.result}{headline}")
        for note in parsed.notes:
            self.stdout.write(f"{outcome.item.label}: note: {note}")

    def dry_run(self, paths):
        failed = read = 0
        _remember_sources(known_sources())
        for path, problem in find_files(paths):
            result = read_file(path) if not problem else None
            label = result.label if result else str(path)
            error = problem or result.error
            if error:
                failed += 1
                self.stderr.write(f"{label}: {error}")
                continue
            read += 1
            self.stdout.write(f"== {label}")
            for line in result.parsed.summary_lines():
                self.stdout.write(f"   {line}")
            for note in result.parsed.notes:
                self.stdout.write(f"   unsure: {note}")
        summary = f"dry run: {read} read, {failed} failed; nothing was written"
        if failed:
            raise CommandError(summary)
        if not read:
            raise CommandError("no .txt files found in " + ", ".join(paths))
        self.stdout.write(summary)
