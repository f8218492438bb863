"""App proposals: built on named catalogue datasets, each missing dataset a dataset request
linked back; pre-moderated submissions of kind "proposal"; stages, progress log, screenshots,
and members' supports."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from crowdsourcing import policies, registry
from crowdsourcing.hackathon_models import (
    STAGES,
    Challenge,
    ProgressUpdate,
    Proposal,
    ProposalMissingData,
    ProposalSupport,
    Screenshot,
    Team,
)
from crowdsourcing.models import APPROVED, Dataset, Submission
from crowdsourcing.services import hackathons, moderation, screenshots
from crowdsourcing.services import requests as dataset_requests
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db
from webapp.text import one_line

KIND = "proposal"
LIMITS = {"title": (5, 200), "pitch": (10, 2000), "problem": (0, 4000), "target_users": (0, 2000)}
CODE_LICENCES = (
    "mit",
    "apache-2.0",
    "gpl-3.0",
    "agpl-3.0",
    "eupl-1.2",
    "mpl-2.0",
    "bsd-3-clause",
    "cc-by-4.0",
    "cc-by-sa-4.0",
    "other",
)
MAX_DATASETS, MAX_MISSING = 20, 5


def stage_labels():
    return {"idea": _l("Idea"), "prototype": _l("Prototype"), "released": _l("Released")}


def licence_labels():
    return {
        "mit": "MIT",
        "apache-2.0": "Apache 2.0",
        "gpl-3.0": "GPL 3.0",
        "agpl-3.0": "AGPL 3.0",
        "eupl-1.2": "EUPL 1.2",
        "mpl-2.0": "MPL 2.0",
        "bsd-3-clause": "BSD 3-Clause",
        "cc-by-4.0": "CC-BY 4.0",
        "cc-by-sa-4.0": "CC-BY-SA 4.0",
        "other": _l("Another licence"),
    }


# --- validation --------------------------------------------------------------------------------


def check_url(value, field, errors):
    """An absolute http(s) address, or nothing: never javascript:, data: or a relative path."""
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in value)
        or len(value) > 500
    ):
        errors[field] = [_l("Give a web address starting with http:// or https://.")]
    return value


def _datasets(values, errors):
    keys = [str(v).strip() for v in values or () if str(v).strip()]
    if not keys:
        errors["datasets"] = [
            _l(
                "Name at least one dataset of the catalogue that your app uses: "
                "an app proposal is built on public data."
            )
        ]
        return []
    if len(keys) > MAX_DATASETS:
        errors["datasets"] = [_l("At most %(n)d datasets.", n=MAX_DATASETS)]
        return []
    ids = [int(k) for k in keys if k.isdigit()]
    rows = db.session.scalars(
        select(Dataset).where(Dataset.slug.in_(keys) | Dataset.id.in_(ids))
    ).all()
    found = {r.slug for r in rows} | {str(r.id) for r in rows}
    if any(k not in found for k in keys):
        errors["datasets"] = [_l("Choose datasets of the catalogue.")]
    return sorted(rows, key=lambda r: r.title)


def _missing(values, errors):
    cleaned = []
    for n, entry in enumerate(values or ()):
        title = one_line(entry.get("title"))
        description = (entry.get("description") or "").strip()
        if not title and not description:
            continue
        if not 5 <= len(title) <= 200:
            errors[f"missing.{n}.title"] = [
                _l("Between %(low)d and %(high)d characters.", low=5, high=200)
            ]
        if not 10 <= len(description) <= 4000:
            errors[f"missing.{n}.description"] = [
                _l("Between %(low)d and %(high)d characters.", low=10, high=4000)
            ]
        cleaned.append({"title": title, "description": description})
    if len(cleaned) > MAX_MISSING:
        errors["missing"] = [_l("At most %(n)d missing datasets.", n=MAX_MISSING)]
    return cleaned


def _clean(data, hackathon):
    errors, cleaned = {}, {}
    for field, (low, high) in LIMITS.items():
        value = (data.get(field) or "").strip()
        if field == "title":
            value = one_line(value)
        if not low <= len(value) <= high:
            errors[field] = [_l("Between %(low)d and %(high)d characters.", low=low, high=high)]
        cleaned[field] = value
    cleaned["repository_url"] = check_url(data.get("repository_url"), "repository_url", errors)
    cleaned["demo_url"] = check_url(data.get("demo_url"), "demo_url", errors)
    licence = data.get("licence") or None
    if licence is not None and licence not in CODE_LICENCES:
        errors["licence"] = [_l("Choose a licence from the list.")]
    cleaned["licence"] = licence
    challenge = None
    if data.get("challenge"):
        challenge = (
            db.session.get(Challenge, int(data["challenge"]))
            if str(data["challenge"]).isdigit()
            else None
        )
        if challenge is None or challenge.hackathon_id != hackathon.id:
            errors["challenge"] = [_l("Choose a challenge of this hackathon.")]
    cleaned["challenge_id"] = challenge.id if challenge else None
    datasets = _datasets(data.get("datasets"), errors)
    missing = _missing(data.get("missing"), errors)
    if errors:
        raise ValidationError("proposal.invalid", fields=errors)
    return cleaned, datasets, missing, challenge


# --- reading -----------------------------------------------------------------------------------


def get(proposal_id, lock=False):
    query = select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        query = query.with_for_update(of=Proposal)
    proposal = db.session.scalar(query.execution_options(populate_existing=True))
    if proposal is None:
        raise NotFound("proposal.not_found")
    return proposal


def submission_of(proposal):
    return db.session.scalar(
        select(Submission).where(Submission.kind == KIND, Submission.object_id == proposal.id)
    )


def is_public(proposal):
    submission = submission_of(proposal)
    return submission is not None and submission.status == APPROVED and not submission.hidden


def get_visible(viewer, proposal_id):
    """Published, or unpublished for its team, organisers, jury and moderators."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not (
        is_public(proposal) or policies.can_see_unpublished_proposal(viewer, proposal)
    ):
        raise NotFound("proposal.not_found")
    return proposal


