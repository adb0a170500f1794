"""The README's configuration table names every environment variable settings.py reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(
    r"""(?:os\.environ\.get|os\.environ\[|env(?:bool|int|list))\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def test_every_setting_from_the_environment_is_documented():
    settings = (ROOT / "config" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(READS.findall(settings))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= names
    table = [line for line in readme.splitlines() if line.startswith("| `")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(table)))
    missing = sorted(names - documented)
    assert not missing, f"add these to the README's configuration table: {missing}"


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "http://127.0.0.1:8000" in readme
