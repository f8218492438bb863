"""Scenario 4: the moderation inbox over 1,000,000 pending submissions of mixed kinds:
first and later pages (filters applied) through the app, and a bulk approval of 10,000."""

import re
import time

from tests.bench import common

PAGES = 20
BULK = 10_000
CURSOR = re.compile(r'href="[^"]*after=([^"&]+)')


def _load_requests(env, user_id, count):
    """`count` pending dataset requests (the second kind), by COPY."""
    with (
        common.raw_connection(env) as conn,
        conn.cursor().copy(
            "COPY crowdsourcing_dataset_request (title, description, requester_id, created_at, "
            "updated_at) FROM STDIN"
        ) as copy,
    ):
        for i in range(count):
            copy.write_row(
                (
                    f"Demande {i}",
                    "Des données, s'il vous plaît.",
                    user_id,
                    "2026-05-01T10:00:00+00",
                    "2026-05-01T10:00:00+00",
                )
            )


def _load_submissions(env, inventory_id, user_id):
    """One pending submission per feature and per request, oldest first in id order."""
    with common.raw_connection(env) as conn:
        conn.execute(
            "INSERT INTO crowdsourcing_submission (kind, object_id, title, submitter_id, status, "
            "context, flag_count, hidden, version, created_at, updated_at) "
            "SELECT 'feature', id, 'Élément ' || id, %(user)s, 'pending', %(context)s, 0, false, 1, "
            "timestamp '2026-05-01' + id * interval '1 second', now() FROM mapping_feature",
            {"user": user_id, "context": f"inventory:{inventory_id}"},
        )
        conn.execute(
            "INSERT INTO crowdsourcing_submission (kind, object_id, title, submitter_id, status, "
            "flag_count, hidden, version, created_at, updated_at) "
            "SELECT 'dataset_request', id, title, %(user)s, 'pending', 0, false, 1, "
            "timestamp '2026-05-01' + id * interval '1 second' + interval '2 seconds', now() "
            "FROM crowdsourcing_dataset_request",
            {"user": user_id},
        )
        conn.execute("ANALYZE crowdsourcing_submission")


def _token(env, user_id):
    from webapp.accounts import services as accounts
    from webapp.accounts.models import User
    from webapp.extensions import db

    with env.app.app_context():
        return accounts.create_api_token(db.session.get(User, user_id), "bench")[1]


def _pages(base, token, query):
    """Walk PAGES pages of the inbox following its cursors; return each page's time."""
    headers = {"Authorization": f"Bearer {token}"}
    samples, url = [], f"{base}/moderation/?{query}"
    for _ in range(PAGES):
        start = time.perf_counter()
        status, body = common.get(url, headers)
        samples.append(time.perf_counter() - start)
        assert status == 200, body[:300]
        match = CURSOR.search(body.decode())
        if match is None:
            break
        url = f"{base}/moderation/?{query}&after={match.group(1)}"
    return samples


def run(backend, size, log):
    env = common.Env("postgis", f"bench_inbox_{size}")
    try:
        inventory_id, user_id = common.make_inventory(env)
        features = size * 9 // 10
        log(
            f"[inbox] loading {features:,} features, {size - features:,} requests, {size:,} submissions…"
        )
        common.bulk_features(env, inventory_id, user_id, features)
        _load_requests(env, user_id, size - features)
        _load_submissions(env, inventory_id, user_id)
        token = _token(env, user_id)
        results = []
        with common.gunicorn(env) as base:
            for label, query in (
                ("no filter", "status=pending"),
                (
                    "kind + inventory",
                    f"status=pending&kind=feature&context=inventory:{inventory_id}",
                ),
                ("requests only", "status=pending&kind=dataset_request"),
            ):
                _pages(base, token, query)  # warm
                samples = _pages(base, token, query)
                p95 = common.p95_ms(samples)
                results.append(
                    {
                        "scenario": f"inbox pages ({size:,} pending, {label})",
                        "measure": f"p95 of {len(samples)} consecutive pages through gunicorn",
                        "value": f"p95 {p95:.1f} ms, median {common.median_ms(samples):.1f} ms",
                        "ratio": None,
                        "target": "≤ 50 ms",
                        "ok": p95 <= 50,
                    }
                )
        results.append(_bulk(env, user_id))
        return results
    finally:
        env.drop()


def _bulk(env, user_id):
    from sqlalchemy import select

    from crowdsourcing.models import Submission
    from crowdsourcing.services import moderation
    from webapp.accounts.models import User
    from webapp.extensions import db

    with env.app.app_context():
        actor = db.session.get(User, user_id)
        rows = db.session.execute(
            select(Submission.id, Submission.version)
            .where(Submission.status == "pending", Submission.kind == "feature")
            .order_by(Submission.created_at, Submission.id)
            .limit(BULK)
        ).all()
        start = time.perf_counter()
        done, refused = moderation.bulk_decide(actor, [(r.id, r.version) for r in rows], "approve")
        seconds = time.perf_counter() - start
    return {
        "scenario": f"inbox bulk approve ({BULK:,} selected)",
        "measure": "one call of the bulk decision service",
        "value": f"{seconds:.1f} s ({len(done):,} approved, {len(refused)} refused)",
        "ratio": None,
        "target": "≤ 10 s",
        "ok": seconds <= 10 and len(done) == BULK,
    }
