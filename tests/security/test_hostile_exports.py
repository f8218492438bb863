"""CSV exports: every cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage
return first) is neutralised with a leading quote by the one helper, webapp.csvutil;
cells that are exactly a number (a negative longitude) stay numbers."""

import csv
import io

import pytest

from crowdsourcing.services import backlog, jury
from tests import factories
from tests.crowdsourcing import hackathon_helpers as hack
from tests.security import hostile
from webapp.csvutil import FORMULA_START, NUMBER, safe_cell, to_csv
from webapp.registrations import services as registrations


def assert_csv_safe(text, expect=()):
    """No cell of the CSV can run as a formula; each of `expect` is present, neutralised."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA_START):
            assert NUMBER.fullmatch(cell), f"formula left in a cell: {cell!r}"
    for value in expect:
        assert any(cell.startswith("'") and value.strip() in cell for cell in cells), value
    return rows


@pytest.mark.parametrize(("name", "value"), hostile.FORMULAS, ids=lambda v: str(v)[:12])
def test_the_helper_neutralises_every_formula(name, value):
    assert safe_cell(value) == "'" + value
    assert_csv_safe(to_csv(["h"], [[value]]), [value])


@pytest.mark.parametrize(("name", "value"), hostile.NUMBERS_KEPT, ids=lambda v: str(v)[:12])
def test_plain_numbers_stay_numbers(name, value):
    assert safe_cell(value) == value


def test_backlog_export(client, session):
    moderator = factories.user(roles=["moderator"])
    titles = [v for _, v in hostile.FORMULAS]
    for title in titles:
        backlog.create(moderator, {"title": title + " jeu"})
    factories.login(client, moderator.email)
    text = client.get("/backlog/export.csv").get_data(as_text=True)
    # Titles are one line: tab and carriage return are folded into spaces first.
    assert_csv_safe(text, [t for t in titles if not t.startswith(("\t", "\r"))])


def test_attendee_list(client, session):
    organiser = factories.user(roles=["organiser"])
    event = factories.event(organiser=organiser, capacity=20)
    names = [v for _, v in hostile.FORMULAS if not v.startswith(("\t", "\r"))]
    for name in names:
        registrations.register(factories.user(name=name[:80]), event.id)
    factories.login(client, organiser.email)
    text = client.get(f"/events/{event.id}/attendees.csv").get_data(as_text=True)
    assert_csv_safe(text, [n[:80] for n in names])


def test_hackathon_proposals_export(session):
    organiser = factories.user(roles=["organiser"])
    row = hack.hackathon(organiser)
    titles = [v for _, v in hostile.FORMULAS if not v.startswith(("\t", "\r"))]
    for title in titles:
        hack.proposal(row, title=title[:100])
    assert_csv_safe(jury.export_proposals(organiser, row.id, "csv"), [t[:100] for t in titles])


def test_features_export_keeps_negative_coordinates_as_numbers(client, session):
    organiser = factories.user(roles=["organiser"])
    # Brest: west of Greenwich, so every longitude is negative.
    inventory = factories.inventory(
        organiser, area=factories.square(-4.6, 48.3, -4.4, 48.5), moderation_mode="post"
    )
    notes = [v for _, v in hostile.FORMULAS]
    for number, note in enumerate(notes):
        factories.feature(
            inventory,
            organiser,
            factories.point(-4.4861 - number / 1000, 48.3904),
            {
                "scientific_name": "Quercus ilex",
                "observed_on": "2026-05-01",
                "notes": note,
                "count": number + 1,
            },
        )
    factories.login(client, organiser.email)
    response = client.get(f"/mapping/inventories/{inventory.slug}/export.csv")
    assert response.status_code == 200
    rows = assert_csv_safe(response.get_data(as_text=True))
    header, body = rows[0], rows[1:]
    lon = header.index("lon")
    assert len(body) == len(notes)
    assert all(float(r[lon]) < 0 and not r[lon].startswith("'") for r in body)
    notes_column = [r[header.index("notes")] for r in body]
    for note in notes:
        assert any(c.startswith("'") and note.strip() in c for c in notes_column), note


def test_import_report(client, session):
    """References and reasons in the report: references are prefixed ("id:…"), so a
    formula in the source's id column cannot start a cell."""
    from tests.mapping import io_support

    organiser = io_support.organiser()
    inventory = io_support.biodiversity(organiser)
    refs = [v for _, v in hostile.FORMULAS if not v.startswith(("\t", "\r"))]
    lines = io.StringIO()
    writer = csv.writer(lines)
    writer.writerow(["ref", "name", "date", "lon", "lat"])
    for n, ref in enumerate(refs):
        # Every other one lies far outside the inventory's area: rejected, with a reason.
        lon = "3.8767123" if n % 2 else "-70.1234567"
        writer.writerow([ref, "Quercus ilex", "2026-05-01", lon, "43.6112345"])
    record = io_support.run_import(
        organiser,
        inventory,
        "obs.csv",
        lines.getvalue().encode(),
        fields={"scientific_name": "name", "observed_on": "date"},
        geometry={"mode": "lonlat", "lon": "lon", "lat": "lat"},
        id_column="ref",
    )
    factories.login(client, organiser.email)
    response = client.get(f"/mapping/inventories/{inventory.slug}/imports/{record.id}/report.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    response.close()
    rows = assert_csv_safe(text)
    assert len(rows) == len(refs) + 1
    assert sorted(r[1] for r in rows[1:]) == sorted(f"id:{ref}"[:120] for ref in refs)
