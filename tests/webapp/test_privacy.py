"""My data: the export zip built by a job, and an erasure that leaves no personal value in
any table while every contribution stays, credited to an anonymous contributor."""

import io
import json
import os
import uuid
import zipfile
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import force_locale
from geoalchemy2 import Geometry
from PIL import Image
from sqlalchemy import JSON, Text, cast, func, select, update

from tests import factories
from webapp import jobs, mail
from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.db import utcnow
from webapp.extensions import db
from webapp.models import Job
from webapp.notifications import services as notifications
from webapp.notifications.models import Notification
from webapp.privacy import services as privacy
from webapp.profiles import services as profiles
from webapp.profiles import visibility
from webapp.profiles.models import Profile
from webapp.registrations import services as registrations
from webapp.registrations.models import CANCELLED, CONFIRMED, Registration, RegistrationList

PASSWORD = "un mot de passe assez long"
PERSON = {
    "email": "zephyrine.q@example.org",
    "pending_email": "z.quatremains@example.net",
    "display_name": "Zéphyrine Quatremains",
    "bio": "J'habite rue des Écoles-Perdues",
    "neighbourhood": "Quartier Pastourelle-Bigorneau",
    "interests": ["Lichens du Causse Méjean", "Cadrans solaires oubliés"],
    "links": ["https://carnet-zephyrine-quatremains.example.org/lichens"],
    "job_title": "Archiviste des fontaines Zq",
    "grade": "Attachée principale Zq-7",
    "token_name": "Script hebdomadaire Quatremains",
}
PERSONAL_VALUES = [
    PERSON["email"],
    PERSON["pending_email"],
    PERSON["display_name"],
    PERSON["bio"],
    PERSON["neighbourhood"],
    *PERSON["interests"],
    *PERSON["links"],
    PERSON["job_title"],
    PERSON["grade"],
    PERSON["token_name"],
]
# Erasure deletes these rows by design; every other row pointing at the person stays.
PERSONAL_TABLES = {
    "webapp_profile",
    "webapp_user_skill",
    "webapp_notification",
    "webapp_api_token",
    "webapp_user_role",
}
DELIVER = f"{mail.deliver.__module__}.{mail.deliver.__qualname__}"
EXPORT = f"{privacy.build_export.__module__}.{privacy.build_export.__qualname__}"


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _sign_up(client, mailbox, email=PERSON["email"]):
    """Sign up through the page and follow the confirmation link; return the user."""
    response = client.post(
        "/signup",
        data={
            "display_name": PERSON["display_name"],
            "email": email,
            "password": PASSWORD,
            "accept_licence": "y",
        },
    )
    assert response.status_code == 200, response.text[:500]
    [message] = mailbox.to(email)
    client.get(mailbox.link(message, "/confirm/").replace("http://localhost", ""))
    return db.session.scalar(select(User).where(User.email == email))


def _move_to_past(session, event):
    starts = utcnow() - timedelta(days=30)
    session.execute(
        update(RegistrationList)
        .where(RegistrationList.id == event.id)
        .values(starts_at=starts, ends_at=starts + timedelta(hours=2))
    )
    session.commit()
    session.refresh(event)


def _member(client, session, mailbox):
    """A member holding everything a member can hold: profile, skills, photo, token,
    registrations (upcoming with a waitlist behind, and past attended), notifications,
    a pending change of address; logged in on `client`."""
    user = _sign_up(client, mailbox)
    admin = factories.user(roles=["admin"])
    department = factories.department()
    accounts.update_user(admin, user.id, ["moderator"], department.slug, active=True)
    profiles.update_profile(
        user,
        {
            "bio": PERSON["bio"],
            "neighbourhood": PERSON["neighbourhood"],
            "interests": PERSON["interests"],
            "links": PERSON["links"],
            "languages": ["français", "occitan"],
            "availability": "occasionally",
            "job_title": PERSON["job_title"],
            "grade": PERSON["grade"],
            "category": "B",
        },
    )
    profiles.set_visibility(user, {"bio": "members", "links": "public"})
    curated = profiles.add_skill(admin, "Cartographie", "Mapping")
    profiles.set_skills(user, [curated.id], ["Reliure japonaise"])
    profiles.set_avatar(user, _png())
    accounts.create_api_token(user, PERSON["token_name"])

    organiser = factories.user(roles=["organiser"], locale="en")
    upcoming = factories.event(organiser, capacity=1, title="Cartopartie des jardins partagés")
    past = factories.event(organiser, capacity=5, title="Relevé des bancs publics")
    registrations.register(user, upcoming.id)
    waiting = factories.user(name="Personne en attente")
    registrations.register(waiting, upcoming.id)
    attended = registrations.register(user, past.id)
    registrations.set_attendance(organiser, attended.id, True)
    _move_to_past(session, past)
    notifications.notify(user, "account.roles_changed", {"roles": "modération"})
    accounts.change_email(user, PASSWORD, PERSON["pending_email"])
    factories.login(client, PERSON["email"], PASSWORD)
    return SimpleNamespace(
        user=user,
        admin=admin,
        organiser=organiser,
        waiting=waiting,
        upcoming=upcoming,
        past=past,
        attended=attended,
    )


