"""An inventory's form: the fields a contribution fills in, and the checks on their values.

A schema is plain JSON: `{"fields": [...], "osm_tags": {"natural": "tree"}}`. Each field has
`key`, `type`, `label_fr`, `label_en`, optional `help_fr`, `help_en`, `required`, `min`,
`max`, `choices` (`[{"value", "label_fr", "label_en", "sensitive", "osm"}]`), `osm_tag`,
`sensitive` (any value makes the feature sensitive), `locating` (the value may give the
place away: withheld from non-staff when the feature is sensitive) and `key` (the
attribute compared when looking for duplicates).
"""

import math
import re
from datetime import date

from flask_babel import lazy_gettext as _l

from webapp.errors import ValidationError
from webapp.text import one_line

TEXT, LONG_TEXT, INTEGER, DECIMAL = "text", "long_text", "integer", "decimal"
CHOICE, MULTI_CHOICE, BOOLEAN, DATE, PHOTO = "choice", "multi_choice", "boolean", "date", "photo"
FIELD_TYPES = (TEXT, LONG_TEXT, INTEGER, DECIMAL, CHOICE, MULTI_CHOICE, BOOLEAN, DATE, PHOTO)
FIELD_TYPE_LABELS = {
    TEXT: _l("Text"),
    LONG_TEXT: _l("Long text"),
    INTEGER: _l("Whole number"),
    DECIMAL: _l("Decimal number"),
    CHOICE: _l("Single choice"),
    MULTI_CHOICE: _l("Multiple choice"),
    BOOLEAN: _l("Yes / no"),
    DATE: _l("Date"),
    PHOTO: _l("Photo"),
}
TEXT_MAX = {TEXT: 200, LONG_TEXT: 4000}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
OSM_KEY_RE = re.compile(r"^[A-Za-z0-9_:.\-]{1,80}$")
MAX_FIELDS = 40
MAX_CHOICES = 200
RESERVED_KEYS = {"id", "status", "geometry", "inventory", "revision", "photos"}


def clean_schema(schema):
    """Check a form schema written by an organiser; return it normalised or refuse it."""
    errors = []
    if not isinstance(schema, dict) or not isinstance(schema.get("fields", []), list):
        raise ValidationError(
            "inventory.schema_invalid",
            fields={"form_schema": [_l("The form must be an object with a list of fields.")]},
        )
    fields, seen = [], set()
    if len(schema.get("fields", [])) > MAX_FIELDS:
        errors.append(_l("At most %(max)d fields.", max=MAX_FIELDS))
    for position, raw in enumerate(schema.get("fields", [])[:MAX_FIELDS], start=1):
        field = _clean_field(raw, position, errors)
        if field is None:
            continue
        if field["key"] in seen:
            errors.append(
                _l("Field %(n)d: the key %(key)s is used twice.", n=position, key=field["key"])
            )
        seen.add(field["key"])
        fields.append(field)
    osm_tags = schema.get("osm_tags") or {}
    if not isinstance(osm_tags, dict) or not all(
        isinstance(k, str) and OSM_KEY_RE.match(k) and isinstance(v, str) and 0 < len(v) <= 255
        for k, v in osm_tags.items()
    ):
        errors.append(_l("Fixed OpenStreetMap tags must be key=value pairs."))
        osm_tags = {}
    if errors:
        raise ValidationError("inventory.schema_invalid", fields={"form_schema": errors})
    return {"fields": fields, "osm_tags": dict(osm_tags)}


def _text(raw, name, limit=300):
    value = raw.get(name)
    return one_line(value)[:limit] if isinstance(value, str) else ""


def _clean_field(raw, n, errors):
    if not isinstance(raw, dict):
        errors.append(_l("Field %(n)d is not an object.", n=n))
        return None
    key, kind = raw.get("key"), raw.get("type")
    if not isinstance(key, str) or not KEY_RE.match(key) or key in RESERVED_KEYS:
        errors.append(_l("Field %(n)d: the key must be lower-case letters, digits or _.", n=n))
        return None
    if kind not in FIELD_TYPES:
        errors.append(_l("Field %(key)s: unknown type.", key=key))
        return None
    field = {"key": key, "type": kind}
    for name in ("label_fr", "label_en"):
        field[name] = _text(raw, name, 120)
    if not field["label_fr"] or not field["label_en"]:
        errors.append(_l("Field %(key)s: give a French and an English label.", key=key))
    for name in ("help_fr", "help_en"):
        field[name] = _text(raw, name, 300)
    field["required"] = bool(raw.get("required"))
    field["sensitive"] = bool(raw.get("sensitive"))
    field["locating"] = bool(raw.get("locating", kind in (TEXT, LONG_TEXT)))
    field["key_attribute"] = bool(raw.get("key_attribute"))
    osm_tag = raw.get("osm_tag") or None
    if osm_tag is not None and not (isinstance(osm_tag, str) and OSM_KEY_RE.match(osm_tag)):
        errors.append(_l("Field %(key)s: the OpenStreetMap tag is not a valid key.", key=key))
    field["osm_tag"] = osm_tag
    _clean_bounds(raw, field, errors)
    if kind in (CHOICE, MULTI_CHOICE):
        field["choices"] = _clean_choices(raw.get("choices"), key, errors)
    return field


