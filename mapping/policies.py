"""Who may do what with inventories, features and parties. Pure functions."""

from mapping.models import DRAFT, OPEN, PUBLISHED, REMOVED
from webapp.accounts.policies import can


def _member(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def sees_exact(user):
    """Staff see sensitive features where they are; everyone else sees a coarse cell."""
    return can(user, "mapping.see_sensitive")


def can_organise(user):
    return can(user, "mapping.organise")


def can_view_inventory(user, inventory):
    return inventory.status != DRAFT or can_organise(user)


def can_contribute(user, inventory):
    return _member(user) and inventory.status == OPEN


def can_moderate(user):
    """Moderators and organisers edit, remove and revert anyone's features."""
    return can(user, "mapping.moderate") or can_organise(user)


def can_see_feature(user, feature):
    if feature.status == PUBLISHED:
        return True
    if can_moderate(user):
        return True
    return _member(user) and feature.created_by_id == user.id and feature.status != REMOVED


def can_edit_feature(user, feature):
    if feature.status == REMOVED or not _member(user):
        return False
    if can_moderate(user):
        return True
    return feature.created_by_id == user.id and feature.inventory.status == OPEN


def can_manage_party(user, party):
    """The party's organisers (its registration managers) and admins."""
    if not _member(user):
        return False
    return can(user, "registrations.manage_any") or any(
        m.user_id == user.id for m in party.registration_list.managers
    )


def can_validate_task(user, party, task=None):
    """Organisers, moderators and the party's validators validate or reopen cells;
    a validator never validates a cell they mapped themselves."""
    if can_manage_party(user, party) or can(user, "mapping.moderate"):
        return True
    if not _member(user) or not any(v.user_id == user.id for v in party.validators):
        return False
    return task is None or task.done_by_id != user.id
