"""The time the Markdown pipeline takes on the worst inputs known, at the largest size the
archive renders (``markup.MAX_CHARS``): shapes that make other parsers quadratic (unmatched
brackets, emphasis runs, nesting) and long ordinary text, each rendered and sanitized as a
body is. A benchmark, not a test: run it on the machine you deploy to."""

import time

from django.core.management.base import BaseCommand

from articles import markup

PROSE = (
    "Thousands of teachers marched on the *Zócalo* on Tuesday, demanding [the repeal]"
    "(https://example.org/reform) of the 2013 reform. "
) * 8 + "\n\n"

SHAPES = {
    "unmatched [": "[",
    "unmatched ![": "![",
    "link openers [a](": "[a](",
    "footnote openers [^": "[^",
    "emphasis *_": "*_",
    "bracket and paren [(": "[(",
    "html <div>": "<div>",
    "entities &#": "&#",
    "backslashes \\": "\\",
    "list items": "- a\n",
    "nested quotes > ": "> ",
    "table rows": "|x|y|\n",
    "caption lines": "a\n{: .caption }\n\n",
    "prose": PROSE,
}


class Command(BaseCommand):
    help = "Time the Markdown pipeline on the worst inputs known, at its size limit."

    def add_arguments(self, parser):
        parser.add_argument("--chars", type=int, default=markup.MAX_CHARS)

    def handle(self, *args, chars, **options):
        worst = 0.0
        for name, unit in SHAPES.items():
            text = (unit * (chars // len(unit) + 1))[:chars]
            if name == "table rows":
                text = "|a|b|\n|-|-|\n" + text
            started = time.perf_counter()
            markup.render_markdown(text)
            elapsed = time.perf_counter() - started
            worst = max(worst, elapsed)
            self.stdout.write(f"{name:24} {len(text):>10,} characters {elapsed * 1000:8.0f} ms")
        self.stdout.write(f"worst: {worst * 1000:.0f} ms for {chars:,} characters")
