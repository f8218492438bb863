"""Ideas, needs and pain points, and their comments: post-moderated submissions.

An idea is shown at once and queued in the moderation inbox (kind "idea"); a rejection, or
enough reports, hides it and gives its dots back. An idea that asks for data becomes a
dataset request of its author, so that it counts as demand once routed to the backlog.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from crowdsourcing.models import Submission
from crowdsourcing.services import moderation
from crowdsourcing.services import requests as dataset_requests
from webapp import mail
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from workshops import files, policies, queries
from workshops.models import (
    CATEGORIES,
    DotBudget,
    Idea,
    IdeaComment,
    Theme,
    Vote,
    Workshop,
    WorkshopSession,
)

KIND, COMMENT_KIND = "idea", "idea_comment"
KIND_LABEL, COMMENT_KIND_LABEL = _l("Workshop idea"), _l("Comment on a workshop idea")
TEXT_MIN, TEXT_MAX = 3, 2000


def _context(workshop):
    return f"workshop:{workshop.slug}"


def require_participation(actor, workshop_id):
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("idea.login_required")
    workshop = queries.workshop_by_id(actor, workshop_id)
    if not policies.can_participate(actor, workshop):
        raise PermissionDenied(
            "idea.workshop_not_open", message=_l("This workshop does not take ideas any more.")
        )
    return workshop


def _clean(workshop_id, data):
    errors = {}
    text = (data.get("text") or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        errors["text"] = [
            _l("Between %(low)d and %(high)d characters.", low=TEXT_MIN, high=TEXT_MAX)
        ]
    category = data.get("category")
    if category not in CATEGORIES:
        errors["category"] = [_l("Choose idea, need or pain point.")]
    lon, lat = data.get("lon"), data.get("lat")
    if (lon is None) != (lat is None) or (
        lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        errors["location"] = [
            _l("Give a longitude between -180 and 180 and a latitude between -90 and 90.")
        ]
    session_id = data.get("session_id")
    if session_id is not None:
        row = db.session.get(WorkshopSession, session_id)
        if row is None or row.workshop_id != workshop_id:
            errors["session_id"] = [_l("This session is not part of the workshop.")]
    if errors:
        raise ValidationError("idea.invalid", fields=errors)
    return {
        "text": text,
        "category": category,
        "lon": lon,
        "lat": lat,
        "session_id": session_id,
        "needs_data": bool(data.get("needs_data")),
    }


def post(actor, workshop_id, data, photo=None):
    """Publish a participant's idea at once and queue it for review."""
    workshop = require_participation(actor, workshop_id)
    cleaned = _clean(workshop_id, data)
    # An empty file that was chosen is refused (clean_photo), not mistaken for no photo.
    photo_name = (
        files.store("photos", files.clean_photo(photo), "jpg") if photo is not None else None
    )
    try:
        with unit_of_work():
            idea = Idea(
                workshop_id=workshop.id,
                session_id=cleaned["session_id"],
                author_id=actor.id,
                category=cleaned["category"],
                text=cleaned["text"],
                needs_data=cleaned["needs_data"],
                photo_name=photo_name,
            )
            idea.set_location(cleaned["lon"], cleaned["lat"])
            db.session.add(idea)
            db.session.flush()
            moderation.submit(
                KIND,
                idea.id,
                idea.text[:120],
                actor,
                department_id=workshop.department_id,
                context=_context(workshop),
            )
    except Exception:
        files.remove("photos", photo_name)
        raise
    return idea


def comment(actor, idea_id, body):
    """Comment on a visible idea of an open workshop; shown at once, reviewed after."""
    body = (body or "").strip()
    if not 1 <= len(body) <= TEXT_MAX:
        raise ValidationError(
            "idea_comment.invalid",
            fields={"body": [_l("Between %(low)d and %(high)d characters.", low=1, high=TEXT_MAX)]},
        )
    idea = queries.visible_idea(actor, idea_id)
    workshop = require_participation(actor, idea.workshop_id)
    with unit_of_work():
        row = IdeaComment(idea_id=idea.id, author_id=actor.id, body=body)
        db.session.add(row)
        db.session.flush()
        moderation.submit(
            COMMENT_KIND,
            row.id,
            str(_l("Comment on an idea of “%(title)s”", title=workshop.title))[:200],
            actor,
            department_id=workshop.department_id,
            context=_context(workshop),
        )
    return row


