"""Who may do what with hackathons, teams, proposals and scores. Pure functions of loaded rows."""

from crowdsourcing.hackathon_models import (
    BUILDING,
    JUDGING,
    REGISTRATION,
    RESULTS,
)
from webapp.accounts import policies

# Phases in which teams form and proposals are written.
OPEN_PHASES = (REGISTRATION, BUILDING)
# Phases in which a team may log progress and move its stage (not while the jury works).
PROGRESS_PHASES = (REGISTRATION, BUILDING, RESULTS)


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def can_create_hackathon(user):
    return policies.can(user, "hackathons.organise")


def can_manage_hackathon(user, hackathon):
    """The organisers named on the hackathon's registration list, and admins."""
    if not _authenticated(user):
        return False
    if policies.can(user, "hackathons.manage_any"):
        return True
    return any(m.user_id == user.id for m in hackathon.registration_list.managers)


def is_juror(user, hackathon):
    return _authenticated(user) and any(j.user_id == user.id for j in hackathon.jury)


def teams_open(hackathon):
    return hackathon.phase in OPEN_PHASES


def submissions_open(hackathon):
    return hackathon.phase in OPEN_PHASES


def progress_open(hackathon):
    return hackathon.phase in PROGRESS_PHASES


def can_score(user, hackathon):
    return hackathon.phase == JUDGING and is_juror(user, hackathon)


def can_see_ranking(user, hackathon):
    if hackathon.phase == RESULTS and hackathon.results_published_at is not None:
        return True
    return hackathon.phase in (JUDGING, RESULTS) and can_manage_hackathon(user, hackathon)


def is_team_member(user, team):
    return (
        _authenticated(user)
        and team is not None
        and any(m.user_id == user.id for m in team.members)
    )


def can_edit_proposal(user, proposal):
    """Its author and the members of its team."""
    if not _authenticated(user):
        return False
    return proposal.author_id == user.id or is_team_member(user, proposal.team)


def can_see_unpublished_proposal(user, proposal):
    """Before approval: its team, the hackathon's organisers and jury, and moderators."""
    return (
        can_edit_proposal(user, proposal)
        or can_manage_hackathon(user, proposal.hackathon)
        or is_juror(user, proposal.hackathon)
        or policies.can(user, "moderation.decide")
    )
