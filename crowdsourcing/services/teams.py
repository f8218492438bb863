"""Teams of a hackathon: create, join, leave, roles, skills sought, invitations, and the team
finder (people by skill and availability, each shown only as far as their privacy allows).

A team's size is guarded in the database: `member_count` changes only while the team row is
locked, a CHECK constraint keeps it within `capacity`, and a unique constraint keeps a person
in one team per hackathon.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crowdsourcing import policies
from crowdsourcing.hackathon_models import (
    INVITE_ACCEPTED,
    INVITE_DECLINED,
    INVITE_PENDING,
    Seeker,
    Team,
    TeamInvite,
    TeamMember,
)
from crowdsourcing.services import hackathons
from webapp.accounts.models import User
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.notifications import services as notifications
from webapp.profiles import queries as directory
from webapp.profiles import visibility
from webapp.profiles.models import Skill
from webapp.text import one_line

MAX_SKILLS = 10


def get(team_id, lock=False):
    query = select(Team).where(Team.id == team_id)
    if lock:
        query = query.with_for_update(of=Team)
    team = db.session.scalar(query.execution_options(populate_existing=True))
    if team is None:
        raise NotFound("team.not_found")
    return team


def team_of(user, hackathon):
    """The user's team in this hackathon, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.hackathon_id == hackathon.id, TeamMember.user_id == user.id)
    )


def _require_open(hackathon):
    if not policies.teams_open(hackathon):
        raise Conflict(
            "team.closed", message=_l("Teams can no longer change in this phase of the hackathon.")
        )


def _skills(skill_ids, errors):
    skill_ids = [int(s) for s in skill_ids or () if str(s).isdigit()]
    if len(skill_ids) > MAX_SKILLS:
        errors["skills"] = [_l("At most %(n)d skills.", n=MAX_SKILLS)]
        return []
    skills = db.session.scalars(select(Skill).where(Skill.id.in_(skill_ids))).all()
    if len(skills) != len(set(skill_ids)):
        errors["skills"] = [_l("Choose skills from the list.")]
    return list(skills)


def _clean(data):
    errors = {}
    name = one_line(data.get("name"))
    if not 2 <= len(name) <= 120:
        errors["name"] = [_l("Between %(low)d and %(high)d characters.", low=2, high=120)]
    description = (data.get("description") or "").strip()
    if len(description) > 2000:
        errors["description"] = [_l("At most %(n)d characters.", n=2000)]
    skills = _skills(data.get("skills"), errors)
    if errors:
        raise ValidationError("team.invalid", fields=errors)
    return name, description, skills


def _already_in_team():
    return Conflict(
        "team.already_member", message=_l("You are already in a team of this hackathon.")
    )


def create(actor, hackathon_id, data):
    """A participant creates a team and is its first member."""
    name, description, skills = _clean(data)
    hackathon = hackathons.get_by_id(hackathon_id)
    hackathons.require_participant(actor, hackathon)
    _require_open(hackathon)
    try:
        with unit_of_work():
            if team_of(actor, hackathon) is not None:
                raise _already_in_team()
            team = Team(
                hackathon_id=hackathon.id,
                name=name,
                description=description,
                capacity=hackathon.team_size_max,
                member_count=1,
                created_by_id=actor.id,
                skills_sought=skills,
            )
            db.session.add(team)
            db.session.flush()
            db.session.add(TeamMember(team_id=team.id, hackathon_id=hackathon.id, user_id=actor.id))
            db.session.flush()
            _forget_seeker(hackathon.id, actor.id)
    except IntegrityError:
        db.session.rollback()
        if team_of(actor, hackathon) is not None:
            raise _already_in_team() from None
        raise ValidationError(
            "team.name_taken",
            fields={"name": [_l("Another team of this hackathon has this name.")]},
        ) from None
    return team


