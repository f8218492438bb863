"""The one permission check used by HTML views, the API and the CLI. Pure functions."""

from webapp.accounts.models import ADMIN, DATA_STEWARD, MODERATOR, ORGANISER, RESIDENT

# permission -> roles that hold it. Admins hold every permission.
PERMISSIONS = {
    "account.use": {RESIDENT},
    "users.manage": {ADMIN},
    "settings.manage": {ADMIN},
    "departments.manage": {ADMIN},
    "events.organise": {ORGANISER},
    "registrations.manage_any": set(),
    "moderation.decide": {MODERATOR},
    "moderation.configure": set(),
    "backlog.steward": {DATA_STEWARD},
    "mapping.organise": {ORGANISER},
    "mapping.moderate": {MODERATOR},
    "mapping.see_sensitive": {ORGANISER, MODERATOR, DATA_STEWARD},
    # Create co-design workshops and run those one created or facilitates.
    "workshops.organise": {ORGANISER},
    # Run every workshop (facilitate, edit, see registration answers).
    "workshops.manage_any": set(),
    "jobs.view_any": set(),
    "hackathons.organise": {ORGANISER},
    "hackathons.manage_any": set(),
}


def can(user, permission):
    """Say whether `user` (possibly anonymous or None) holds `permission`."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = user.roles
    return ADMIN in roles or bool(roles & PERMISSIONS[permission])


def require(user, permission):
    """Raise PermissionDenied unless `user` holds `permission`."""
    from webapp.errors import PermissionDenied

    if not can(user, permission):
        raise PermissionDenied(code=f"{permission}.denied")


def can_view_job(user, job):
    """The job's creator and admins may follow a job."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return job.created_by_id == user.id or can(user, "jobs.view_any")


def can_manage_registrations(user, registration_list):
    """Organisers named on the event, and admins, manage its attendees."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can(user, "registrations.manage_any"):
        return True
    return any(m.user_id == user.id for m in registration_list.managers)
