"""What the pipeline holds about a person, for their data export.

Contributions are not personal data to erase: they stay, credited to the anonymised account.
"""

from sqlalchemy import select

from crowdsourcing.models import DatasetRequest, Flag, Submission
from webapp.extensions import db
from webapp.privacy import services as privacy


def _iso(value):
    return value.isoformat() if value is not None else None


def _export(user):
    submissions = db.session.scalars(
        select(Submission).where(Submission.submitter_id == user.id)
    ).all()
    requests = db.session.scalars(
        select(DatasetRequest).where(DatasetRequest.requester_id == user.id)
    ).all()
    flags = db.session.scalars(select(Flag).where(Flag.user_id == user.id)).all()
    data = {
        "submissions": [
            {
                "kind": s.kind,
                "title": s.title,
                "status": s.status,
                "submitted_at": _iso(s.created_at),
                "decided_at": _iso(s.decided_at),
                "decision_note": s.decision_note,
            }
            for s in submissions
        ],
        "dataset_requests": [
            {
                "title": r.title,
                "description": r.description,
                "reason": r.reason,
                "intended_use": r.intended_use,
                "wished_format": r.wished_format,
                "created_at": _iso(r.created_at),
            }
            for r in requests
        ],
        "flags": [
            {"reason": f.reason, "note": f.note, "created_at": _iso(f.created_at)} for f in flags
        ],
    }
    return "contributions", data, []


def _export_hackathons(user):
    from crowdsourcing.hackathon_models import (
        ProposalSupport,
        Score,
        Seeker,
        TeamInvite,
        TeamMember,
    )
    from crowdsourcing.hackathon_queries import proposals_of

    def rows(model, column):
        return db.session.scalars(select(model).where(column == user.id)).all()

    data = {
        "proposals": [
            {
                "hackathon": p.hackathon.slug,
                "title": p.title,
                "pitch": p.pitch,
                "stage": p.stage,
                "created_at": _iso(p.created_at),
            }
            for p in proposals_of(user)
        ],
        "teams": [
            {"team": m.team.name, "role": m.role, "joined_at": _iso(m.joined_at)}
            for m in rows(TeamMember, TeamMember.user_id)
        ],
        "looking_for_a_team": [
            {"hackathon_id": s.hackathon_id, "note": s.note, "created_at": _iso(s.created_at)}
            for s in rows(Seeker, Seeker.user_id)
        ],
        "invitations": [
            {"team": i.team.name, "status": i.status, "created_at": _iso(i.created_at)}
            for i in rows(TeamInvite, TeamInvite.user_id)
        ],
        "supported_proposals": [
            s.proposal_id for s in rows(ProposalSupport, ProposalSupport.user_id)
        ],
        "jury_scores": [
            {"proposal_id": s.proposal_id, "criterion_id": s.criterion_id, "value": s.value}
            for s in rows(Score, Score.juror_id)
        ],
    }
    return "hackathons", data, []


def _erase_hackathons(user):
    """What a person said about themselves goes; teams, proposals and scores stay, credited
    to the anonymised account."""
    from sqlalchemy import delete

    from crowdsourcing.hackathon_models import INVITE_PENDING, Seeker, TeamInvite

    db.session.execute(delete(Seeker).where(Seeker.user_id == user.id))
    db.session.execute(
        delete(TeamInvite).where(TeamInvite.user_id == user.id, TeamInvite.status == INVITE_PENDING)
    )


def register():
    if _export not in privacy.EXPORTERS:
        privacy.register_exporter(_export)
    if _export_hackathons not in privacy.EXPORTERS:
        privacy.register_exporter(_export_hackathons)
    if _erase_hackathons not in privacy.ERASERS:
        privacy.register_eraser(_erase_hackathons)
