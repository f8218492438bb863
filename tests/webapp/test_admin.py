"""Admin pages: users and roles, departments, institution settings; one permission check."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from webapp.accounts import policies
from webapp.accounts.models import Department, User
from webapp.errors import PermissionDenied
from webapp.models import InstitutionSettings


@pytest.fixture
def admin(client):
    user = factories.user(roles=["admin"], email="root@example.org")
    factories.login(client, user.email)
    return user


@pytest.mark.parametrize(
    ("roles", "permission", "expected"),
    [
        ([], "account.use", True),
        ([], "users.manage", False),
        (["organiser"], "events.organise", True),
        (["organiser"], "moderation.decide", False),
        (["moderator"], "moderation.decide", True),
        (["admin"], "moderation.decide", True),
        (["admin"], "users.manage", True),
    ],
)
def test_permission_follows_roles(session, roles, permission, expected):
    dept = factories.department() if "data_steward" in roles else None
    user = factories.user(roles=roles, department_slug=dept.slug if dept else None)
    assert policies.can(user, permission) is expected


def test_anonymous_and_disabled_users_hold_no_permission(session):
    assert not policies.can(None, "account.use")
    with pytest.raises(KeyError):
        policies.can(None, "no.such.permission")
    with pytest.raises(PermissionDenied):
        policies.require(None, "users.manage")


def test_admin_lists_and_searches_users(client, admin):
    factories.user(email="searchable@example.org", name="Zoé Searchable")
    page = client.get("/admin/users?q=searchable").text
    assert "Zoé Searchable" in page and "root@example.org" not in page


def test_admin_grants_roles_and_department(client, admin, session):
    dept = factories.department(slug="mobilite")
    user = factories.user()
    response = client.post(
        f"/admin/users/{user.id}",
        data={"roles": ["data_steward", "moderator"], "department": "mobilite", "active": "y"},
    )
    assert response.status_code == 302
    session.refresh(user)
    assert user.roles == {"resident", "data_steward", "moderator"}
    assert user.department_id == dept.id


def test_data_steward_without_department_is_refused_and_nothing_changes(client, admin, session):
    user = factories.user()
    response = client.post(
        f"/admin/users/{user.id}", data={"roles": ["data_steward"], "active": "y"}
    )
    assert response.status_code == 422
    session.refresh(user)
    assert user.roles == {"resident"}


def test_unknown_role_is_refused(client, admin, session):
    user = factories.user()
    response = client.post(f"/admin/users/{user.id}", data={"roles": ["pope"], "active": "y"})
    assert response.status_code == 422
    session.refresh(user)
    assert user.roles == {"resident"}


def test_admin_cannot_demote_or_disable_themselves(client, admin, session):
    response = client.post(f"/admin/users/{admin.id}", data={"roles": [], "active": "y"})
    assert response.status_code == 422
    session.refresh(admin)
    assert "admin" in admin.roles


def test_disabling_a_user_ends_their_sessions(app, client, admin, session):
    user = factories.user()
    other = app.test_client()
    factories.login(other, user.email)
    response = client.post(f"/admin/users/{user.id}", data={"roles": [], "active": ""})
    assert response.status_code == 302, response.text[-3000:]
    assert other.get("/account").status_code == 302
    assert session.get(User, user.id).is_active_account is False


def test_departments_page_lists_departments(client, admin):
    factories.department(slug="patrimoine")
    assert "patrimoine" in client.get("/admin/departments").text


def test_settings_are_saved_and_shown(client, admin, session):
    response = client.post(
        "/admin/settings",
        data={
            "name": "Grenoble-Alpes Métropole",
            "contact_email": "contact@example.org",
            "map_center_lon": "5.7245",
            "map_center_lat": "45.1885",
            "map_zoom": "12",
            "tile_attribution": "© OpenStreetMap",
        },
    )
    assert response.status_code == 302
    row = session.get(InstitutionSettings, 1)
    assert (row.name, row.map_center_lon, row.map_center_lat) == (
        "Grenoble-Alpes Métropole",
        5.7245,
        45.1885,
    )
    assert "Grenoble-Alpes Métropole" in client.get("/").text


def _png(size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def _settings_form(**overrides):
    data = {"name": "Ville", "map_center_lon": "3.87", "map_center_lat": "43.61", "map_zoom": "13"}
    data.update(overrides)
    return data


def test_logo_is_checked_and_stored_as_png(client, admin, session, app):
    response = client.post(
        "/admin/settings",
        data=_settings_form(logo=(io.BytesIO(_png()), "logo.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    row = session.get(InstitutionSettings, 1)
    served = client.get(f"/uploads/{row.logo_path}")
    assert served.status_code == 200 and served.data.startswith(b"\x89PNG")
    served.close()


@pytest.mark.parametrize(
    "payload",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a" + b"0" * 100,
        b"not an image",
    ],
)
def test_logo_that_is_not_an_image_is_refused_and_nothing_changes(client, admin, session, payload):
    response = client.post(
        "/admin/settings",
        data=_settings_form(name="Changed", logo=(io.BytesIO(payload), "logo.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert session.get(InstitutionSettings, 1) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("map_center_lon", "181"),
        ("map_center_lat", "-91"),
        ("map_zoom", "25"),
        ("map_center_lon", "nan"),
        ("name", ""),
    ],
)
def test_out_of_range_settings_are_refused(client, admin, session, field, value):
    response = client.post("/admin/settings", data=_settings_form(**{field: value}))
    assert response.status_code == 422
    assert session.get(InstitutionSettings, 1) is None


def test_non_admins_cannot_reach_admin_pages(client, session):
    for roles in ([], ["organiser"], ["moderator"]):
        user = factories.user(roles=roles)
        factories.login(client, user.email)
        for url in (
            "/admin/users",
            "/admin/settings",
            "/admin/departments",
            f"/admin/users/{user.id}",
        ):
            assert client.get(url).status_code == 403, (roles, url)
        client.post("/logout")
    assert client.get("/admin/users").status_code == 302


def test_admin_adds_a_department(client, admin, session):
    response = client.post(
        "/admin/departments",
        data={"slug": "sports", "name_fr": "Direction des sports", "name_en": "Sports department"},
    )
    assert response.status_code == 302
    assert session.scalar(select(Department).where(Department.slug == "sports")).name("en") == (
        "Sports department"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"slug": "Not A Slug", "name_fr": "Direction", "name_en": "Department"},
        {"slug": "ok", "name_fr": "D", "name_en": "Department"},
        {"slug": "ok", "name_fr": "Direction", "name_en": ""},
    ],
)
def test_bad_department_is_refused_and_nothing_is_added(client, admin, session, data):
    assert client.post("/admin/departments", data=data).status_code == 422
    assert session.scalar(select(func.count()).select_from(Department)) == 0


def test_department_identifier_must_be_unique(client, admin, session):
    factories.department(slug="eau")
    response = client.post(
        "/admin/departments", data={"slug": "eau", "name_fr": "Autre", "name_en": "Other"}
    )
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Department)) == 1
