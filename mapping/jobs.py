"""Entry points for background jobs of the mapping package: take ids, reload, safe twice."""

from webapp import jobs as kernel_jobs
from webapp.jobs import enqueue_after_commit  # noqa: F401  (re-exported for services)


@kernel_jobs.job
def make_thumbnail(photo_id):
    from mapping.services import photos

    return {"thumbnail": photos.make_thumbnail(photo_id)}


@kernel_jobs.job
def find_duplicates(feature_id):
    from mapping.services import duplicates

    return {"hints": duplicates.find(feature_id)}


@kernel_jobs.job
def recompute_visibility(inventory_id):
    from mapping.models import Inventory
    from mapping.services import visibility
    from webapp.db import unit_of_work
    from webapp.extensions import db

    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None:
        return {"features": 0}
    with unit_of_work():
        count = visibility.recompute(inventory)
    return {"features": count}


@kernel_jobs.job
def run_import(import_id):
    from mapping.services import imports

    return imports.run(import_id)


@kernel_jobs.job
def build_export(inventory_id, fmt, exact, signature):
    from mapping.services import exports

    return exports.build(inventory_id, fmt, exact, signature)
