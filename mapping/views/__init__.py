"""HTML pages of inventories and features: list, inventory page and form, contribution,
feature page, history and photos. The rules live in `mapping.services`."""

import functools

from flask import Blueprint, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from mapping import forms, formschema, geo, policies
from mapping.services import inventories
from webapp.errors import PermissionDenied

bp = Blueprint("mapping", __name__, url_prefix="/mapping", template_folder="../templates")

INVENTORY_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open to contributions"),
    "closed": _l("Closed"),
    "archived": _l("Archived"),
}
FEATURE_STATUS_LABELS = {
    "pending": _l("Waiting for review"),
    "published": _l("Published"),
    "changes_requested": _l("Changes requested"),
    "rejected": _l("Rejected"),
    "hidden": _l("Hidden after reports"),
    "removed": _l("Removed"),
}
MODERATION_LABELS = {
    "pre": _l("Checked before publication"),
    "post": _l("Published at once, checked afterwards"),
}
MODERATION_EXPLAINED = {
    "pre": _l(
        "A moderator reads each contribution before it appears on the map. Until then, "
        "only you and the moderators see it."
    ),
    "post": _l(
        "Contributions appear on the map at once; moderators check them afterwards and "
        "anyone may report a problem."
    ),
}
ACTION_LABELS = {
    "create": _l("Added"),
    "update": _l("Edited"),
    "remove": _l("Removed"),
    "revert": _l("Put back as an earlier revision"),
}
FLAG_REASON_LABELS = {
    "spam": _l("Spam"),
    "abusive": _l("Abusive"),
    "wrong": _l("Wrong information"),
    "personal_data": _l("Personal data"),
}


def locale():
    return str(get_locale())


def user():
    return current_user._get_current_object()


def nonce():
    """The request's Content-Security-Policy nonce (set by flask-talisman)."""
    return getattr(request, "csp_nonce", "")


def organisers_only(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not policies.can_organise(user()):
            raise PermissionDenied("inventory.cannot_organise")
        return view(*args, **kwargs)

    return wrapped


def field_errors(error):
    """A ValidationError's messages by field name, as plain strings."""
    return {name: [str(m) for m in messages] for name, messages in (error.fields or {}).items()}


@bp.app_template_filter("field_label")
def _field_label(spec):
    return formschema.label(spec, locale())


@bp.app_template_filter("field_help")
def _field_help(spec):
    return spec.get("help_en" if locale() == "en" else "help_fr") or ""


@bp.app_template_filter("uses_fieldset")
def _uses_fieldset(spec):
    return forms.uses_fieldset(spec)


@bp.app_template_filter("choice_text")
def _choice_text(choice):
    return choice["label_en"] if locale() == "en" else choice["label_fr"]


@bp.context_processor
def _page_globals():
    return {
        "inventory_status_labels": INVENTORY_STATUS_LABELS,
        "feature_status_labels": FEATURE_STATUS_LABELS,
        "moderation_labels": MODERATION_LABELS,
        "moderation_explained": MODERATION_EXPLAINED,
        "action_labels": ACTION_LABELS,
        "theme_labels": inventories.THEMES,
        "licence_labels": inventories.LICENCE_LABELS,
        "licence_urls": inventories.LICENCE_URLS,
        "geometry_labels": geo.TYPE_LABELS,
        "locale": locale(),
        "today": formschema.local_today().isoformat(),
    }


# The pages; imported last so they find `bp` and the helpers above.
from mapping.views import feature_pages, inventory_pages, photo_pages  # noqa: E402, F401
