"""CSV exports that spreadsheets cannot turn into formulas.

Every CSV the application writes goes through `safe_cell` (OWASP's advice on CSV
injection): a text cell starting with =, +, -, @, a tab or a carriage return gets a leading
single quote, so a spreadsheet shows it as text instead of running it. A cell that is
exactly a number ("-3.8767", "+12", "-1e-05") is kept as it is: a spreadsheet reads it as
that number and nothing else, and negative coordinates stay usable.
"""

import csv
import io
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """Neutralise a cell a spreadsheet would read as a formula (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def to_csv(header, rows):
    """Return CSV text (UTF-8 with BOM so spreadsheets detect the encoding)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()