# --- submitting and editing ----------------------------------------------------------------------


def _team_for(actor, hackathon, team_id):
    if not team_id:
        return None
    team = db.session.get(Team, int(team_id)) if str(team_id).isdigit() else None
    if team is None or team.hackathon_id != hackathon.id:
        raise ValidationError("proposal.invalid", fields={"team": [_l("Choose your team.")]})
    if not policies.is_team_member(actor, team):
        raise PermissionDenied("proposal.not_team_member")
    if db.session.scalar(select(Proposal.id).where(Proposal.team_id == team.id)) is not None:
        raise Conflict(
            "proposal.team_has_one", message=_l("Your team has already submitted a proposal.")
        )
    return team


def _request_missing(actor, proposal, missing, challenge):
    """Each missing dataset becomes a dataset request in the pipeline, linked to the proposal."""
    department = challenge.department.slug if challenge and challenge.department else None
    for entry in missing:
        request = dataset_requests.create(
            actor,
            {
                **entry,
                "intended_use": str(_l("For the app proposal “%(title)s”.", title=proposal.title)),
                "department": department,
            },
        )
        db.session.add(ProposalMissingData(proposal_id=proposal.id, request_id=request.id))


def submit(actor, hackathon_id, data):
    """A participant (or a team) submits a proposal; it is public once a moderator approves."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("proposal.login_required")
    hackathon = hackathons.get_by_id(hackathon_id)
    hackathons.require_participant(actor, hackathon)
    if not policies.submissions_open(hackathon):
        raise Conflict("proposal.closed", message=_l("Submissions are closed for this hackathon."))
    cleaned, datasets, missing, challenge = _clean(data, hackathon)
    try:
        with unit_of_work():
            team = _team_for(actor, hackathon, data.get("team"))
            proposal = Proposal(
                hackathon_id=hackathon.id,
                team_id=team.id if team else None,
                author_id=actor.id,
                stage=data.get("stage") if data.get("stage") in STAGES else "idea",
                datasets=datasets,
                **cleaned,
            )
            db.session.add(proposal)
            db.session.flush()
            _request_missing(actor, proposal, missing, challenge)
            moderation.submit(
                KIND,
                proposal.id,
                proposal.title,
                actor,
                department_id=challenge.department_id if challenge else None,
                context=f"hackathon:{hackathon.slug}",
            )
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            "proposal.team_has_one", message=_l("Your team has already submitted a proposal.")
        ) from None
    return proposal


def _editable(actor, proposal_id):
    proposal = get(proposal_id, lock=True)
    if not policies.can_edit_proposal(actor, proposal):
        raise PermissionDenied("proposal.not_yours")
    return proposal


def update(actor, proposal_id, data):
    """Its team edits a proposal while submissions are open; new missing data is requested."""
    with unit_of_work():
        proposal = _editable(actor, proposal_id)
        if not policies.submissions_open(proposal.hackathon):
            raise Conflict(
                "proposal.closed", message=_l("Submissions are closed for this hackathon.")
            )
        cleaned, datasets, missing, challenge = _clean(data, proposal.hackathon)
        for key, value in cleaned.items():
            setattr(proposal, key, value)
        proposal.datasets = datasets
        _request_missing(actor, proposal, missing, challenge)
        submission = submission_of(proposal)
        if submission is not None:
            submission.title = proposal.title
    return proposal


def set_stage(actor, proposal_id, stage, note=None):
    """Move forward: idea, prototype, released; the step is logged."""
    if stage not in STAGES:
        raise ValidationError(
            "proposal.stage_unknown", fields={"stage": [_l("Choose a stage from the list.")]}
        )
    with unit_of_work():
        proposal = _editable(actor, proposal_id)
        _require_progress(proposal)
        if STAGES.index(stage) <= STAGES.index(proposal.stage):
            raise Conflict(
                "proposal.stage_backwards",
                message=_l("A proposal only moves forward: idea, prototype, released."),
            )
        proposal.stage = stage
        body = (note or "").strip() or str(_l("Stage: %(stage)s", stage=stage_labels()[stage]))
        db.session.add(
            ProgressUpdate(
                proposal_id=proposal.id, author_id=actor.id, body=body[:2000], stage=stage
            )
        )
    return proposal


def log_progress(actor, proposal_id, body):
    body = (body or "").strip()
    if not 3 <= len(body) <= 2000:
        raise ValidationError(
            "proposal.progress_invalid",
            fields={"body": [_l("Between %(low)d and %(high)d characters.", low=3, high=2000)]},
        )
    with unit_of_work():
        proposal = _editable(actor, proposal_id)
        _require_progress(proposal)
        update_row = ProgressUpdate(
            proposal_id=proposal.id, author_id=actor.id, body=body, stage=proposal.stage
        )
        db.session.add(update_row)
    return update_row


def _require_progress(proposal):
    if not policies.progress_open(proposal.hackathon):
        raise Conflict("proposal.frozen", message=_l("Proposals are frozen while the jury works."))


def add_screenshot(actor, proposal_id, data, caption=None):
    with unit_of_work():
        proposal = _editable(actor, proposal_id)
        _require_progress(proposal)
        row = screenshots.store(proposal, data, caption, actor)
    return row


def remove_screenshot(actor, screenshot_id):
    with unit_of_work():
        row = db.session.get(Screenshot, screenshot_id)
        if row is None:
            raise NotFound("screenshot.not_found")
        _editable(actor, row.proposal_id)
        path = row.path
        db.session.delete(row)
    screenshots.remove_file(path)


# --- supports ----------------------------------------------------------------------------------


def support(actor, proposal_id):
    """A member supports a published proposal, once; not their own team's."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("proposal.login_required")
    try:
        with unit_of_work():
            proposal = get(proposal_id)
            if not is_public(proposal):
                raise NotFound("proposal.not_found")
            if policies.can_edit_proposal(actor, proposal):
                raise Conflict(
                    "proposal.own_support", message=_l("You cannot support your own proposal.")
                )
            exists = db.session.scalar(
                select(ProposalSupport.id).where(
                    ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == actor.id
                )
            )
            if exists is None:
                db.session.add(ProposalSupport(proposal_id=proposal.id, user_id=actor.id))
    except IntegrityError:
        db.session.rollback()  # a double click: the unique constraint kept one support
    return supporters_count(proposal_id)


