"""Who may do what in a workshop. Pure functions; services enforce, views hide buttons."""

from webapp.accounts import policies
from workshops.models import DRAFT, OPEN


def _member(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_facilitator(user, workshop):
    return _member(user) and any(f.user_id == user.id for f in workshop.facilitators)


def can_manage(user, workshop):
    """Edit the workshop, its sessions and status: its creator and its facilitators who
    organise workshops, and admins."""
    if not _member(user):
        return False
    if policies.can(user, "workshops.manage_any"):
        return True
    if not policies.can(user, "workshops.organise"):
        return False
    return workshop.created_by_id == user.id or is_facilitator(user, workshop)


def can_facilitate(user, workshop):
    """Group ideas, write requirements and minutes, see attendees and their answers."""
    return can_manage(user, workshop) or is_facilitator(user, workshop)


def can_view(user, workshop):
    """A draft is seen by those who run it; anything else is public."""
    return workshop.status != DRAFT or can_facilitate(user, workshop)


def can_participate(user, workshop):
    """Any logged-in member may post ideas, comment and vote while the workshop is open."""
    return _member(user) and workshop.status == OPEN


def can_view_requirements(user, workshop):
    return (
        workshop.requirements_published_at is not None and workshop.status != DRAFT
    ) or can_facilitate(user, workshop)
