"""HTML pages of workshops: public pages, participation, organisers' and facilitators' pages."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from webapp import settings
from webapp.accounts.forms import apply_errors
from webapp.accounts.models import Department
from webapp.db import utcnow
from webapp.extensions import db
from workshops import labels, policies

bp = Blueprint(
    "workshops",
    __name__,
    url_prefix="/workshops",
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/static",
)


@bp.context_processor
def _page_globals():
    user = current_user if current_user.is_authenticated else None
    return {
        "status_labels": labels.status_labels(),
        "category_labels": labels.category_labels(),
        "priority_labels": labels.priority_labels(),
        "question_labels": labels.question_labels(),
        "locale": str(get_locale()),
        "now": utcnow(),
        "can_manage": lambda w: policies.can_manage(user, w),
        "can_facilitate": lambda w: policies.can_facilitate(user, w),
        "can_participate": lambda w: policies.can_participate(user, w),
    }


def map_settings():
    """What a Leaflet map needs: tiles, attribution and the default view."""
    institution = settings.current()
    return {
        "tiles": current_app.config["TILE_URL"],
        "attribution": institution.tile_attribution,
        "lon": institution.map_center_lon,
        "lat": institution.map_center_lat,
        "zoom": institution.map_zoom,
    }


def user():
    return current_user._get_current_object()


def local_datetime(day, time):
    """A date and time typed in the institution's time zone, as an aware datetime."""
    if day is None or time is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time).replace(tzinfo=zone)


def departments_choices(empty_label):
    locale = str(get_locale())
    rows = db.session.scalars(select(Department).order_by(Department.name_fr)).all()
    return [("", empty_label)] + [(d.slug, d.name(locale)) for d in rows]


def form_page(template, form, error, status=422, **context):
    """Show a form again with the service's errors on its fields."""
    unplaced = apply_errors(form, error)
    return render_template(template, form=form, unplaced=unplaced, **context), status


# The pages themselves; imported last so they find `bp` and the helpers above.
from workshops.views import idea_pages, manage_pages, public_pages, synthesis_pages  # noqa: E402, F401
