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


def register():
    if _export not in privacy.EXPORTERS:
        privacy.register_exporter(_export)