def _export(client, session, user):
    """Ask for an export through the page; return the finished job."""
    assert client.post("/account/data/export").status_code == 302
    job = session.scalar(
        select(Job)
        .where(Job.created_by_id == user.id, Job.name == EXPORT)
        .order_by(Job.created_at.desc())
    )
    assert job.status == "finished"
    return job


def _download(client, job_id):
    response = client.get(f"/account/data/export/{job_id}.zip")
    try:
        return response.status_code, response.headers.get("Location"), response.get_data()
    finally:
        response.close()


def _export_file(app, job):
    return os.path.join(app.config["UPLOAD_DIR"], "exports", job.result["file"])


def _mail_job(session, status, error=None):
    """Record a mail to the member as enqueue_after_commit does, without dispatching it
    (as it would wait in Redis for a worker, or stay behind once its delivery failed)."""
    row = Job(
        id=uuid.uuid4().hex,
        name=DELIVER,
        args=[],
        kwargs={
            "to": PERSON["email"],
            "subject": f"Rappel pour {PERSON['display_name']}",
            "body": f"Bonjour {PERSON['display_name']},\n\nÀ samedi !",
            "attachments": [],
        },
        status=status,
        error=error,
    )
    session.add(row)
    session.commit()
    return row


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def _every_cell(session):
    """Yield (table, column, text) for every cell of every table: JSON read as its strings
    (SQLite stores "é" as "\\u00e9"), geometry as it comes, anything else cast to text."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            plain = isinstance(column.type, JSON | Geometry)
            expression = column if plain else cast(column, Text)
            for value in session.scalars(select(expression)):
                yield table.name, column.name, "\x00".join(_strings(value))


def _found(session, values):
    """Return {value: [(table, column), …]} for each value found in any cell, ignoring case."""
    needles = {value: value.casefold() for value in values}
    found = {}
    for table, column, text in _every_cell(session):
        folded = text.casefold()
        for value, needle in needles.items():
            if needle in folded:
                found.setdefault(value, []).append((table, column))
    return found


def _rows_pointing_at(session, user_id):
    """Count, per (table, column), the rows whose foreign key names the user."""
    counts = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys):
                counts[(table.name, column.name)] = session.scalar(
                    select(func.count()).select_from(table).where(column == user_id)
                )
    return counts


# --- export ------------------------------------------------------------------------------------


def test_export_page_builds_a_zip_with_account_licence_profile_photo_registrations_and_notifications(
    app, client, session, mailbox
):
    member = _member(client, session, mailbox)
    job = _export(client, session, member.user)

    page = client.get("/account/data/")
    href = f"/account/data/export/{job.id}.zip"
    assert page.status_code == 200 and f'href="{href}"' in page.text
    response = client.get(href)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()

    account = json.loads(archive.read("account.json"))
    assert account["email"] == PERSON["email"]
    assert account["display_name"] == PERSON["display_name"]
    assert account["roles"] == ["moderator", "resident"]
    licence = account["contribution_licence"]
    assert licence["version"] == app.config["CONTRIBUTION_LICENCE_VERSION"]
    assert licence["accepted_at"] == member.user.licence_accepted_at.isoformat()
    assert [t["name"] for t in account["api_tokens"]] == [PERSON["token_name"]]

    profile = json.loads(archive.read("profile.json"))
    for key in ("bio", "neighbourhood", "interests", "links", "job_title", "grade"):
        assert profile[key] == PERSON[key]
    assert sorted(profile["skills"]) == ["Cartographie", "Reliure japonaise"]
    assert profile["visibility"] == {"bio": "members", "links": "public"}
    assert profile["avatar"].startswith("photos/") and profile["avatar"] in archive.namelist()
    assert archive.read(profile["avatar"])[:3] == b"\xff\xd8\xff"  # a JPEG, re-encoded

    by_event = {r["event"]: r for r in json.loads(archive.read("registrations.json"))}
    assert by_event["Cartopartie des jardins partagés"]["status"] == CONFIRMED
    assert by_event["Relevé des bancs publics"]["attended"] is True

    texts = " ".join(n["text"] for n in json.loads(archive.read("notifications.json")))
    assert "Cartopartie des jardins partagés" in texts and "modération" in texts
    readme = json.loads(archive.read("README.json"))
    assert {"account", "profile", "registrations", "notifications"} <= set(readme["sections"])


def test_export_through_the_api_answers_202_with_a_job_that_finishes(client, session):
    user = factories.user()
    factories.login(client, user.email)

    response = client.post("/api/v1/me/export")
    assert response.status_code == 202
    job_id = response.json["id"]
    body = client.get(f"/api/v1/jobs/{job_id}").json
    assert body["status"] == "finished" and body["progress"] == 100
    assert body["result"]["file"].endswith(".zip")
    assert client.post("/logout").status_code == 302
    assert client.post("/api/v1/me/export").status_code == 401


def test_export_download_is_refused_to_others_to_anonymous_and_for_unknown_or_unfinished_jobs(
    app, client, session
):
    owner, other = factories.user(), factories.user()
    factories.login(client, owner.email)
    job = _export(client, session, owner)
    unfinished = Job(
        id=uuid.uuid4().hex, name=EXPORT, args=[owner.id], status="started", created_by_id=owner.id
    )
    session.add(unfinished)
    session.commit()

    assert _download(client, job.id)[0] == 200
    assert _download(client, "0" * 32)[0] == 404
    assert _download(client, unfinished.id)[0] == 404
    client.post("/logout")
    status, location, _body = _download(client, job.id)
    assert status == 302 and "/login" in location
    factories.login(client, other.email)
    assert _download(client, job.id)[0] == 404


# --- erasure -----------------------------------------------------------------------------------


def test_erase_with_a_wrong_password_answers_422_and_changes_nothing(app, client, session):
    user = factories.user(email="garance@example.org", name="Garance Vidal")
    factories.login(client, user.email)

    response = client.post("/account/data/erase", data={"password": "not my password at all"})
    assert response.status_code == 422
    assert 'id="password-errors"' in response.text
    assert client.post("/account/data/erase", data={"password": ""}).status_code == 422
    session.refresh(user)
    assert user.erased_at is None and user.email == "garance@example.org"
    assert client.get("/account/data/").status_code == 200
    factories.login(app.test_client(), "garance@example.org")


def test_erase_logs_out_frees_the_address_passes_the_seat_on_and_keeps_past_attendance(
    app, client, session, mailbox
):
    member = _member(client, session, mailbox)
    user = member.user
    job = _export(client, session, user)
    avatar = os.path.join(profiles.avatar_folder(), session.get(Profile, user.id).avatar_path)
    assert os.path.exists(avatar) and os.path.exists(_export_file(app, job))
    mailbox.clear()

    response = client.post("/account/data/erase", data={"password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/")

    assert "/login" in client.get("/account/data/").location
    refused = client.post("/login", data={"email": PERSON["email"], "password": PASSWORD})
    assert refused.status_code == 401
    session.refresh(user)
    assert user.erased_at is not None and user.email != PERSON["email"]
    assert not os.path.exists(avatar)
    exports = os.listdir(privacy.export_folder())
    assert not [name for name in exports if name.startswith(f"{user.id}-")]

    upcoming, attended = (
        session.scalar(
            select(Registration).where(Registration.list_id == e.id, Registration.user_id == u.id)
        )
        for e, u in ((member.upcoming, user), (member.past, user))
    )
    assert upcoming.status == CANCELLED
    promoted = session.scalar(
        select(Registration).where(
            Registration.list_id == member.upcoming.id, Registration.user_id == member.waiting.id
        )
    )
    assert promoted.status == CONFIRMED
    assert len(mailbox.to(member.waiting.email)) == 1
    assert (attended.id, attended.status, attended.attended) == (
        member.attended.id,
        CONFIRMED,
        True,
    )

    assert client.get(f"/people/{user.id}").status_code == 404
    assert visibility.display_name(member.organiser, user) == visibility.anonymous_name(user)
    with force_locale("en"):
        assert visibility.display_name(member.organiser, user) == "Anonymous contributor"
    organiser = app.test_client()
    factories.login(organiser, member.organiser.email)
    csv = organiser.get(f"/events/{member.past.id}/attendees.csv").text
    assert "Anonymous contributor" in csv and PERSON["display_name"] not in csv

    again = _sign_up(app.test_client(), mailbox)
    assert again is not None and again.id != user.id and again.email_confirmed


def test_erase_leaves_no_personal_value_in_any_table_and_keeps_every_contribution(
    client, session, mailbox
):
    member = _member(client, session, mailbox)
    user = member.user
    _export(client, session, user)
    _mail_job(session, "queued")
    _mail_job(
        session,
        "failed",
        error=(
            "Traceback (most recent call last):\n  ...\nsmtplib.SMTPRecipientsRefused: "
            f"{{'{PERSON['email']}': (550, b'5.1.1 <{PERSON['email']}>: Recipient rejected')}}\n"
        ),
    )
    delivered = session.scalar(select(func.count()).where(Job.name == DELIVER))
    assert delivered >= 5  # confirmation, invitation, notification, change of address (×2)
    others = set(session.scalars(select(Notification.id).where(Notification.user_id != user.id)))
    registrations_before = session.scalar(select(func.count()).select_from(Registration))
    pointing_before = _rows_pointing_at(session, user.id)
    assert all(pointing_before[(table, "user_id")] > 0 for table in PERSONAL_TABLES)
    assert pointing_before[("webapp_registration", "user_id")] == 2
    # The scan sees every value while the person is there: it can find what erasure leaves.
    assert set(_found(session, PERSONAL_VALUES)) == set(PERSONAL_VALUES)

    assert client.post("/account/data/erase", data={"password": PASSWORD}).status_code == 302

    assert _found(session, PERSONAL_VALUES) == {}
    pointing_after = _rows_pointing_at(session, user.id)
    for key, before in pointing_before.items():
        assert pointing_after[key] == (0 if key[0] in PERSONAL_TABLES else before), key
    assert session.get(User, user.id) is not None
    assert session.scalar(select(func.count()).select_from(Registration)) == registrations_before
    kept = set(session.scalars(select(Notification.id).where(Notification.user_id != user.id)))
    assert others <= kept


def test_erasing_twice_is_impossible_as_the_first_erasure_logs_the_person_out(client, session):
    user = factories.user(email="ninon@example.org")
    factories.login(client, user.email)
    first = client.post("/account/data/erase", data={"password": factories.PASSWORD})
    assert first.status_code == 302
    session.refresh(user)
    erased_at, email = user.erased_at, user.email
    assert erased_at is not None

    second = client.post("/account/data/erase", data={"password": factories.PASSWORD})
    assert second.status_code == 302 and "/login" in second.location
    session.refresh(user)
    assert (user.erased_at, user.email) == (erased_at, email)


def test_export_asked_before_an_erasure_builds_nothing_once_it_runs(session):
    user = factories.user()
    privacy.erase_account(user, factories.PASSWORD)
    assert privacy.build_export(user.id) == {"file": None}


# --- mail jobs ---------------------------------------------------------------------------------


def test_delivered_mail_job_forgets_its_arguments(client, session, mailbox):
    assert DELIVER in jobs.FORGET_ARGS
    _sign_up(client, mailbox, email="oriane@example.org")

    [job] = session.scalars(select(Job).where(Job.name == DELIVER)).all()
    assert job.status == "finished" and job.result["backend"] == "file"
    assert (job.args, job.kwargs) == ([], {})
    assert len(mailbox.to("oriane@example.org")) == 1


def test_mail_still_queued_at_erasure_is_never_delivered_and_leaves_no_failure(
    client, session, mailbox
):
    user = factories.user(email=PERSON["email"], name=PERSON["display_name"], password=PASSWORD)
    queued = _mail_job(session, "queued")
    privacy.erase_account(user, PASSWORD)

    assert session.get(Job, queued.id) is None
    assert jobs.run_job(queued.id) is None  # what a worker holding its id in Redis does
    assert mailbox.to(PERSON["email"]) == []
    assert session.scalar(select(func.count()).where(Job.status == "failed")) == 0


def test_export_zip_is_not_served_by_the_public_uploads_route(app, client, session):
    owner = factories.user()
    factories.login(client, owner.email)
    job = _export(client, session, owner)
    client.post("/logout")
    response = client.get(f"/uploads/exports/{job.result['file']}")
    response.close()
    assert response.status_code == 404


def test_avatar_files_are_not_served_by_the_public_uploads_route(client, session):
    import io

    from PIL import Image

    from webapp.profiles import services as profiles

    owner = factories.user()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    record = profiles.set_avatar(owner, buffer.getvalue())
    response = client.get(f"/uploads/avatars/{record.avatar_path}")
    response.close()
    assert response.status_code == 404
    traversal = client.get("/uploads/institution/../avatars/" + record.avatar_path)
    traversal.close()
    assert traversal.status_code == 404
