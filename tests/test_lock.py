"""Installs are reproducible: every dependency pyproject.toml names is pinned, with hashes, in
the lock files (``make lock`` writes them); a dependency added without locking fails here."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _locked(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.M)
    assert "--hash=sha256:" in text
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_every_dependency_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = {_name(r) for r in project["dependencies"]}
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}
    production, development = (
        _locked(ROOT / "requirements" / "base.txt"),
        _locked(ROOT / "requirements" / "dev.txt"),
    )
    assert base <= set(production), base - set(production)
    assert base | dev <= set(development), (base | dev) - set(development)
    assert "pytest" not in production  # production installs no test tools
    for name in base:  # the same version in both
        assert production[name] == development[name], name
