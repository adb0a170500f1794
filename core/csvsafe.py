"""CSV cells that a spreadsheet will not run as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with =, +, - or @ as a formula,
and a leading tab or carriage return can hide one of those (OWASP's "CSV injection"). Every
CSV the site writes passes its cells through `csv_cell`, which puts an apostrophe in front of
such a cell: the spreadsheet shows the text as written and runs nothing. A plain number
("-2.5", "+3") is left as it is, so negative values stay numbers: it cannot be a formula.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(value) -> str:
    """`value` as the text of a CSV cell, with "'" in front when it could start a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
