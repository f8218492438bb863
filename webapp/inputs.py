"""The one guard every request passes before its view: JSON must be strict JSON, and no
field may carry a direction override.

- Python's `json` reads `NaN`, `Infinity` and `-Infinity`, which are not JSON (RFC 8259):
  they would reach the database as non-finite numbers. A JSON body is parsed once here with
  those constants refused, so every API view, webargs schema and `request.get_json()` sees
  strict JSON only; `loads` is the same strict reader for JSON that arrives inside a form
  field or a file (geometries, form schemas, imports).
- Direction overrides and isolates (webapp.text.DIRECTION_OVERRIDES) in any query, form or
  JSON value refuse the whole request (422) with a translated message naming the field.
"""

import json

from flask import abort, request
from flask_babel import lazy_gettext as _l

from webapp.errors import ValidationError
from webapp.text import has_direction_override

NON_FINITE = _l("NaN and infinity are not numbers JSON accepts; send a finite number.")
OVERRIDE = _l(
    "This text contains invisible characters that reverse the direction of writing "
    "(U+202A to U+202E, U+2066 to U+2069). Remove them and try again."
)
# Passwords are compared, never shown: an old one holding such a character must still work.
UNCHECKED_KEYS = ("password", "password2", "current_password", "new_password", "csrf_token")


class NonFiniteNumber(ValueError):
    """A JSON text used NaN, Infinity or -Infinity."""


def _refuse_constant(name):
    raise NonFiniteNumber(name)


def loads(text):
    """json.loads without NaN/Infinity (raises NonFiniteNumber, a ValueError); nesting too
    deep for Python's parser is a ValueError too, not a crash."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _strings(value, path):
    """(path, text) for every string (keys included) inside a parsed JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in UNCHECKED_KEYS:
                continue
            yield path, str(key)
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _refuse_override(field):
    raise ValidationError("text.direction_override", fields={field or "json": [OVERRIDE]})


def check_request():
    """before_request: refuse non-strict JSON and direction overrides, before any change."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        pairs = request.args.items(multi=True)
    else:
        pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    for key, value in pairs:
        if key not in UNCHECKED_KEYS and (
            has_direction_override(key) or has_direction_override(value)
        ):
            _refuse_override(key)
    for key, upload in request.files.items(multi=True):
        if has_direction_override(upload.filename or ""):
            _refuse_override(key)
    if request.is_json and request.content_length != 0 and request.method not in ("GET", "HEAD"):
        raw = request.get_data(cache=True)
        if raw:
            try:
                document = loads(raw)
            except NonFiniteNumber:
                raise ValidationError("json.non_finite", fields={"json": [NON_FINITE]}) from None
            except ValueError:  # malformed JSON or bytes that are not UTF-8
                abort(400)
            for path, text in _strings(document, ""):
                if has_direction_override(text):
                    _refuse_override(path)


def init_app(app):
    app.before_request(check_request)
