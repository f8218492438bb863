"""Plain factory functions with overridable defaults; business rules go through services."""

import itertools
from datetime import timedelta

from webapp.accounts import services as accounts
from webapp.accounts.models import Department
from webapp.db import unit_of_work, utcnow
from webapp.extensions import db
from webapp.registrations import services as registrations

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def department(slug=None, name_fr="Direction des espaces verts", name_en="Parks department"):
    n = next(_seq)
    with unit_of_work():
        row = Department(
            slug=slug or f"dept-{n}", name_fr=f"{name_fr} {n}", name_en=f"{name_en} {n}"
        )
        db.session.add(row)
    return row


def user(email=None, roles=(), department_slug=None, password=PASSWORD, name=None, locale="fr"):
    n = next(_seq)
    return accounts.create_user(
        email or f"user{n}@example.org",
        password,
        name or f"Person {n}",
        roles,
        department_slug,
        locale,
    )


def event(organiser=None, capacity=3, title=None, starts_in=timedelta(days=7), **kwargs):
    organiser = organiser or user(roles=["organiser"])
    starts = utcnow() + starts_in
    return registrations.create_list(
        organiser,
        title or f"Cartopartie {next(_seq)}",
        starts,
        starts + timedelta(hours=2),
        capacity,
        **kwargs,
    )


def login(client, email, password=PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


# --- mapping ------------------------------------------------------------------------------------

# A box over central Montpellier, lon/lat.
MONTPELLIER = (3.85, 43.58, 3.92, 43.63)


def square(minlon, minlat, maxlon, maxlat):
    ring = [
        [minlon, minlat],
        [maxlon, minlat],
        [maxlon, maxlat],
        [minlon, maxlat],
        [minlon, minlat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon=3.8767, lat=43.6108):
    return {"type": "Point", "coordinates": [lon, lat]}


def inventory(organiser=None, template="biodiversity", status="open", **overrides):
    """An inventory made from a ready-made template, open by default."""
    from mapping.services import inventories

    organiser = organiser or user(roles=["organiser"])
    data = inventories.template_data(template)
    data.update(
        title=f"Inventaire {next(_seq)}",
        area=square(*MONTPELLIER),
        status=status,
    )
    data.update(overrides)
    return inventories.create(organiser, data)


def feature(inv, author=None, geometry=None, properties=None, **kwargs):
    """A feature through the service (so it is in the pipeline like any contribution)."""
    from mapping.services import features

    author = author or user()
    if properties is None:
        properties = {"scientific_name": "Quercus ilex", "observed_on": "2026-05-01"}
    return features.create(author, inv.id, geometry or point(), properties, **kwargs)


def party(organiser=None, inventories=(), capacity=10, starts_in=timedelta(days=7), **kwargs):
    from mapping.services import parties

    organiser = organiser or user(roles=["organiser"])
    inventories = list(inventories) or [inventory(organiser)]
    starts = utcnow() + starts_in
    data = {
        "title": f"Cartopartie {next(_seq)}",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "capacity": capacity,
        "address": "Place de la Comédie, Montpellier",
        "lon": 3.8797,
        "lat": 43.6086,
        "inventories": [i.id for i in inventories],
        "area": square(3.87, 43.60, 3.89, 43.615),
    }
    data.update(kwargs)
    return parties.create(organiser, data)
