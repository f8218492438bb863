"""Jury scores per criterion, the weighted ranking, published results, and the exports of
proposals and scores."""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crowdsourcing import policies
from crowdsourcing.hackathon_models import JUDGING, RESULTS, Criterion, Proposal, Score
from crowdsourcing.models import APPROVED, Submission
from crowdsourcing.services import hackathons, proposals
from webapp.csvutil import to_csv
from webapp.db import unit_of_work
from webapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from webapp.extensions import db


def score(actor, proposal_id, criterion_id, value):
    """A juror scores a published proposal on one criterion during judging; again = edit."""
    try:
        with unit_of_work():
            proposal = proposals.get(proposal_id)
            hackathon = proposal.hackathon
            if not policies.is_juror(actor, hackathon):
                raise PermissionDenied("score.not_juror")
            if hackathon.phase != JUDGING:
                raise Conflict(
                    "score.not_judging", message=_l("Scores are given during judging only.")
                )
            if not proposals.is_public(proposal):
                raise NotFound("proposal.not_found")
            if policies.can_edit_proposal(actor, proposal):
                raise PermissionDenied(
                    "score.own_proposal",
                    message=_l("Jurors do not score their own team's proposal."),
                )
            criterion = db.session.get(Criterion, criterion_id)
            if criterion is None or criterion.hackathon_id != hackathon.id:
                raise ValidationError(
                    "score.criterion_unknown",
                    fields={"criterion": [_l("Choose a criterion of this hackathon.")]},
                )
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 0 <= value <= criterion.scale_max
            ):
                raise ValidationError(
                    "score.out_of_scale",
                    fields={
                        "value": [_l("A whole number from 0 to %(max)d.", max=criterion.scale_max)]
                    },
                )
            row = db.session.scalar(
                select(Score).where(
                    Score.proposal_id == proposal.id,
                    Score.criterion_id == criterion.id,
                    Score.juror_id == actor.id,
                )
            )
            if row is None:
                row = Score(
                    proposal_id=proposal.id,
                    criterion_id=criterion.id,
                    juror_id=actor.id,
                    value=value,
                )
                db.session.add(row)
            row.value = value
            db.session.flush()
    except IntegrityError:
        # Two simultaneous first scores by the same juror: the constraint kept one; retry edits it.
        db.session.rollback()
        raise Conflict(
            "score.changed", message=_l("Your score was saved meanwhile; reload and try again.")
        ) from None
    return row


def approved_proposals(hackathon):
    return db.session.scalars(
        select(Proposal)
        .join(
            Submission, (Submission.kind == proposals.KIND) & (Submission.object_id == Proposal.id)
        )
        .where(
            Proposal.hackathon_id == hackathon.id,
            Submission.status == APPROVED,
            Submission.hidden.is_(False),
        )
        .order_by(Proposal.title)
    ).all()


def _scores(hackathon):
    return db.session.scalars(
        select(Score)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.hackathon_id == hackathon.id)
    ).all()


def compute_ranking(hackathon):
    """Rows of {proposal, total, per_criterion, jurors, rank}, best first.

    A criterion's mark is the jurors' mean divided by its scale; the total is the weighted
    mean of the marks, out of 100, a criterion nobody scored counting 0. Unscored proposals
    come last, unranked."""
    criteria = list(hackathon.criteria)
    weights = sum(c.weight for c in criteria) or 1
    values = {}
    for row in _scores(hackathon):
        values.setdefault(row.proposal_id, {}).setdefault(row.criterion_id, []).append(row)
    rows = []
    for proposal in approved_proposals(hackathon):
        given = values.get(proposal.id, {})
        per_criterion = {
            c.id: round(sum(s.value for s in given[c.id]) / len(given[c.id]), 2)
            if c.id in given
            else None
            for c in criteria
        }
        total = None
        if given:
            total = round(
                100
                * sum(c.weight * (per_criterion[c.id] or 0) / c.scale_max for c in criteria)
                / weights,
                2,
            )
        jurors = {s.juror_id for ss in given.values() for s in ss}
        rows.append(
            {
                "proposal": proposal,
                "total": total,
                "per_criterion": per_criterion,
                "jurors": len(jurors),
            }
        )
    rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0), r["proposal"].title.lower()))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row["total"] is None:
            row["rank"] = None
            continue
        if row["total"] != previous:
            rank, previous = position, row["total"]
        row["rank"] = rank
    return rows


