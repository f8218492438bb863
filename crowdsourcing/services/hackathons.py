"""Hackathons: create and edit them, their challenges, jury and criteria, their phases, and
participants' registration (through the kernel's registration lists)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from crowdsourcing import policies
from crowdsourcing.hackathon_models import (
    BUILDING,
    JUDGING,
    PHASES,
    REGISTRATION,
    RESULTS,
    SUBMISSION_CLOSED,
    Challenge,
    Criterion,
    Hackathon,
    JuryMember,
    Seeker,
    Team,
    TeamMember,
)
from crowdsourcing.models import BacklogItem, Dataset
from crowdsourcing.services import catalogue
from webapp.accounts.models import Department, User
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.registrations import services as registrations
from webapp.registrations.models import CONFIRMED, Registration
from webapp.text import one_line

# from phase -> the phases it may move to. Results are final.
TRANSITIONS = {
    REGISTRATION: (BUILDING,),
    BUILDING: (SUBMISSION_CLOSED,),
    SUBMISSION_CLOSED: (BUILDING, JUDGING),
    JUDGING: (RESULTS,),
    RESULTS: (),
}
TEAM_SIZE = (1, 20)


def phase_labels():
    return {
        REGISTRATION: _l("Registration"),
        BUILDING: _l("Building"),
        SUBMISSION_CLOSED: _l("Submissions closed"),
        JUDGING: _l("Judging"),
        RESULTS: _l("Results"),
    }


# --- reading ----------------------------------------------------------------------------------


def get(slug):
    hackathon = db.session.scalar(select(Hackathon).where(Hackathon.slug == slug))
    if hackathon is None:
        raise NotFound("hackathon.not_found")
    return hackathon


def get_by_id(hackathon_id, lock=False):
    query = select(Hackathon).where(Hackathon.id == hackathon_id)
    if lock:
        query = query.with_for_update(of=Hackathon)
    hackathon = db.session.scalar(query.execution_options(populate_existing=True))
    if hackathon is None:
        raise NotFound("hackathon.not_found")
    return hackathon


def is_participant(user, hackathon):
    """A confirmed registration on the hackathon's list."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    status = db.session.scalar(
        select(Registration.status).where(
            Registration.list_id == hackathon.registration_list_id,
            Registration.user_id == user.id,
        )
    )
    return status == CONFIRMED


def require_participant(user, hackathon):
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied("hackathon.login_required")
    if not is_participant(user, hackathon):
        raise PermissionDenied(
            "hackathon.not_registered",
            message=_l("Register for this hackathon first."),
        )


def _require_manage(actor, hackathon):
    if not policies.can_manage_hackathon(actor, hackathon):
        raise PermissionDenied("hackathon.manage_denied")


# --- creation and edition -----------------------------------------------------------------------


def _text(data, field, low, high, errors, collapse=False):
    value = (data.get(field) or "").strip()
    if collapse:
        value = one_line(value)
    if not low <= len(value) <= high:
        errors[field] = [_l("Between %(low)d and %(high)d characters.", low=low, high=high)]
    return value


def _clean(data, errors):
    cleaned = {
        "title": _text(data, "title", 3, 200, errors, collapse=True),
        "summary": _text(data, "summary", 0, 300, errors, collapse=True),
        "description": _text(data, "description", 0, 10000, errors),
        "rules": _text(data, "rules", 0, 10000, errors),
    }
    size = data.get("team_size_max", 5)
    if not isinstance(size, int) or not TEAM_SIZE[0] <= size <= TEAM_SIZE[1]:
        errors["team_size_max"] = [
            _l("Between %(low)d and %(high)d people.", low=TEAM_SIZE[0], high=TEAM_SIZE[1])
        ]
    cleaned["team_size_max"] = size
    return cleaned