def update(actor, team_id, data):
    """A member edits the team's name, description and the skills it is looking for."""
    name, description, skills = _clean(data)
    try:
        with unit_of_work():
            team = get(team_id, lock=True)
            if not policies.is_team_member(actor, team):
                raise PermissionDenied("team.not_member")
            team.name, team.description, team.skills_sought = name, description, skills
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError(
            "team.name_taken",
            fields={"name": [_l("Another team of this hackathon has this name.")]},
        ) from None
    return team


def _add_member(actor, team):
    """Add the actor to a team locked by the caller; the counter and constraints guard size."""
    if team.member_count >= team.capacity:
        raise Conflict("team.full", message=_l("This team is full."))
    if team_of(actor, team.hackathon) is not None:
        raise _already_in_team()
    team.member_count += 1
    db.session.add(TeamMember(team_id=team.id, hackathon_id=team.hackathon_id, user_id=actor.id))
    db.session.flush()
    _forget_seeker(team.hackathon_id, actor.id)


def join(actor, team_id):
    """A participant joins a team that has room."""
    try:
        with unit_of_work():
            team = get(team_id, lock=True)
            hackathons.require_participant(actor, team.hackathon)
            _require_open(team.hackathon)
            _add_member(actor, team)
    except IntegrityError:
        # The CHECK on the counter or the one-team-per-person constraint refused it.
        db.session.rollback()
        team = get(team_id)
        if team_of(actor, team.hackathon) is not None:
            raise _already_in_team() from None
        raise Conflict("team.full", message=_l("This team is full.")) from None
    return team


def leave(actor, team_id):
    """A member leaves; the last one to leave dissolves the team (unless it has a proposal)."""
    from crowdsourcing.hackathon_models import Proposal

    with unit_of_work():
        team = get(team_id, lock=True)
        _require_open(team.hackathon)
        membership = next(
            (m for m in team.members if m.user_id == getattr(actor, "id", None)), None
        )
        if membership is None:
            raise NotFound("team.not_member", message=_l("You are not in this team."))
        team.members.remove(membership)
        team.member_count -= 1
        db.session.flush()
        has_proposal = db.session.scalar(select(Proposal.id).where(Proposal.team_id == team.id))
        if team.member_count == 0 and has_proposal is None:
            db.session.delete(team)
    return team


def set_role(actor, team_id, role):
    """A member says what they do in the team (developer, designer, data…)."""
    role = one_line(role) or None
    if role and len(role) > 80:
        raise ValidationError(
            "team.role_invalid", fields={"role": [_l("At most %(n)d characters.", n=80)]}
        )
    with unit_of_work():
        team = get(team_id)
        membership = next(
            (m for m in team.members if m.user_id == getattr(actor, "id", None)), None
        )
        if membership is None:
            raise PermissionDenied("team.not_member")
        membership.role = role
    return membership


# --- invitations --------------------------------------------------------------------------------


def invite(actor, team_id, user_id):
    """A member invites someone (found by skill, or looking for a team); they are notified."""
    with unit_of_work():
        team = get(team_id, lock=True)
        if not policies.is_team_member(actor, team):
            raise PermissionDenied("team.not_member")
        _require_open(team.hackathon)
        person = db.session.get(User, user_id) if user_id else None
        if person is None or person.erased_at is not None or not person.is_active:
            raise ValidationError(
                "team.invite_unknown", fields={"user": [_l("Choose an existing member.")]}
            )
        if team.member_count >= team.capacity:
            raise Conflict("team.full", message=_l("This team is full."))
        if team_of(person, team.hackathon) is not None:
            raise Conflict("team.invitee_in_team", message=_l("This person is already in a team."))
        invitation = db.session.scalar(
            select(TeamInvite).where(TeamInvite.team_id == team.id, TeamInvite.user_id == person.id)
        )
        if invitation is not None and invitation.status == INVITE_PENDING:
            raise Conflict("team.already_invited", message=_l("This person is already invited."))
        if invitation is None:
            invitation = TeamInvite(team_id=team.id, user_id=person.id)
            db.session.add(invitation)
        invitation.status, invitation.invited_by_id = INVITE_PENDING, actor.id
        db.session.flush()
        notifications.notify(
            person,
            "team.invited",
            {"team": team.name, "hackathon": team.hackathon.title},
            link=f"/hackathons/{team.hackathon.slug}/teams/{team.id}",
        )
    return invitation


