"""What a reader's browser downloads for a page: bytes per kind of resource (as sent, and
as the page's gzip would make them), in Debian's Chromium at a desktop's and a phone's size.

    python manage.py runserver 127.0.0.1:8000 &
    python manage.py page_weight http://127.0.0.1:8000/2025/03/11/some-article/

Needs the dev extras (Playwright) and /usr/bin/chromium. Images below the fold are counted
only if the browser fetched them (they load lazily).
"""

import gzip
import urllib.request

from django.core.management.base import BaseCommand, CommandError

SCREENS = [("desktop 1280 px", 1280, 900, 1), ("phone 390 px, 3x", 390, 844, 3)]


class Command(BaseCommand):
    help = "Bytes a browser downloads for a page, by kind of resource, desktop and phone."

    def add_arguments(self, parser):
        parser.add_argument("url")

    def handle(self, *args, url, **options):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise CommandError("needs Playwright: pip install -e '.[dev]'") from None
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for label, width, height, scale in SCREENS:
                context = browser.new_context(
                    viewport={"width": width, "height": height}, device_scale_factor=scale
                )
                page = context.new_page()
                fetched = []
                page.on("requestfinished", lambda request, fetched=fetched: fetched.append(request))
                page.goto(url, wait_until="networkidle")
                totals: dict[str, list[int]] = {}
                for request in fetched:
                    body = _body(request.url)
                    kind = request.resource_type
                    if kind == "image":
                        kind += f" ({request.url.rsplit('/', 1)[-1].split('-')[-1]})"
                    size, zipped = totals.setdefault(kind, [0, 0]), len(gzip.compress(body))
                    size[0] += len(body)
                    size[1] += zipped if not kind.startswith("image") else len(body)
                self.stdout.write(f"{label}:")
                for kind, (size, zipped) in sorted(totals.items()):
                    self.stdout.write(f"  {kind:<28} {size:>9,} B  ({zipped:,} B gzipped)")
                all_bytes = sum(zipped for _, zipped in totals.values())
                self.stdout.write(f"  {'total (gzipped text)':<28} {all_bytes:>9,} B")
                context.close()
            browser.close()


def _body(address: str) -> bytes:
    with urllib.request.urlopen(address) as answer:  # noqa: S310 (the page's own resources)
        return answer.read()
