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


def csv_response(filename: str, header, rows):
    """A CSV download: `header`, then `rows` (any iterable of sequences), every cell through
    `csv_cell`, written as the rows come (an export of thousands of rows is not held)."""
    import csv

    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return response
