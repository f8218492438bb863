"""Read-only selects of hackathons and proposals: lists, the showcase, a dataset's apps."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crowdsourcing.hackathon_models import (
    RELEASED,
    Hackathon,
    Proposal,
    ProposalDataset,
    ProposalMissingData,
    Team,
)
from crowdsourcing.models import APPROVED, Submission
from webapp.extensions import db
from webapp.registrations.models import RegistrationList

KIND = "proposal"


def _published():
    return (Submission.kind == KIND) & (Submission.object_id == Proposal.id)


def _public_select():
    return (
        select(Proposal)
        .join(Submission, _published())
        .where(Submission.status == APPROVED, Submission.hidden.is_(False))
        .options(selectinload(Proposal.datasets), selectinload(Proposal.hackathon))
    )


def hackathons():
    """Every hackathon, the coming ones first, then the past ones, most recent first."""
    return db.session.scalars(
        select(Hackathon)
        .join(RegistrationList, RegistrationList.id == Hackathon.registration_list_id)
        .order_by(RegistrationList.starts_at.desc())
    ).all()


def public_proposals(hackathon):
    return db.session.scalars(
        _public_select().where(Proposal.hackathon_id == hackathon.id).order_by(Proposal.title)
    ).all()


def showcase(limit=200):
    """Released apps, approved and not hidden, with their datasets, newest first."""
    return db.session.scalars(
        _public_select()
        .where(Proposal.stage == RELEASED)
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
        .limit(limit)
    ).all()


def apps_of_dataset(dataset_id):
    """Published proposals that use a dataset, released first."""
    rows = db.session.scalars(
        _public_select()
        .join(ProposalDataset, ProposalDataset.proposal_id == Proposal.id)
        .where(ProposalDataset.dataset_id == dataset_id)
        .order_by(Proposal.title)
    ).all()
    return sorted(rows, key=lambda p: p.stage != RELEASED)


def teams(hackathon):
    return db.session.scalars(
        select(Team)
        .where(Team.hackathon_id == hackathon.id)
        .options(selectinload(Team.members), selectinload(Team.skills_sought))
        .order_by(Team.name)
    ).all()


def proposals_of_requests(request_ids):
    """{request_id: proposal} for dataset requests made from a proposal's missing data."""
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(ProposalMissingData.request_id, Proposal)
        .join(Proposal, Proposal.id == ProposalMissingData.proposal_id)
        .where(ProposalMissingData.request_id.in_(request_ids))
    ).all()
    return dict(rows)


def proposals_of(user):
    """Proposals a member wrote (for their data export)."""
    return db.session.scalars(select(Proposal).where(Proposal.author_id == user.id)).all()