def _clean_bounds(raw, field, errors):
    key, kind = field["key"], field["type"]
    for name in ("min", "max"):
        value = raw.get(name)
        if value in (None, ""):
            continue
        if kind in (INTEGER, DECIMAL, TEXT, LONG_TEXT):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                errors.append(_l("Field %(key)s: bounds must be numbers.", key=key))
                continue
            field[name] = int(value) if kind != DECIMAL else float(value)
        elif kind == DATE:
            if value != "today" and _parse_date(value) is None:
                errors.append(_l("Field %(key)s: date bounds are YYYY-MM-DD or today.", key=key))
                continue
            field[name] = value
    low, high = field.get("min"), field.get("max")
    if kind == DATE:
        low, high = _date_bound(low), _date_bound(high)
    if low is not None and high is not None and low > high:
        errors.append(_l("Field %(key)s: the minimum is above the maximum.", key=key))


def _clean_choices(raw, key, errors):
    if not isinstance(raw, list) or not raw:
        errors.append(_l("Field %(key)s: give at least one choice.", key=key))
        return []
    choices, values = [], set()
    for item in raw[:MAX_CHOICES]:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip() or len(value) > 80:
            errors.append(_l("Field %(key)s: every choice needs a value.", key=key))
            continue
        value = value.strip()
        if value in values:
            errors.append(
                _l("Field %(key)s: the choice %(value)s is listed twice.", key=key, value=value)
            )
        values.add(value)
        osm = item.get("osm") or None
        if osm is not None and not (isinstance(osm, str) and _parse_osm_pairs(osm) is not None):
            errors.append(
                _l("Field %(key)s: a choice's tags must read key=value;key=value.", key=key)
            )
            osm = None
        choices.append(
            {
                "value": value,
                "label_fr": _text(item, "label_fr", 120) or value,
                "label_en": _text(item, "label_en", 120) or value,
                "sensitive": bool(item.get("sensitive")),
                "osm": osm,
            }
        )
    return choices


def _parse_osm_pairs(text):
    pairs = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if not sep or not OSM_KEY_RE.match(key.strip()) or not value.strip():
            return None
        pairs[key.strip()] = value.strip()
    return pairs


def osm_pairs(text):
    return _parse_osm_pairs(text) or {}


def _parse_date(value):
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def label(field, locale):
    return field.get("label_en") if locale == "en" else field.get("label_fr")


def choice_label(field, value, locale):
    for choice in field.get("choices", []):
        if choice["value"] == value:
            return choice["label_en"] if locale == "en" else choice["label_fr"]
    return value


def _date_bound(value):
    if value is None:
        return None
    return date.today() if value == "today" else _parse_date(value)


# --- values ------------------------------------------------------------------------------------

TRUE_WORDS = {"true", "1", "yes", "oui", "on", "y", "o"}
FALSE_WORDS = {"false", "0", "no", "non", "off", "n", ""}


def clean_values(fields, data, photos_given=()):
    """Check a contribution's attributes against the form; return them or refuse each field.

    `photos_given` names the photo fields that receive a photo with this contribution (or
    already hold one), so a required photo field is satisfied.
    """
    if not isinstance(data, dict):
        raise ValidationError(
            "feature.properties_invalid",
            fields={"properties": [_l("The attributes must be an object.")]},
        )
    by_key = {f["key"]: f for f in fields}
    errors = {
        key: [_l("This inventory has no field %(key)s.", key=key)]
        for key in data
        if key not in by_key or by_key[key]["type"] == PHOTO
    }
    cleaned = {}
    for field in fields:
        key = field["key"]
        if field["type"] == PHOTO:
            if field["required"] and key not in photos_given:
                errors[key] = [_l("A photo is required.")]
            continue
        try:
            value = _clean_value(field, data.get(key))
        except _Refused as refused:
            errors[key] = [refused.message]
            continue
        if value is None:
            if field["required"]:
                errors[key] = [_l("This field is required.")]
            continue
        cleaned[key] = value
    if errors:
        raise ValidationError("feature.properties_invalid", fields=errors)
    return cleaned


