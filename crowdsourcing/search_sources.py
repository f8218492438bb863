"""What the pipeline puts in the one search box: catalogue datasets, backlog items (all
public on the transparency page), published dataset requests and app proposals."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crowdsourcing.models import BacklogItem, Dataset, DatasetRequest
from crowdsourcing.services import requests as dataset_requests
from webapp import search
from webapp.extensions import db


def _join(*parts):
    return "\n".join(str(p) for p in parts if p)


def _dataset(dataset_id):
    dataset = db.session.get(Dataset, dataset_id)
    if dataset is None:
        return None
    return search.Document(
        title=dataset.title,
        body=_join(
            dataset.description,
            " ".join(dataset.keywords or []),
            " ".join(dataset.themes or []),
            dataset.publisher,
        ),
        url=f"/catalogue/{dataset.slug}",
    )


def _backlog_item(item_id):
    item = db.session.get(BacklogItem, item_id)
    if item is None:
        return None
    return search.Document(
        title=item.title,
        body=_join(item.description, item.formats),
        url=f"/open-data/#item-{item.id}",
    )


def _request(request_id):
    request = db.session.get(DatasetRequest, request_id)
    if request is None or not dataset_requests.is_public(request):
        return None
    return search.Document(
        title=request.title,
        body=_join(
            request.description, request.reason, request.intended_use, request.wished_format
        ),
        url=f"/requests/{request.id}",
    )


def _proposal(proposal_id):
    from crowdsourcing.hackathon_models import Proposal
    from crowdsourcing.services import proposals

    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not proposals.is_public(proposal):
        return None
    return search.Document(
        title=proposal.title,
        body=_join(proposal.pitch, proposal.problem, proposal.target_users),
        url=f"/hackathons/{proposal.hackathon.slug}/proposals/{proposal.id}",
    )


def _proposal_ids():
    from crowdsourcing.hackathon_models import Proposal

    return list(db.session.scalars(select(Proposal.id).order_by(Proposal.id)))


def _ids(model):
    return lambda: list(db.session.scalars(select(model.id).order_by(model.id)))


SOURCES = (
    search.Source("dataset", _l("Dataset"), _dataset, _ids(Dataset)),
    search.Source("backlog_item", _l("Dataset being opened"), _backlog_item, _ids(BacklogItem)),
    search.Source("dataset_request", _l("Dataset request"), _request, _ids(DatasetRequest)),
    search.Source("proposal", _l("App proposal"), _proposal, _proposal_ids),
)


def register():
    for source in SOURCES:
        search.register_source(source)