def submission_of(kind, object_id):
    return db.session.scalar(
        select(Submission).where(Submission.kind == kind, Submission.object_id == object_id)
    )


def _facilitated_idea(actor, idea_id):
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound("idea.not_found")
    workshop = queries.workshop_by_id(actor, idea.workshop_id)
    if not policies.can_facilitate(actor, workshop):
        raise PermissionDenied("workshop.facilitate_denied")
    return idea, workshop


def request_dataset(actor, idea_id, data):
    """Turn an idea that asks for data into a dataset request of its author.

    Facilitators and the author may do it, once. The request goes through moderation like
    any other, filed under the workshop, and the idea keeps a link to it.
    """
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.hidden:
        raise NotFound("idea.not_found")
    workshop = queries.workshop_by_id(actor, idea.workshop_id)
    is_author = actor is not None and actor.is_authenticated and idea.author_id == actor.id
    if not (is_author or policies.can_facilitate(actor, workshop)):
        raise PermissionDenied("idea.request_denied")
    author = idea.author
    if author is None or author.erased_at is not None or not author.is_active:
        raise ValidationError(
            "idea.author_gone",
            message=_l("The author's account is closed: this idea cannot become their request."),
        )
    with unit_of_work():
        locked = db.session.scalar(
            select(Idea)
            .where(Idea.id == idea_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if locked.dataset_request_id is not None:
            raise Conflict(
                "idea.already_requested",
                message=_l("This idea is already a dataset request."),
            )
        link = mail.external_url("web.home").rstrip("/") + idea_url(idea)
        reason = (data.get("reason") or "").strip()
        origin = str(
            _l("From the co-design workshop “%(title)s”: %(link)s", title=workshop.title, link=link)
        )
        request = dataset_requests.create(
            author,
            {**data, "reason": f"{reason}\n\n{origin}".strip()},
            context=_context(workshop),
        )
        locked.dataset_request_id = request.id
    return request


def set_theme(actor, idea_id, theme_id):
    """Put an idea in one of the workshop's themes (None takes it out)."""
    with unit_of_work():
        idea, workshop = _facilitated_idea(actor, idea_id)
        if theme_id is not None:
            theme = db.session.get(Theme, theme_id)
            if theme is None or theme.workshop_id != workshop.id:
                raise ValidationError(
                    "idea.theme_unknown", fields={"theme": [_l("Unknown theme.")]}
                )
        idea.theme_id = theme_id
    return idea


def _refund(idea):
    """Give back the dots placed on an idea that leaves the board."""
    votes = db.session.scalars(select(Vote).where(Vote.idea_id == idea.id).with_for_update()).all()
    for vote in votes:
        db.session.execute(
            update(DotBudget)
            .where(DotBudget.workshop_id == idea.workshop_id, DotBudget.user_id == vote.user_id)
            .values(used=DotBudget.used - vote.dots)
        )
    db.session.execute(delete(Vote).where(Vote.idea_id == idea.id))


def hide(idea, submission):
    """A rejected or reported idea leaves the board and its dots go back to the voters."""
    idea.hidden = True
    _refund(idea)


def show(idea, submission):
    idea.hidden = False


def hide_comment(row, submission):
    row.hidden = True


def show_comment(row, submission):
    row.hidden = False


def load_idea(object_id):
    return db.session.get(Idea, object_id)


def load_comment(object_id):
    return db.session.get(IdeaComment, object_id)


def idea_url(idea):
    workshop = db.session.get(Workshop, idea.workshop_id)
    return f"/workshops/{workshop.slug}/ideas/{idea.id}" if workshop else None


def comment_url(row):
    idea = db.session.get(Idea, row.idea_id)
    url = idea_url(idea) if idea else None
    return f"{url}#comment-{row.id}" if url else None


def preview(idea):
    return idea.text


def comment_preview(row):
    return row.body
