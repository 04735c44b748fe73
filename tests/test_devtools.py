"""The development tools are an app of their own, installed outside production only."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def installed_apps(**environment) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ARCHIVE_ENVIRONMENT"}}
    env.update(SECRET_KEY="x" * 50, DATABASE_URL="postgres://nowhere/none", **environment)
    env["ARCHIVE_LOCAL_SETTINGS"] = "/nonexistent"
    code = "from django.conf import settings; print(settings.INSTALLED_APPS)"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'archive.settings'; django.setup(); " + code,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_production_ships_no_benchmarks_or_synthetic_data():
    assert "articles.devtools" not in installed_apps()
    assert "articles.devtools" in installed_apps(DEBUG="1")
    assert "articles.devtools" in installed_apps(ARCHIVE_DEVTOOLS="1")  # a benchmark's choice
