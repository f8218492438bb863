"""GDPR: a member downloads everything the platform holds about them, or erases it.

Domain packages add their sections through `register_exporter` and anonymise their
contributions through `register_eraser` (in their init_app), so nothing here imports them.
"""

import io
import json
import os
import secrets
import zipfile

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash

from webapp import jobs
from webapp.accounts.models import ApiToken, User, UserRole
from webapp.db import unit_of_work, utcnow
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Job
from webapp.notifications import services as notifications
from webapp.notifications.models import Notification
from webapp.profiles import services as profiles
from webapp.profiles import visibility
from webapp.profiles.models import PROFILE_COLUMNS, Profile, UserSkill
from webapp.registrations import services as registrations
from webapp.registrations.models import CANCELLED, Registration

EXPORTERS = []  # callables(user) -> (section name, JSON-able data, [(zip path, bytes)])
ERASERS = []  # callables(user) -> None: anonymise or delete the user's data in a package


def register_exporter(fn):
    EXPORTERS.append(fn)
    return fn


def register_eraser(fn):
    ERASERS.append(fn)
    return fn


def _iso(value):
    return value.isoformat() if value is not None else None


@register_exporter
def _account(user):
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "locale": user.locale,
        "created_at": _iso(user.created_at),
        "email_confirmed_at": _iso(user.email_confirmed_at),
        "last_login_at": _iso(user.last_login_at),
        "roles": sorted(user.roles),
        "department": user.department.slug if user.department else None,
        "contribution_licence": {
            "version": user.licence_version,
            "accepted_at": _iso(user.licence_accepted_at),
        },
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
        ],
    }
    return "account", data, []


@register_exporter
def _profile(user):
    profile = db.session.get(Profile, user.id)
    files = []
    data = {"skills": [s.name_fr for s in visibility.skills_of(user)]}
    if profile is not None:
        for key in (*PROFILE_COLUMNS, "visibility"):
            data[key] = getattr(profile, key)
        if profile.avatar_path:
            path = os.path.join(profiles.avatar_folder(), profile.avatar_path)
            if os.path.exists(path):
                with open(path, "rb") as fh:
                    files.append((f"photos/avatar-{profile.avatar_path}", fh.read()))
                data["avatar"] = f"photos/avatar-{profile.avatar_path}"
    return "profile", data, files


@register_exporter
def _registrations(user):
    rows = db.session.scalars(select(Registration).where(Registration.user_id == user.id)).all()
    data = [
        {
            "event": r.registration_list.title,
            "starts_at": _iso(r.registration_list.starts_at),
            "status": r.status,
            "attended": r.attended,
            "registered_at": _iso(r.created_at),
        }
        for r in rows
    ]
    return "registrations", data, []


@register_exporter
def _notifications(user):
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    data = [
        {
            "text": notifications.render(n, user.locale or "fr"),
            "created_at": _iso(n.created_at),
            "read_at": _iso(n.read_at),
        }
        for n in rows
    ]
    return "notifications", data, []


def request_export(actor):
    """Start building the actor's data export; returns the job to follow."""
    with unit_of_work():
        job = jobs.enqueue_after_commit(build_export, actor.id, actor=actor)
    return job


def export_folder():
    return os.path.join(current_app.config["UPLOAD_DIR"], "exports")


@jobs.job
def build_export(user_id):
    """Write a zip of every section (data.json per section, plus files) for one user."""
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        return {"file": None}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        summary = {"generated_at": utcnow().isoformat(), "sections": []}
        for step, exporter in enumerate(EXPORTERS, start=1):
            name, data, files = exporter(user)
            archive.writestr(f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2))
            for path, content in files:
                archive.writestr(path, content)
            summary["sections"].append(name)
            jobs.report_progress(step, len(EXPORTERS) + 1, message=name)
        archive.writestr("README.json", json.dumps(summary, indent=2))
    os.makedirs(export_folder(), exist_ok=True)
    name = f"{user.id}-{secrets.token_hex(12)}.zip"
    with open(os.path.join(export_folder(), name), "wb") as fh:
        fh.write(buffer.getvalue())
    return {"file": name}


