from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles import dump
from articles.exporting import files, wxr


class Command(BaseCommand):
    help = (
        "Write the whole archive to one file: --format jsonl (the default), which "
        "import_articles reads back into an empty archive, or --format wxr, a WordPress "
        "export (WordPress's importer, or import_wordpress). The file is whole or absent."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", metavar="FILE")
        parser.add_argument("--format", choices=["jsonl", "wxr"], default="jsonl")
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="The site's address, for the links in the file (default: the local one).",
        )

    def handle(self, *args, output, format, site, **options):
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"{output}: no such folder: {target.parent}")
        if target.is_dir():
            raise CommandError(f"{output}: a folder; give a file name")
        chunks = dump.lines(site) if format == "jsonl" else wxr.document(site)
        try:
            size = files.write_whole(target, chunks)
        except OSError as error:
            raise CommandError(
                f"{output}: {error.strerror or error}: nothing was written"
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{output}: {size:,} bytes written ({format})"))
