from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.importer import ImportProblem, import_file


def _files(paths: list[str]) -> list[Path]:
    """The files named, and the ``*.txt`` files of the folders named, in a stable order."""
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.txt") if p.is_file()))
        else:
            files.append(path)
    return files


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


class Command(BaseCommand):
    help = (
        "Import translated articles from text files in the archive's format (see "
        "seeds/). Give files or folders of *.txt files. Re-importing a file updates its article."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths, **options):
        counts = {"imported": 0, "updated": 0, "failed": 0}
        for path in _files(paths):
            try:
                result = import_file(path)
            except (ImportProblem, ValidationError, OSError) as error:
                counts["failed"] += 1
                self.stderr.write(f"{path}: {_describe(error)}")
                continue
            outcome = "imported" if result.created else "updated"
            counts[outcome] += 1
            self.stdout.write(f"{path}: {outcome} “{result.article.headline}”")
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        if counts["failed"]:
            raise CommandError(summary)
        if not any(counts.values()):
            raise CommandError("no .txt files found in " + ", ".join(paths))
        self.stdout.write(self.style.SUCCESS(summary))
