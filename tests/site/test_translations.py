"""The interface in every language: each catalogue holds every string of the code and the
templates, translated, none fuzzy, and compiles; and no template shows a human word that is
not marked for translation. Needs gettext's tools (msgfmt, msgcmp), as `make messages` does."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
SOURCES = ("accounts", "api", "config", "core", "goals", "mentorship", "notifications", "templates")
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalogue(code: str) -> Path:
    return ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def template_of_the_code(tmp_path_factory) -> Path:
    """The strings the code and templates ask for now, extracted by makemessages from a copy
    of the sources (the checkout itself is left alone)."""
    copy = tmp_path_factory.mktemp("sources")
    for name in SOURCES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--keep-pot", "-l", "de", "-v", "0"],
        cwd=copy,
        check=True,
    )
    return copy / "locale" / "django.pot"


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalogue_translates_every_string_of_the_code(code, template_of_the_code):
    catalogue = _catalogue(code)
    assert catalogue.exists(), f"no catalogue for {code}"
    # msgcmp: every msgid the code uses is in the catalogue, and translated.
    compared = subprocess.run(
        ["msgcmp", str(catalogue), str(template_of_the_code)], capture_output=True, text=True
    )
    problems = [line for line in compared.stderr.splitlines() if "warning:" not in line]
    assert compared.returncode == 0, "\n".join(problems[:40])


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalogue_compiles_with_nothing_fuzzy_or_untranslated(code, tmp_path):
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), _catalogue(code)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    statistics = checked.stderr
    assert "fuzzy" not in statistics, statistics
    assert "untranslated" not in statistics, statistics


# Human text in a template: a word of two letters or more outside {% translate %} and
# {% blocktranslate %}, in the text or in an attribute people read.
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
READ_ATTRIBUTES = re.compile(
    r'\b(?:placeholder|title|alt|aria-label|aria-description|data-confirm)\s*=\s*"([^"]*)"'
)
# Not words: the API token's visible prefix.
NOT_WORDS = ("mgt_",)


def _words(text: str) -> list[str]:
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text.replace("§", " "))
    for code in NOT_WORDS:
        text = text.replace(code, " ")
    return WORD.findall(text)


def _untranslated_text(path: Path) -> list[str]:
    """The lines of `path` with human words outside translation tags: every template tag and
    every translated passage becomes "§", then markup, scripts and comments go."""
    parts, translating, skipping = [], 0, 0
    for token in Lexer(path.read_text()).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            translating += {"blocktranslate": 1, "endblocktranslate": -1}.get(name, 0)
            skipping += {"comment": 1, "endcomment": -1, "verbatim": 1, "endverbatim": -1}.get(
                name, 0
            )
            parts.append("§")
        elif token.token_type == TokenType.TEXT and not translating and not skipping:
            parts.append(token.contents)
        else:
            parts.append("§")
    text = re.sub(
        r"<script.*?</script>|<style.*?</style>|<!--.*?-->", " ", "".join(parts), flags=re.S
    )
    found = [match.group(0) for match in READ_ATTRIBUTES.finditer(text) if _words(match.group(1))]
    if path.suffix == ".html":
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    found += [" ".join(line.split()) for line in text.splitlines() if _words(line)]
    return found


def test_no_template_shows_a_string_not_marked_for_translation():
    problems = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.suffix in (".html", ".txt") and (found := _untranslated_text(path))
    }
    assert problems == {}


def test_the_checker_finds_an_unmarked_string(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<p title="Hello there">{% translate "Fine" %} Not marked</p>'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}<b>{{ x }}</b>"
    )
    found = _untranslated_text(page)
    assert found[0] == 'title="Hello there"'
    assert len(found) == 2 and "Not marked" in found[1] and "fine" not in found[1]
