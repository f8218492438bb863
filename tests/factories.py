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