def _unique_slug(title):
    base = catalogue.slugify(title)[:100] or "hackathon"
    slug, n = base, 1
    while db.session.scalar(select(Hackathon.id).where(Hackathon.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_place(data, errors):
    online = bool(data.get("online"))
    url = (data.get("online_url") or "").strip() or None
    address = one_line(data.get("address")) or None
    if url and not url.lower().startswith(("http://", "https://")):
        errors["online_url"] = [_l("Links must start with http:// or https://.")]
    if not online and not address:
        errors["address"] = [_l("Give the address, or say the hackathon is online.")]
    if address and len(address) > 300:
        errors["address"] = [_l("At most %(n)d characters.", n=300)]
    return online, address, url


def create(actor, data):
    """An organiser creates a hackathon, in registration, with its registration list."""
    if not policies.can_create_hackathon(actor):
        raise PermissionDenied("hackathon.create_denied")
    errors = {}
    cleaned = _clean(data, errors)
    online, address, url = _check_place(data, errors)
    for field in ("starts_at", "ends_at"):
        if not isinstance(data.get(field), datetime):
            errors[field] = [_l("Give a date and time.")]
    if errors:
        raise ValidationError("hackathon.invalid", fields=errors)
    with unit_of_work():
        slug = _unique_slug(cleaned["title"])
        registration_list = registrations.create_list(
            actor,
            cleaned["title"],
            data["starts_at"],
            data["ends_at"],
            data.get("capacity"),
            kind="hackathon",
            description=cleaned["summary"] or None,
            address=address,
            lon=data.get("lon"),
            lat=data.get("lat"),
            online_url=url,
            page_url=f"/hackathons/{slug}",
        )
        hackathon = Hackathon(
            slug=slug,
            online=online,
            registration_list=registration_list,
            created_by_id=actor.id,
            source=data.get("source") or "manual",
            source_identifier=data.get("source_identifier"),
            **cleaned,
        )
        db.session.add(hackathon)
        db.session.flush()
    return hackathon


def update(actor, hackathon_id, data):
    """Organisers edit the texts and the team size (never below a team's members)."""
    errors = {}
    cleaned = _clean(data, errors)
    if errors:
        raise ValidationError("hackathon.invalid", fields=errors)
    with unit_of_work():
        hackathon = get_by_id(hackathon_id, lock=True)
        _require_manage(actor, hackathon)
        teams = db.session.scalars(
            select(Team).where(Team.hackathon_id == hackathon.id).with_for_update()
        ).all()
        largest = max((t.member_count for t in teams), default=0)
        if cleaned["team_size_max"] < largest:
            raise ValidationError(
                "hackathon.team_size_below_members",
                fields={
                    "team_size_max": [
                        _l("A team already has %(n)d members: the size cannot be lower.", n=largest)
                    ]
                },
            )
        for key, value in cleaned.items():
            setattr(hackathon, key, value)
        for team in teams:
            team.capacity = cleaned["team_size_max"]
        hackathon.registration_list.title = cleaned["title"]
    return hackathon


# --- challenges, criteria, jury -------------------------------------------------------------------


def _datasets(values, errors):
    found = []
    for value in values or ():
        row = db.session.scalar(
            select(Dataset).where(
                (Dataset.slug == str(value))
                | (Dataset.id == (int(value) if str(value).isdigit() else -1))
            )
        )
        if row is None:
            errors["datasets"] = [_l("Choose datasets of the catalogue.")]
            return []
        if row not in found:
            found.append(row)
    return found


def add_challenge(actor, hackathon_id, data):
    """A department's question, with the catalogue datasets and backlog items it relates to."""
    errors = {}
    title = _text(data, "title", 3, 200, errors, collapse=True)
    question = _text(data, "question", 10, 4000, errors)
    department = None
    if data.get("department"):
        department = db.session.scalar(
            select(Department).where(Department.slug == data["department"])
        )
        if department is None:
            errors["department"] = [_l("This department does not exist.")]
    datasets = _datasets(data.get("datasets"), errors)
    items = []
    for item_id in data.get("backlog_items") or ():
        item = db.session.get(BacklogItem, int(item_id)) if str(item_id).isdigit() else None
        if item is None:
            errors["backlog_items"] = [_l("Choose items of the open-data backlog.")]
            break
        items.append(item)
    if errors:
        raise ValidationError("challenge.invalid", fields=errors)
    with unit_of_work():
        hackathon = get_by_id(hackathon_id)
        _require_manage(actor, hackathon)
        challenge = Challenge(
            hackathon_id=hackathon.id,
            title=title,
            question=question,
            department=department,
            position=len(hackathon.challenges),
            datasets=datasets,
            backlog_items=items,
        )
        db.session.add(challenge)
        db.session.flush()
    return challenge


def add_criterion(actor, hackathon_id, data):
    """A scoring criterion with its weight and scale, before the jury starts."""
    errors = {}
    name = _text(data, "name", 2, 120, errors, collapse=True)
    description = _text(data, "description", 0, 2000, errors)
    weight, scale = data.get("weight", 1), data.get("scale_max", 10)
    if not isinstance(weight, int) or not 1 <= weight <= 100:
        errors["weight"] = [_l("A whole number between 1 and 100.")]
    if not isinstance(scale, int) or not 1 <= scale <= 100:
        errors["scale_max"] = [_l("A whole number between 1 and 100.")]
    if errors:
        raise ValidationError("criterion.invalid", fields=errors)
    with unit_of_work():
        hackathon = get_by_id(hackathon_id, lock=True)
        _require_manage(actor, hackathon)
        if hackathon.phase in (JUDGING, RESULTS):
            raise Conflict(
                "criterion.judging_started",
                message=_l("Criteria cannot change once the jury has started."),
            )
        criterion = Criterion(
            hackathon_id=hackathon.id,
            name=name,
            description=description,
            weight=weight,
            scale_max=scale,
            position=len(hackathon.criteria),
        )
        db.session.add(criterion)
        db.session.flush()
    return criterion


def add_juror(actor, hackathon_id, user_id):
    with unit_of_work():
        hackathon = get_by_id(hackathon_id, lock=True)
        _require_manage(actor, hackathon)
        user = db.session.get(User, user_id) if user_id else None
        if user is None or user.erased_at is not None or not user.is_active:
            raise ValidationError(
                "jury.unknown_user", fields={"user": [_l("Choose an existing member.")]}
            )
        if any(j.user_id == user.id for j in hackathon.jury):
            raise Conflict("jury.already", message=_l("This person is already on the jury."))
        if hackathon.phase == RESULTS:
            raise Conflict("jury.closed", message=_l("The results are published."))
        hackathon.jury.append(JuryMember(user_id=user.id))
        db.session.flush()
    return hackathon


def remove_juror(actor, hackathon_id, user_id):
    with unit_of_work():
        hackathon = get_by_id(hackathon_id, lock=True)
        _require_manage(actor, hackathon)
        if hackathon.phase in (JUDGING, RESULTS):
            raise Conflict(
                "jury.judging_started",
                message=_l("The jury cannot change once it has started."),
            )
        db.session.execute(
            delete(JuryMember).where(
                JuryMember.hackathon_id == hackathon.id, JuryMember.user_id == user_id
            )
        )
    return hackathon


# --- phases ------------------------------------------------------------------------------------


def set_phase(actor, hackathon_id, phase):
    """Move to the next phase; registration stays open while teams form."""
    with unit_of_work():
        hackathon = get_by_id(hackathon_id, lock=True)
        _require_manage(actor, hackathon)
        if phase not in PHASES or phase not in TRANSITIONS[hackathon.phase]:
            raise Conflict(
                "hackathon.transition_forbidden",
                message=_l("The hackathon cannot move from its current phase to the one asked."),
            )
        if phase == JUDGING and not (hackathon.criteria and hackathon.jury):
            raise Conflict(
                "hackathon.jury_incomplete",
                message=_l("Name at least one juror and one criterion before judging."),
            )
        hackathon.phase = phase
        hackathon.registration_list.is_open = phase in (REGISTRATION, BUILDING)
        if phase == RESULTS:
            hackathon.results_published_at = utcnow()
    return hackathon


# --- participants ------------------------------------------------------------------------------


def register(actor, hackathon_id):
    """Register through the shared mechanism (capacity, waitlist, invitation by e-mail)."""
    hackathon = get_by_id(hackathon_id)
    return registrations.register(actor, hackathon.registration_list_id)


def cancel(actor, hackathon_id):
    """Cancel one's registration; one leaves one's team and the list of people looking."""
    from crowdsourcing.services import teams

    with unit_of_work():
        hackathon = get_by_id(hackathon_id)
        membership = db.session.scalar(
            select(TeamMember).where(
                TeamMember.hackathon_id == hackathon.id, TeamMember.user_id == actor.id
            )
        )
        # After submissions close, teams are frozen: the person stays credited in theirs.
        if membership is not None and policies.teams_open(hackathon):
            teams.leave(actor, membership.team_id)
        db.session.execute(
            delete(Seeker).where(Seeker.hackathon_id == hackathon.id, Seeker.user_id == actor.id)
        )
        registration = registrations.cancel(actor, hackathon.registration_list_id)
    return registration


def set_looking(actor, hackathon_id, looking, note=None):
    """Say (or stop saying) one is looking for a team."""
    hackathon = get_by_id(hackathon_id)
    require_participant(actor, hackathon)
    note = one_line(note) or None
    if note and len(note) > 300:
        raise ValidationError(
            "seeker.invalid", fields={"note": [_l("At most %(n)d characters.", n=300)]}
        )
    try:
        with unit_of_work():
            row = db.session.scalar(
                select(Seeker).where(
                    Seeker.hackathon_id == hackathon.id, Seeker.user_id == actor.id
                )
            )
            if looking and row is None:
                db.session.add(Seeker(hackathon_id=hackathon.id, user_id=actor.id, note=note))
            elif looking:
                row.note = note
            elif row is not None:
                db.session.delete(row)
    except IntegrityError:
        db.session.rollback()  # a double click: the other request recorded it
    return looking
