"""Files and lines of code per app, and the largest module and function: the map of the house
(``manage.py code_map``), to see it stay in proportion as it grows."""

import ast
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

APPS = ("articles.readers", "articles.desk", "articles.importing", "articles.devtools")


def app_of(relative: Path) -> str:
    dotted = ".".join(relative.with_suffix("").parts)
    for app in APPS:
        if dotted.startswith(app + "."):
            return app
    return relative.parts[0]


class Command(BaseCommand):
    help = "Files and lines per app, the largest module and function (migrations aside)."

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR)
        apps = defaultdict(lambda: [0, 0])
        modules, functions = [], []
        for path in sorted([*root.glob("articles/**/*.py"), *root.glob("archive/**/*.py")]):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n")
            apps[app_of(relative)][0] += 1
            apps[app_of(relative)][1] += lines
            modules.append((lines, str(relative)))
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    size = node.end_lineno - node.lineno + 1
                    functions.append((size, f"{relative}:{node.name}"))
        for app, (files, lines) in sorted(apps.items()):
            self.stdout.write(f"{app:22} {files:4} files {lines:7,} lines")
        total_files = sum(files for files, _ in apps.values())
        total_lines = sum(lines for _, lines in apps.values())
        self.stdout.write(f"{'in all':22} {total_files:4} files {total_lines:7,} lines")
        for label, found in (("modules", modules), ("functions", functions)):
            largest = ", ".join(f"{name} ({size})" for size, name in sorted(found)[-3:][::-1])
            self.stdout.write(f"largest {label}: {largest}")