class _Refused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _clean_value(field, value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, list) and not value and field["type"] == MULTI_CHOICE:
        return None
    cleaner = _CLEANERS[field["type"]]
    return cleaner(field, value)


def _clean_text(field, value):
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Refused(_l("Give a text."))
    text = str(value).strip()
    if field["type"] == TEXT:
        text = one_line(text)
    high = field.get("max", TEXT_MAX[field["type"]])
    low = field.get("min", 0)
    if not low <= len(text) <= min(high, TEXT_MAX[field["type"]]):
        raise _Refused(_l("Between %(low)d and %(high)d characters.", low=low, high=high))
    return text


def _number(field, value, kind):
    if isinstance(value, bool):
        raise _Refused(_l("Give a number."))
    if isinstance(value, str):
        # Thousands may be split by any space (a spreadsheet copies a no-break one).
        value = "".join(value.split()).replace(",", ".")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _Refused(_l("Give a number.")) from None
    if not math.isfinite(number):
        raise _Refused(_l("Give a finite number."))
    if kind == INTEGER:
        if number != int(number):
            raise _Refused(_l("Give a whole number."))
        number = int(number)
    low, high = field.get("min"), field.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Refused(_bounds_message(low, high))
    return number


def _bound_text(value):
    # 120.0 reads "120", not "120.0"; dates are already text.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _bounds_message(low, high):
    low, high = _bound_text(low), _bound_text(high)
    if low is not None and high is not None:
        return _l("Between %(low)s and %(high)s.", low=low, high=high)
    if low is not None:
        return _l("At least %(low)s.", low=low)
    return _l("At most %(high)s.", high=high)


def _clean_choice(field, value):
    values = {c["value"] for c in field.get("choices", [])}
    if not isinstance(value, str) or value not in values:
        raise _Refused(_l("Choose one of the proposed values."))
    return value


def _clean_multi(field, value):
    if isinstance(value, str):
        value = [v for v in value.split(";") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Refused(_l("Choose among the proposed values."))
    known = [c["value"] for c in field.get("choices", [])]
    chosen = {v.strip() for v in value}
    if not chosen <= set(known):
        raise _Refused(_l("Choose among the proposed values."))
    return [v for v in known if v in chosen] or None


def _clean_bool(field, value):
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _Refused(_l("Answer yes or no."))


def _clean_date(field, value):
    day = _parse_date(value.strip() if isinstance(value, str) else value)
    if day is None:
        raise _Refused(_l("Give a date as YYYY-MM-DD."))
    low, high = _date_bound(field.get("min")), _date_bound(field.get("max"))
    if (low and day < low) or (high and day > high):
        raise _Refused(_bounds_message(low and low.isoformat(), high and high.isoformat()))
    return day.isoformat()


_CLEANERS = {
    TEXT: _clean_text,
    LONG_TEXT: _clean_text,
    INTEGER: lambda f, v: _number(f, v, INTEGER),
    DECIMAL: lambda f, v: _number(f, v, DECIMAL),
    CHOICE: _clean_choice,
    MULTI_CHOICE: _clean_multi,
    BOOLEAN: _clean_bool,
    DATE: _clean_date,
}


# --- sensitivity -------------------------------------------------------------------------------


def is_sensitive(fields, values):
    """A feature is sensitive when a sensitive field is filled or a sensitive choice chosen."""
    for field in fields:
        value = values.get(field["key"])
        if value in (None, "", [], False):
            continue
        if field.get("sensitive"):
            return True
        chosen = value if isinstance(value, list) else [value]
        if any(c["sensitive"] and c["value"] in chosen for c in field.get("choices", [])):
            return True
    return False


def public_values(fields, values, sensitive):
    """What anyone may read: everything, or without the fields that could locate it."""
    if not sensitive:
        return dict(values)
    locating = {f["key"] for f in fields if f.get("locating")}
    return {k: v for k, v in values.items() if k not in locating}


def key_field(fields):
    """The attribute compared when looking for duplicates (the marked one, else the first)."""
    marked = [f for f in fields if f.get("key_attribute")]
    candidates = marked or [f for f in fields if f["type"] in (TEXT, CHOICE)]
    return candidates[0]["key"] if candidates else None
