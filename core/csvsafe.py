"""The CSV files people download from the site's pages, written for a spreadsheet in their
language, with cells that a spreadsheet will not run as a formula.

In the reader's language: the headings are translated, labels (a status, a role, yes or no)
are the words of the pages, and decimals carry the language's separator; where that separator
is a comma, cells are separated by semicolons, as a spreadsheet set to that language expects.
The file starts with a byte order mark, so a spreadsheet reads it as UTF-8 (names with accents
stay intact). Dates stay in the ISO form (YYYY-MM-DD) in every language: every spreadsheet
reads it as a date, and it sorts as text. Files for programs rather than people (the API's
exports, api.export) keep field names, codes and points.

Excel, LibreOffice and Google Sheets treat a cell that starts with =, +, - or @ as a formula,
and a leading tab or carriage return can hide one of those (OWASP's "CSV injection"). Every
CSV the site writes passes its cells through `csv_cell`, which puts an apostrophe in front of
such a cell: the spreadsheet shows the text as written and runs nothing. A plain number
("-2.5", "-2,5", "+3") is left as it is, so negative values stay numbers: it cannot be a
formula.
"""

import csv
import re
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.formats import get_format, number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+([.,][0-9]+)?")
BYTE_ORDER_MARK = "\ufeff"


def csv_cell(value) -> str:
    """`value` as the text of a CSV cell, with "'" in front when it could start a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_delimiter() -> str:
    """The separator between cells for the active language: ";" where decimals take a comma."""
    return ";" if get_format("DECIMAL_SEPARATOR") == "," else ","


def spreadsheet_value(value) -> str:
    """A cell's text in the active language: yes or no, a decimal as Django's number_format
    writes it (the language's separator; no grouping, as the site does not set
    USE_THOUSAND_SEPARATOR, so the spreadsheet reads it as a number), a date in the ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return number_format(value)
    return str(value)


def csv_response(filename: str, header, rows):
    """A CSV download for a person: `header` (translated headings), then `rows` (any iterable
    of sequences), every cell in the active language and through `csv_cell`, written as the
    rows come (an export of thousands of rows is not held)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.write(BYTE_ORDER_MARK)
    writer = csv.writer(response, delimiter=spreadsheet_delimiter())
    writer.writerow([str(heading) for heading in header])
    for row in rows:
        writer.writerow([csv_cell(spreadsheet_value(v)) for v in row])
    return response
