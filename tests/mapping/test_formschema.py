"""An inventory's form: cleaning the schema an organiser writes, cleaning a contribution's
values against it, and what makes a feature sensitive."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from mapping import formschema
from mapping.inventory_templates import TEMPLATES
from tests.mapping.helpers import messages
from webapp.errors import ValidationError


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def field(key, kind="text", **extra):
    return {"key": key, "type": kind, "label_fr": f"{key} fr", "label_en": f"{key} en", **extra}


def choices(*values, sensitive=()):
    return [{"value": v, "sensitive": v in sensitive} for v in values]


def schema_errors(schema):
    with pytest.raises(ValidationError) as caught:
        formschema.clean_schema(schema)
    assert caught.value.code == "inventory.schema_invalid"
    assert list(caught.value.fields) == ["form_schema"]
    return messages(caught.value, "form_schema")


def form(*fields):
    return formschema.clean_schema({"fields": list(fields)})["fields"]


def value_errors(fields, data, **kwargs):
    with pytest.raises(ValidationError) as caught:
        formschema.clean_values(fields, data, **kwargs)
    assert caught.value.code == "feature.properties_invalid"
    return {key: [str(m) for m in found] for key, found in caught.value.fields.items()}


# --- schemas -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_clean_schema_accepts_every_ready_made_template(name):
    schema = TEMPLATES[name][1]["form_schema"]
    cleaned = formschema.clean_schema(schema)
    assert [f["key"] for f in cleaned["fields"]] == [f["key"] for f in schema["fields"]]
    assert cleaned == formschema.clean_schema(cleaned)


def test_clean_schema_normalises_labels_flags_and_defaults():
    [text, number] = form(
        field("name", label_fr="  Nom   du   lieu ", required=1),
        field("count", "integer", min=1.0, max=10),
    )
    assert text["label_fr"] == "Nom du lieu"
    assert text["required"] is True and text["sensitive"] is False
    # Free text may give a place away; numbers do not, unless the organiser says so.
    assert text["locating"] is True and number["locating"] is False
    assert (number["min"], number["max"]) == (1, 10) and isinstance(number["min"], int)
    assert form(field("height", "decimal", min=0))[0]["min"] == 0.0


@pytest.mark.parametrize("schema", [[], "fields", {"fields": "name"}, {"fields": None}])
def test_clean_schema_refuses_something_that_is_not_a_form(schema):
    assert schema_errors(schema) == ["The form must be an object with a list of fields."]


@pytest.mark.parametrize("key", ["Nom", "1st", "with-dash", "x" * 41, "", None, 12])
def test_clean_schema_refuses_malformed_keys(key):
    assert schema_errors({"fields": [field(key)]}) == [
        "Field 1: the key must be lower-case letters, digits or _."
    ]


@pytest.mark.parametrize("key", sorted(formschema.RESERVED_KEYS))
def test_clean_schema_refuses_reserved_keys(key):
    assert len(schema_errors({"fields": [field(key)]})) == 1


def test_clean_schema_refuses_a_key_used_twice():
    errors = schema_errors({"fields": [field("name"), field("name", "long_text")]})
    assert errors == ["Field 2: the key name is used twice."]


def test_clean_schema_refuses_unknown_types_and_fields_that_are_not_objects():
    errors = schema_errors({"fields": [field("colour", "colour"), "name"]})
    assert errors == ["Field colour: unknown type.", "Field 2 is not an object."]


@pytest.mark.parametrize("missing", ["label_fr", "label_en"])
def test_clean_schema_requires_both_labels(missing):
    raw = field("name")
    raw[missing] = "   "
    assert schema_errors({"fields": [raw]}) == ["Field name: give a French and an English label."]


def test_clean_schema_refuses_more_than_forty_fields():
    errors = schema_errors({"fields": [field(f"f{i}") for i in range(41)]})
    assert errors == ["At most 40 fields."]


def test_clean_schema_reports_every_problem_at_once():
    errors = schema_errors(
        {
            "fields": [field("Bad"), field("ok", "nope"), field("kind", "choice")],
            "osm_tags": {"natural": ""},
        }
    )
    assert len(errors) == 4


def test_clean_schema_messages_are_translated_when_shown():
    with pytest.raises(ValidationError) as caught:
        formschema.clean_schema({"fields": [field("name"), field("name")]})
    [message] = caught.value.fields["form_schema"]
    with force_locale("fr"):
        assert str(message) == "Champ 2 : la clé name est utilisée deux fois."
    assert str(message) == "Field 2: the key name is used twice."


def test_clean_schema_cleans_choices_with_default_labels_and_osm_tags():
    [kind] = form(
        field(
            "kind",
            "choice",
            choices=[
                {"value": " well ", "osm": "man_made=water_well"},
                {"value": "ruin", "label_fr": "Ruine", "osm": "historic=ruins;ruins=yes"},
            ],
        )
    )
    assert kind["choices"] == [
        {
            "value": "well",
            "label_fr": "well",
            "label_en": "well",
            "sensitive": False,
            "osm": "man_made=water_well",
        },
        {
            "value": "ruin",
            "label_fr": "Ruine",
            "label_en": "ruin",
            "sensitive": False,
            "osm": "historic=ruins;ruins=yes",
        },
    ]
    assert formschema.osm_pairs(kind["choices"][1]["osm"]) == {"historic": "ruins", "ruins": "yes"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "give at least one choice"),
        ([], "give at least one choice"),
        ([{"value": ""}], "every choice needs a value"),
        (["a"], "every choice needs a value"),
        ([{"value": "x" * 81}], "every choice needs a value"),
        ([{"value": "a"}, {"value": "a "}], "the choice a is listed twice"),
        ([{"value": "a", "osm": "historic"}], "tags must read key=value"),
        ([{"value": "a", "osm": "historic=;x=y"}], "tags must read key=value"),
    ],
)
def test_clean_schema_refuses_bad_choices(raw, expected):
    for kind in ("choice", "multi_choice"):
        [error] = schema_errors({"fields": [field("kind", kind, choices=raw)]})
        assert expected in error


@pytest.mark.parametrize("tags", [{"bad key": "x"}, {"natural": ""}, {"natural": 3}, ["a=b"]])
def test_clean_schema_refuses_bad_fixed_osm_tags(tags):
    errors = schema_errors({"fields": [], "osm_tags": tags})
    assert errors == ["Fixed OpenStreetMap tags must be key=value pairs."]


def test_clean_schema_keeps_good_fixed_osm_tags_and_field_tags():
    cleaned = formschema.clean_schema(
        {"fields": [field("species", osm_tag="species:fr")], "osm_tags": {"natural": "tree"}}
    )
    assert cleaned["osm_tags"] == {"natural": "tree"}
    assert cleaned["fields"][0]["osm_tag"] == "species:fr"
    errors = schema_errors({"fields": [field("species", osm_tag="species fr")]})
    assert errors == ["Field species: the OpenStreetMap tag is not a valid key."]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (field("n", "integer", min="1"), "bounds must be numbers"),
        (field("n", "integer", max=True), "bounds must be numbers"),
        (field("n", "decimal", max=float("nan")), "bounds must be numbers"),
        (field("n", "integer", min=10, max=1), "the minimum is above the maximum"),
        (field("t", "text", min=50, max=10), "the minimum is above the maximum"),
        (field("d", "date", min="2020-13-01"), "date bounds are YYYY-MM-DD or today"),
        (field("d", "date", max="yesterday"), "date bounds are YYYY-MM-DD or today"),
        (field("d", "date", min="2999-01-01", max="today"), "the minimum is above the maximum"),
    ],
)
def test_clean_schema_refuses_bad_bounds(raw, expected):
    [error] = schema_errors({"fields": [raw]})
    assert expected in error


def test_clean_schema_accepts_today_as_a_date_bound():
    [observed] = form(field("observed_on", "date", min="1900-01-01", max="today"))
    assert (observed["min"], observed["max"]) == ("1900-01-01", "today")


# --- values --------------------------------------------------------------------------------------

FIELDS = form(
    field("name", max=20),
    field("notes", "long_text", min=3),
    field("count", "integer", min=1, max=1000),
    field("height", "decimal", min=0, max=120),
    field("kind", "choice", choices=choices("oak", "pine", "nest", sensitive=("nest",))),
    field("uses", "multi_choice", choices=choices("shade", "fruit", "roost", sensitive=("roost",))),
    field("fragile", "boolean"),
    field("seen_on", "date", min="2000-01-01", max="today"),
    field("photo", "photo"),
)


def clean(**data):
    return formschema.clean_values(FIELDS, data)


def test_clean_values_returns_only_filled_fields_in_their_types():
    assert clean(
        name="  Chêne   vert ",
        notes="Line one\n  line two ",
        count="12",
        height="3,5",
        kind="oak",
        uses=["fruit", "shade"],
        fragile="oui",
        seen_on="2024-02-29",
    ) == {
        "name": "Chêne vert",
        "notes": "Line one\n  line two",
        "count": 12,
        "height": 3.5,
        "kind": "oak",
        "uses": ["shade", "fruit"],
        "fragile": True,
        "seen_on": "2024-02-29",
    }
    assert clean(name="", count=None, uses=[]) == {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "x" * 21}, "Between 0 and 20 characters."),
        ({"name": ["a"]}, "Give a text."),
        ({"name": True}, "Give a text."),
        ({"notes": "ab"}, "Between 3 and 4000 characters."),
        ({"count": "douze"}, "Give a number."),
        ({"count": True}, "Give a number."),
        ({"count": "12.5"}, "Give a whole number."),
        ({"count": "inf"}, "Give a finite number."),
        ({"count": "nan"}, "Give a finite number."),
        ({"count": 0}, "Between 1 and 1000."),
        ({"count": 1001}, "Between 1 and 1000."),
        ({"height": -0.5}, "Between 0 and 120."),
        ({"height": "120,5"}, "Between 0 and 120."),
        ({"kind": "birch"}, "Choose one of the proposed values."),
        ({"kind": ["oak"]}, "Choose one of the proposed values."),
        ({"uses": ["shade", "wood"]}, "Choose among the proposed values."),
        ({"uses": [1]}, "Choose among the proposed values."),
        ({"fragile": "peut-être"}, "Answer yes or no."),
        ({"seen_on": "01/05/2024"}, "Give a date as YYYY-MM-DD."),
        ({"seen_on": 20240501}, "Give a date as YYYY-MM-DD."),
        ({"seen_on": "1999-12-31"}, "Between 2000-01-01 and "),
    ],
)
def test_clean_values_refuses_a_bad_value_with_a_message_for_its_field(data, expected):
    errors = value_errors(FIELDS, data)
    [key] = data
    assert list(errors) == [key]
    assert errors[key][0].startswith(expected)


def test_clean_values_reads_numbers_written_the_french_way():
    assert clean(count="1 000", height="12,75") == {"count": 1000, "height": 12.75}
    assert clean(count="1\u202f000", height=" 0,5 ") == {"count": 1000, "height": 0.5}
    # A spreadsheet copies French thousands with a no-break space.
    assert clean(count="1\xa0000") == {"count": 1000}
    assert clean(count="12.0", height=7) == {"count": 12, "height": 7.0}


@pytest.mark.parametrize("word", ["true", "1", "yes", "oui", "on", "O", " Yes "])
def test_clean_values_reads_yes_in_french_or_english(word):
    assert clean(fragile=word) == {"fragile": True}


@pytest.mark.parametrize("word", ["false", "0", "no", "non", "off", "N", False])
def test_clean_values_reads_no_in_french_or_english(word):
    assert clean(fragile=word) == {"fragile": False}


def test_clean_values_reads_multiple_choices_from_a_semicolon_list_in_form_order():
    assert clean(uses="roost; shade;shade") == {"uses": ["shade", "roost"]}
    assert clean(uses=" ; ") == {}


def test_clean_values_accepts_today_but_not_tomorrow_when_the_maximum_is_today():
    today = formschema.local_today()
    assert clean(seen_on=today.isoformat()) == {"seen_on": today.isoformat()}
    errors = value_errors(FIELDS, {"seen_on": (today + timedelta(days=1)).isoformat()})
    assert errors["seen_on"] == [f"Between 2000-01-01 and {today.isoformat()}."]


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
def test_clean_values_takes_today_in_the_institutions_time_zone(app, zone, monkeypatch):
    # Twenty-six hours apart: at any hour, one of these zones is not on the server's UTC date.
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", zone)
    there = datetime.now(ZoneInfo(zone)).date()
    assert clean(seen_on=there.isoformat()) == {"seen_on": there.isoformat()}
    errors = value_errors(FIELDS, {"seen_on": (there + timedelta(days=1)).isoformat()})
    assert errors["seen_on"] == [f"Between 2000-01-01 and {there.isoformat()}."]


def test_clean_values_requires_required_fields_even_when_blank():
    fields = form(
        field("name", required=True),
        field("uses", "multi_choice", required=True, choices=choices("a")),
    )
    for blank in ({}, {"name": "   ", "uses": []}, {"name": None, "uses": ";"}):
        errors = value_errors(fields, blank)
        assert errors == {"name": ["This field is required."], "uses": ["This field is required."]}


def test_clean_values_keeps_a_required_false_boolean():
    fields = form(field("fragile", "boolean", required=True))
    assert formschema.clean_values(fields, {"fragile": "non"}) == {"fragile": False}


def test_clean_values_refuses_keys_the_form_does_not_have_including_photo_fields():
    errors = value_errors(FIELDS, {"colour": "green", "photo": "x.jpg", "name": "Chêne"})
    assert errors == {
        "colour": ["This inventory has no field colour."],
        "photo": ["This inventory has no field photo."],
    }


def test_clean_values_requires_a_photo_unless_one_is_given():
    fields = form(field("name"), field("photo", "photo", required=True))
    assert value_errors(fields, {"name": "x"}) == {"photo": ["A photo is required."]}
    assert formschema.clean_values(fields, {"name": "x"}, photos_given={"photo"}) == {"name": "x"}


def test_clean_values_reports_every_field_error_together():
    errors = value_errors(FIELDS, {"count": "a lot", "kind": "birch", "extra": 1})
    assert sorted(errors) == ["count", "extra", "kind"]


@pytest.mark.parametrize("data", [None, [], "name=Chêne"])
def test_clean_values_refuses_attributes_that_are_not_an_object(data):
    assert value_errors(FIELDS, data) == {"properties": ["The attributes must be an object."]}


# --- sensitivity ---------------------------------------------------------------------------------

SENSITIVE = form(
    field("species", locating=False, key_attribute=True),
    field("place"),
    field("kind", "choice", choices=choices("oak", "nest", sensitive=("nest",))),
    field("uses", "multi_choice", choices=choices("shade", "roost", sensitive=("roost",))),
    field("fragile", "boolean", sensitive=True),
)


@pytest.mark.parametrize(
    ("values", "sensitive"),
    [
        ({"species": "Quercus ilex", "place": "Parc"}, False),
        ({"kind": "oak"}, False),
        ({"kind": "nest"}, True),
        ({"uses": ["shade"]}, False),
        ({"uses": ["shade", "roost"]}, True),
        ({"fragile": False}, False),
        ({"fragile": True}, True),
    ],
)
def test_is_sensitive_follows_sensitive_fields_and_choices(values, sensitive):
    assert formschema.is_sensitive(SENSITIVE, values) is sensitive


def test_public_values_withholds_locating_fields_of_sensitive_features_only():
    values = {"species": "Quercus ilex", "place": "Derrière l'école", "kind": "nest"}
    assert formschema.public_values(SENSITIVE, values, False) == values
    assert formschema.public_values(SENSITIVE, values, True) == {
        "species": "Quercus ilex",
        "kind": "nest",
    }


def test_key_field_prefers_the_marked_field_then_the_first_text_or_choice():
    assert formschema.key_field(SENSITIVE) == "species"
    unmarked = form(field("count", "integer"), field("kind", "choice", choices=choices("a")))
    assert formschema.key_field(unmarked) == "kind"
    assert formschema.key_field(form(field("count", "integer"))) is None
