"""Helpers of the hostile-input tests: every writing route, row counts, French messages."""

import re

from flask import current_app
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter

from webapp.extensions import db

WRITE_METHODS = ("POST", "PUT", "PATCH")


def writing_routes():
    """(method, url) for every route that takes input, with placeholder path values."""
    adapter = current_app.url_map.bind("localhost")
    routes = []
    for rule in current_app.url_map.iter_rules():
        methods = sorted(set(rule.methods) & set(WRITE_METHODS))
        if not methods:
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif isinstance(converter, IntegerConverter):
                values[name] = 1
            else:
                values[name] = "x"
        url = adapter.build(rule.endpoint, values, method=methods[0])
        routes.extend((method, url) for method in methods)
    return sorted(set(routes))


def row_counts():
    """Rows in every table of the application, to show a refusal changed nothing."""
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts


def page_text(response):
    """The visible text of an HTML page, tags removed and entities kept escaped."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def assert_no_raw_markup(html, markers):
    """None of the hostile markup reached the page as markup."""
    for marker in markers:
        assert marker not in html, f"raw {marker!r} in the page"
