"""The goals templates obey the content security policy: no <style> elements, no inline
scripts (behaviour lives in static/js/goals.js, styles in static/css/goals.css)."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "goals").glob("*.html"))


def test_no_style_elements_or_inline_scripts():
    assert TEMPLATES
    for path in TEMPLATES:
        text = path.read_text()
        assert "<style" not in text, path.name
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag, (path.name, tag)
        assert not re.search(r"\son[a-z]+=", text), path.name  # no inline event handlers


def test_pages_link_the_goals_stylesheet():
    for path in TEMPLATES:
        text = path.read_text()
        if '{% extends "base.html" %}' in text:
            assert "css/goals.css" in text, path.name