def export_path(actor, job_id):
    """Return the zip of a finished export job of the actor, or raise NotFound."""
    job = db.session.get(Job, job_id)
    name = f"{build_export.__module__}.{build_export.__qualname__}"
    if (
        job is None
        or job.created_by_id != actor.id
        or job.name != name
        or job.status != "finished"
        or not (job.result or {}).get("file")
    ):
        raise NotFound("privacy.export_not_found")
    path = os.path.join(export_folder(), os.path.basename(job.result["file"]))
    if not os.path.exists(path):
        raise NotFound("privacy.export_not_found")
    return path


def erase_account(actor, password):
    """Erase the actor's personal data; their contributions stay, credited anonymously."""
    if not check_password_hash(actor.password_hash, password or ""):
        raise ValidationError(
            "privacy.password_wrong",
            fields={"password": [_l("This is not your current password.")]},
        )
    user_id = actor.id
    # One unit of work: if anything fails, nothing is erased. Files go after the commit.
    with unit_of_work():
        user = db.session.get(User, user_id)
        personal = _personal_values(user)
        _cancel_registrations(user)
        for eraser in ERASERS:
            eraser(user)
        profile = db.session.get(Profile, user_id)
        avatar = profile.avatar_path if profile is not None else None
        db.session.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
        db.session.execute(delete(Profile).where(Profile.user_id == user_id))
        db.session.execute(delete(Notification).where(Notification.user_id == user_id))
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
        db.session.execute(delete(UserRole).where(UserRole.user_id == user_id))
        _scrub_jobs(personal)
        _anonymise(user)
    profiles.delete_avatar_file(avatar)
    _erase_exports(user)
    return user


def _cancel_registrations(user):
    """Free the seats of upcoming events (the waitlist moves up); past attendance stays."""
    rows = db.session.scalars(
        select(Registration).where(
            Registration.user_id == user.id, Registration.status != CANCELLED
        )
    ).all()
    for row in rows:
        if row.registration_list.ends_at > utcnow():
            registrations.cancel(user, row.list_id)


def _personal_values(user):
    profile = db.session.get(Profile, user.id)
    values = {user.email, user.display_name, user.pending_email}
    if profile is not None:
        values |= {profile.bio, profile.neighbourhood, profile.job_title, profile.grade}
        values |= set(profile.links or []) | set(profile.interests or [])
    return {v for v in values if v and len(v) >= 3}


def _scrub_jobs(personal):
    """Jobs keep their arguments (a mail's address and text) and a failure its traceback
    (an SMTP refusal names the address): remove any that mention the person."""
    needles = {value.lower() for value in personal}
    for job in db.session.scalars(select(Job)).yield_per(500):
        if not _mentions([job.args, job.kwargs, job.result, job.message, job.error], needles):
            continue
        if job.status in ("queued", "failed"):
            # Without its arguments it could only fail; run_job ignores a row that is gone.
            db.session.delete(job)
        else:
            job.args, job.kwargs, job.result, job.message = [], {"erased": True}, None, None
            job.error = None


def _mentions(value, needles):
    """Say whether any string inside `value` (nested lists and dicts) contains a needle."""
    if isinstance(value, str):
        text = value.lower()
        return any(needle in text for needle in needles)
    if isinstance(value, dict):
        return any(_mentions(k, needles) or _mentions(v, needles) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_mentions(item, needles) for item in value)
    return False


def _erase_exports(user):
    folder = export_folder()
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.startswith(f"{user.id}-"):
                os.remove(os.path.join(folder, name))


def _anonymise(user):
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@erased.invalid"
    user.pending_email = None
    user.display_name = "-"
    user.password_hash = "!"
    user.locale = None
    user.department_id = None
    user.is_manager = False
    user.is_active_account = False
    user.last_login_at = None
    user.session_token = secrets.token_hex(16)
    user.erased_at = utcnow()
