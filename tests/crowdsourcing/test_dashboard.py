"""The moderators' dashboard: counts by kind and status, median time to decision, oldest
pending items, the backlog by status and department, weekly trends; page, API, permissions."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from crowdsourcing import stats
from crowdsourcing.models import BacklogItem, Submission
from tests import factories
from tests.crowdsourcing import dataset_request, fr
from webapp.db import unit_of_work
from webapp.extensions import db

# A Wednesday noon: its ISO week starts on Monday 2024-03-11.
NOW = datetime(2024, 3, 13, 12, 0, tzinfo=UTC)


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


def as_user(client, user):
    other = client.application.test_client()
    factories.login(other, user.email)
    return other


def submission(title=None, created_at=None, status=None, decided_at=None, kind=None):
    """A dataset request's submission with its columns set directly."""
    _request, row = dataset_request(title=title)
    values = {"created_at": created_at or NOW}
    if status:
        values["status"] = status
    if decided_at:
        values["decided_at"] = decided_at
    if kind:
        values["kind"] = kind
    db.session.execute(update(Submission).where(Submission.id == row.id).values(**values))
    db.session.expire_all()
    return db.session.get(Submission, row.id)


def backlog_item(status, department=None):
    with unit_of_work():
        item = BacklogItem(
            title=f"Jeu {status}",
            status=status,
            department_id=department.id if department else None,
        )
        db.session.add(item)
    return item


def test_counts_group_submissions_by_kind_and_status(session):
    submission()
    submission()
    submission(status="approved", decided_at=NOW)
    submission(status="rejected", decided_at=NOW)
    submission(kind="map_feature")
    assert stats.counts_by_kind_and_status() == {
        "dataset_request": {"pending": 2, "approved": 1, "rejected": 1},
        "map_feature": {"pending": 1},
    }


def test_median_time_to_decision_is_over_decided_submissions_of_the_period(session):
    for hours in (1, 3, 10, 20):
        created = NOW - timedelta(days=2)
        submission(
            status="approved", created_at=created, decided_at=created + timedelta(hours=hours)
        )
    # Pending items and decisions older than the period do not count.
    submission(created_at=NOW - timedelta(days=30))
    old = NOW - timedelta(weeks=20)
    submission(status="rejected", created_at=old, decided_at=old + timedelta(days=9))

    result = stats.dashboard(now=NOW)["decision"]
    assert result == {"decided": 4, "median_seconds": int(6.5 * 3600)}


def test_median_time_to_decision_is_none_without_decisions(session):
    submission()
    assert stats.dashboard(now=NOW)["decision"] == {"decided": 0, "median_seconds": None}


def test_oldest_pending_are_the_ten_oldest_pending_oldest_first(session):
    rows = [submission(f"Demande {n:02d}", NOW - timedelta(days=n)) for n in range(1, 13)]
    submission("Décidée très ancienne", NOW - timedelta(days=99), "approved", NOW)
    oldest = stats.oldest_pending()
    assert [s.id for s in oldest] == [s.id for s in reversed(rows)][:10]


def test_backlog_is_counted_by_status_and_by_department(session):
    parks, roads = factories.department(), factories.department()
    for status, department in [
        ("proposed", parks),
        ("proposed", parks),
        ("negotiating", roads),
        ("published", parks),
        ("declined", None),
    ]:
        backlog_item(status, department)
    by_status = stats.backlog_by_status()
    assert by_status == {
        "proposed": 2,
        "qualified": 0,
        "negotiating": 1,
        "preparing": 0,
        "published": 1,
        "declined": 1,
        "postponed": 0,
    }
    assert stats.backlog_by_department() == [(parks, 3), (roads, 1), (None, 1)]


def test_weeks_put_each_item_in_its_iso_week_and_leave_out_older_ones(session):
    monday = datetime(2024, 3, 11, tzinfo=UTC)
    submission(created_at=monday)  # the first instant of this week
    submission(created_at=monday - timedelta(seconds=1))  # last Sunday: the week before
    submission(
        created_at=monday - timedelta(weeks=3),
        status="approved",
        decided_at=monday + timedelta(hours=2),
    )
    submission(created_at=monday - timedelta(weeks=12))  # before the 12 weeks shown

    weeks = stats.weekly(NOW)
    assert len(weeks) == 12
    assert weeks[-1]["week"] == "2024-W11" and weeks[-1]["start"] == monday
    assert weeks[0]["week"] == "2023-W52"
    by_week = {w["week"]: (w["submitted"], w["decided"]) for w in weeks}
    assert by_week["2024-W11"] == (1, 1)
    assert by_week["2024-W10"] == (1, 0)
    assert by_week["2024-W08"] == (1, 0)
    assert sum(s for s, _d in by_week.values()) == 3


def test_the_page_shows_the_figures_charts_and_tables_to_moderators(client, moderator):
    submission("La plus ancienne", datetime.now(UTC) - timedelta(days=5))
    backlog_item("qualified")
    response = as_user(client, moderator).get("/moderation/dashboard")
    assert response.status_code == 200
    page = response.text
    assert 'data-testid="count-dataset_request-pending">1<' in page
    assert "La plus ancienne" in page
    assert 'data-testid="backlog-qualified">1<' in page
    assert page.count('role="img"') == 2 and "<title id=" in page
    assert fr("Contributions per week (weeks start on Monday)") in page
    assert "style=" not in page.split("<main", 1)[1]
    assert 'href="/moderation/dashboard"' in as_user(client, moderator).get("/moderation/").text


def test_the_api_answers_the_same_figures(client, moderator):
    submission("En attente", datetime.now(UTC))
    backlog_item("proposed", factories.department(slug="voirie"))
    body = as_user(client, moderator).get("/api/v1/moderation/dashboard").json
    assert {"kind": "dataset_request", "status": "pending", "count": 1} in body["counts"]
    assert body["oldest_pending"][0]["title"] == "En attente"
    assert {"status": "proposed", "count": 1} in body["backlog_by_status"]
    assert body["backlog_by_department"] == [{"department": "voirie", "count": 1}]
    assert len(body["weeks"]) == 12 and body["weeks"][-1]["submitted"] == 1
    assert body["decision"] == {"decided": 0, "median_seconds": None}


@pytest.mark.parametrize("path", ["/moderation/dashboard", "/api/v1/moderation/dashboard"])
def test_residents_get_403_on_the_dashboard(client, session, path):
    resident = factories.user()
    assert as_user(client, resident).get(path).status_code == 403


def test_the_openapi_document_describes_the_dashboard(client):
    spec = client.get("/api/v1/openapi.json").json
    get = spec["paths"]["/api/v1/moderation/dashboard"]["get"]
    assert {"200", "401", "403"} <= set(get["responses"])
    schema = spec["components"]["schemas"]["Dashboard"]
    assert {"counts", "decision", "oldest_pending", "backlog_by_status", "weeks"} <= set(
        schema["properties"]
    )
