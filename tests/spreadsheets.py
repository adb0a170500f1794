"""Reading the CSV files the pages offer, as a spreadsheet would (core.csvsafe)."""

import csv
import io


def read_csv(response, delimiter: str = ",") -> list[dict]:
    """The rows of a CSV download, by heading; it is UTF-8 with a byte order mark, its cells
    separated by `delimiter`."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "no byte order mark: a spreadsheet may misread UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=delimiter))