def withdraw_support(actor, proposal_id):
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("proposal.login_required")
    # A proposal the actor may not see gives away neither its existence nor its count.
    get_visible(actor, proposal_id)
    with unit_of_work():
        db.session.execute(
            delete(ProposalSupport).where(
                ProposalSupport.proposal_id == proposal_id, ProposalSupport.user_id == actor.id
            )
        )
    return supporters_count(proposal_id)


def supporters_count(proposal_id):
    return db.session.scalar(
        select(func.count())
        .select_from(ProposalSupport)
        .where(ProposalSupport.proposal_id == proposal_id)
    )


def supported_by(user, proposal_ids):
    if user is None or not getattr(user, "is_authenticated", False) or not proposal_ids:
        return set()
    return set(
        db.session.scalars(
            select(ProposalSupport.proposal_id).where(
                ProposalSupport.user_id == user.id, ProposalSupport.proposal_id.in_(proposal_ids)
            )
        )
    )


def _preview(proposal):
    parts = [proposal.pitch]
    if proposal.datasets:
        parts.append(
            str(_l("Datasets: %(names)s", names=", ".join(d.title for d in proposal.datasets)))
        )
    if proposal.missing:
        parts.append(
            str(_l("Missing data: %(names)s", names=", ".join(r.title for r in proposal.missing)))
        )
    return "\n".join(parts)


registry.register_kind(
    registry.SubmissionKind(
        name=KIND,
        label=_l("App proposal"),
        load=lambda object_id: db.session.get(Proposal, object_id),
        load_objects=registry.by_ids(Proposal),
        preview=_preview,
        url=lambda proposal: f"/hackathons/{proposal.hackathon.slug}/proposals/{proposal.id}",
    )
)
