"""What workshops put in the one search box: workshops past their draft."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp import search
from webapp.extensions import db
from workshops.models import DRAFT, Workshop


def _workshop(workshop_id):
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.status == DRAFT:
        return None
    return search.Document(
        title=workshop.title,
        body="\n".join(
            p for p in (workshop.question, workshop.description, workshop.audience) if p
        ),
        url=f"/workshops/{workshop.slug}",
    )


SOURCE = search.Source(
    "workshop",
    _l("Co-design workshop"),
    _workshop,
    lambda: list(db.session.scalars(select(Workshop.id).order_by(Workshop.id))),
)


def register():
    search.register_source(SOURCE)