def _own_invitation(actor, invite_id):
    invitation = db.session.get(TeamInvite, invite_id)
    if invitation is None or invitation.user_id != getattr(actor, "id", None):
        raise NotFound("team.invite_not_found")
    if invitation.status != INVITE_PENDING:
        raise Conflict("team.invite_answered", message=_l("This invitation was already answered."))
    return invitation


def accept(actor, invite_id):
    """The invited person joins the team (if they are registered and the team has room)."""
    try:
        with unit_of_work():
            invitation = _own_invitation(actor, invite_id)
            team = get(invitation.team_id, lock=True)
            hackathons.require_participant(actor, team.hackathon)
            _require_open(team.hackathon)
            _add_member(actor, team)
            invitation.status = INVITE_ACCEPTED
    except IntegrityError:
        db.session.rollback()
        raise Conflict("team.full", message=_l("This team is full.")) from None
    return team


def decline(actor, invite_id):
    with unit_of_work():
        invitation = _own_invitation(actor, invite_id)
        invitation.status = INVITE_DECLINED
    return invitation


def pending_invitations(user, hackathon):
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return db.session.scalars(
        select(TeamInvite)
        .join(Team, Team.id == TeamInvite.team_id)
        .where(
            TeamInvite.user_id == user.id,
            TeamInvite.status == INVITE_PENDING,
            Team.hackathon_id == hackathon.id,
        )
    ).all()


def _forget_seeker(hackathon_id, user_id):
    seeker = db.session.scalar(
        select(Seeker).where(Seeker.hackathon_id == hackathon_id, Seeker.user_id == user_id)
    )
    if seeker is not None:
        db.session.delete(seeker)


# --- the team finder ------------------------------------------------------------------------------


def _members_of(hackathon):
    return set(
        db.session.scalars(
            select(TeamMember.user_id).where(TeamMember.hackathon_id == hackathon.id)
        )
    )


def seekers(viewer, hackathon, locale="fr"):
    """People looking for a team, as the viewer may see them (members only)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    rows = db.session.scalars(
        select(Seeker).where(Seeker.hackathon_id == hackathon.id).order_by(Seeker.created_at)
    ).all()
    return [
        {
            **visibility.visible_profile(viewer, row.user, locale=locale),
            "looking": True,
            "note": row.note,
        }
        for row in rows
        if row.user.erased_at is None
    ]


def find_people(viewer, hackathon, skill_id=None, availability=None, locale="fr", limit=30):
    """People without a team, by skill and availability from the skills directory.

    The directory matches a criterion only when the viewer may see the field it matches,
    and shows each person through `visible_profile`; those looking for a team come first."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        raise PermissionDenied("team.finder_login_required")
    if not skill_id and not availability:
        return seekers(viewer, hackathon, locale)
    taken = _members_of(hackathon) | {viewer.id}
    looking = {
        s.user_id: s.note
        for s in db.session.scalars(select(Seeker).where(Seeker.hackathon_id == hackathon.id))
    }
    found = directory.search(
        viewer, skill_id=skill_id, availability=availability, locale=locale, limit=limit * 3
    )
    people = [
        {**person, "looking": person["id"] in looking, "note": looking.get(person["id"])}
        for person in found
        if person["id"] not in taken
    ]
    people.sort(key=lambda p: not p["looking"])
    return people[:limit]


notifications.register_kind(
    "team.invited", _l("The team “%(team)s” invites you to join it for %(hackathon)s.")
)