def ranking(viewer, hackathon_id):
    """Organisers see it during judging; everyone once the results are published."""
    hackathon = hackathons.get_by_id(hackathon_id)
    if not policies.can_see_ranking(viewer, hackathon):
        raise PermissionDenied("ranking.denied")
    return hackathon, compute_ranking(hackathon)


def publish_results(actor, hackathon_id):
    """End judging and publish the ranking; scores are final from then on."""
    return hackathons.set_phase(actor, hackathon_id, RESULTS)


def my_scores(juror, hackathon):
    rows = db.session.scalars(
        select(Score)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Criterion.hackathon_id == hackathon.id, Score.juror_id == juror.id)
    ).all()
    return {(s.proposal_id, s.criterion_id): s.value for s in rows}


# --- exports -------------------------------------------------------------------------------------


def _require_export(actor, hackathon):
    if not policies.can_manage_hackathon(actor, hackathon):
        raise PermissionDenied("hackathon.manage_denied")


def _proposal_rows(hackathon):
    stage = proposals.stage_labels()
    for proposal in db.session.scalars(
        select(Proposal).where(Proposal.hackathon_id == hackathon.id).order_by(Proposal.id)
    ):
        submission = proposals.submission_of(proposal)
        yield {
            "id": proposal.id,
            "title": proposal.title,
            "pitch": proposal.pitch,
            "problem": proposal.problem,
            "target_users": proposal.target_users,
            "team": proposal.team.name if proposal.team else None,
            "challenge": proposal.challenge.title if proposal.challenge else None,
            "stage": proposal.stage,
            "stage_label": str(stage[proposal.stage]),
            "status": submission.status if submission else None,
            "datasets": [d.slug for d in proposal.datasets],
            "missing_data_requests": [r.id for r in proposal.missing],
            "repository_url": proposal.repository_url,
            "demo_url": proposal.demo_url,
            "licence": proposal.licence,
            "supporters": proposals.supporters_count(proposal.id),
            "source": proposal.source,
        }


def export_proposals(actor, hackathon_id, fmt):
    """Every proposal of the hackathon, as CSV (formula-safe) or JSON text."""
    hackathon = hackathons.get_by_id(hackathon_id)
    _require_export(actor, hackathon)
    rows = list(_proposal_rows(hackathon))
    if fmt == "json":
        return json.dumps(
            {"hackathon": hackathon.slug, "proposals": rows}, ensure_ascii=False, indent=1
        )
    header = [k for k in rows[0]] if rows else ["id", "title"]
    body = [
        ["; ".join(map(str, v)) if isinstance(v, list) else v for v in r.values()] for r in rows
    ]
    return to_csv(header, body)


def export_scores(actor, hackathon_id, fmt):
    """Every score (juror by id and name as organisers see it) and the weighted ranking."""
    hackathon = hackathons.get_by_id(hackathon_id)
    _require_export(actor, hackathon)
    criteria = {c.id: c for c in hackathon.criteria}
    scores = [
        {
            "proposal_id": s.proposal_id,
            "criterion": criteria[s.criterion_id].name,
            "weight": criteria[s.criterion_id].weight,
            "scale_max": criteria[s.criterion_id].scale_max,
            "juror_id": s.juror_id,
            "value": s.value,
        }
        for s in sorted(
            _scores(hackathon), key=lambda s: (s.proposal_id, s.criterion_id, s.juror_id)
        )
    ]
    ranked = [
        {
            "rank": r["rank"],
            "proposal_id": r["proposal"].id,
            "title": r["proposal"].title,
            "total": r["total"],
        }
        for r in compute_ranking(hackathon)
    ]
    if fmt == "json":
        return json.dumps(
            {"hackathon": hackathon.slug, "scores": scores, "ranking": ranked},
            ensure_ascii=False,
            indent=1,
        )
    header = ["proposal_id", "criterion", "weight", "scale_max", "juror_id", "value"]
    return to_csv(header, [[s[k] for k in header] for s in scores])


def score_many(actor, proposal_id, values):
    """Save a juror's scores of one proposal, {criterion_id: value}, all or none."""
    with unit_of_work():
        return [score(actor, proposal_id, cid, value) for cid, value in values.items()]
