"""Inline jobs record a failure instead of raising: make any such failure fail the test."""

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Job


@pytest.fixture(autouse=True)
def no_failed_jobs(request):
    if "session" not in request.fixturenames or request.node.get_closest_marker("failing_job"):
        yield
        return
    request.getfixturevalue("session")
    yield
    failed = db.session.scalars(select(Job).where(Job.status == "failed")).all()
    assert not failed, "\n".join(f"{job.name}: {job.error}" for job in failed)


@pytest.fixture
def english(app):
    """Messages in English, whatever the default locale (French)."""
    from flask_babel import force_locale

    with app.app_context(), force_locale("en"):
        yield
