"""The API's JSON parser: DRF's, with a body nested too deep answered as a 400.

Python's json module decodes nested arrays and objects by recursion, so a body of 100,000
brackets (200 kB, well under the upload limit) raised RecursionError, a 500. No request of
this API nests more than a few levels; anything deeper than MAX_DEPTH is refused outright.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    """True when `data` nests lists or dicts more than `limit` deep (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(
            _("JSON parse error: nested more than %(n)d levels deep.") % {"n": MAX_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise too_deep
        return data
