import time

from django.core.management.base import BaseCommand, CommandError

from articles.importing.files import default_workers, known_sources
from articles.importing.store import ImportStore
from articles.importing.wordpress import ExportImport
from articles.importing.wxr import WxrProblem


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR, from Tools → Export): posts become articles, "
        "categories and tags topics, old addresses redirect. Re-importing the same export "
        "updates instead of duplicating."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", metavar="EXPORT.xml")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be imported; write nothing."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processes that convert posts (default: one per core, at most 4).",
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=2,
            help="Database connections writing batches at once (default 2).",
        )

    def handle(self, *args, export, dry_run, workers, writers, **options):
        started = time.monotonic()
        self.verbosity = options["verbosity"]
        store = ImportStore(report=self.report, writers=writers)
        try:
            run = ExportImport(
                export, store, workers=workers, sources=known_sources(), progress=self.progress
            )
        except WxrProblem as problem:
            raise CommandError(f"{export}: {problem}; nothing was imported") from None
        self.stdout.write(f"{export}: a WordPress export with {run.total:,} items")
        self.started, self.shown = started, 0
        counts = run.run(show=self.show if dry_run else None)
        skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(run.skipped.items()))
        if dry_run:
            summary = f"dry run: {self.shown} posts read, {counts['failed']} failed"
        else:
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        if run.pages:
            summary += "; pages: " + ", ".join(f"{n} {what}" for what, n in run.pages.items())
        summary += f"; skipped: {skipped or 'none'}"
        summary += f" ({run.seen:,} items in {time.monotonic() - started:.1f} s)"
        if dry_run:
            summary += "; nothing was written"
        if counts["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def progress(self, run):
        rate = run.seen / max(time.monotonic() - self.started, 1e-6)
        self.stdout.write(f"… {run.seen:,} of {run.total:,} items ({rate:,.0f}/s)")

    def report(self, outcome):
        if outcome.result == "failed":
            self.stderr.write(f"{outcome.item.label}: {outcome.error}")
        elif self.verbosity >= 2:
            self.stdout.write(f"{outcome.item.label}: {outcome.result}")
        for note in outcome.item.parsed.notes:
            if self.verbosity >= 2 or "not in the archive" in note:
                self.stdout.write(f"{outcome.item.label}: note: {note}")

    def show(self, item):
        self.shown += 1
        self.stdout.write(f"== {item.label} → {item.status}")
        for line in item.parsed.summary_lines():
            self.stdout.write(f"   {line}")
        for note in item.parsed.notes:
            self.stdout.write(f"   unsure: {note}")
