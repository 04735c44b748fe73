import datetime
import random
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.devtools.synthetic import Writer, text_article


class Command(BaseCommand):
    help = (
        "Write N synthetic articles in the archive's text format into FOLDER (for the import "
        "benchmark; about 8 KB each, with credits in several shapes and 0–3 related stories)."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("folder")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, count, folder, seed, **options):
        started = time.monotonic()
        write_articles(Path(folder), count, seed)
        self.stdout.write(f"{count:,} files in {folder} ({time.monotonic() - started:.1f} s)")


def write_articles(folder: Path, count: int, seed: int = 7) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    writer = Writer(rng)
    start = datetime.date(2015, 1, 1)
    for number in range(count):
        when = start + datetime.timedelta(days=rng.randrange(3650))
        text = text_article(writer, rng, number, count, when)
        (folder / f"article-{number:06d}.txt").write_text(text, encoding="utf-8")
