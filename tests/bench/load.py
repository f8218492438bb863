"""Scenario 3: a mapping party under load: 200 residents adding points at once through the
API (wrk), against gunicorn; afterwards the stored features equal the accepted answers."""

import os
import re
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from tests.bench import common

RESIDENTS = 200
SECONDS = 30
RESULT = re.compile(
    r"RESULT accepted=(\d+) other=(\d+) p95_us=(\d+) p50_us=(\d+) seconds=([\d.]+) errors=(\d+)"
)


def _tokens(env, count):
    from tests import factories
    from webapp.accounts import services as accounts

    with env.app.app_context():
        return [accounts.create_api_token(factories.user(), "load")[1] for _ in range(count)]


def run(backend, size, log):
    env = common.Env("postgis", "bench_load")
    try:
        inventory_id, _user_id = common.make_inventory(env)
        tokens = _tokens(env, RESIDENTS)
        workers = int(os.environ.get("BENCH_WORKERS", "5"))
        with common.gunicorn(env, workers=workers, threads=4) as base:
            log(f"[load] {RESIDENTS} residents for {SECONDS} s against {workers} gunicorn workers…")
            output = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    f"-c{RESIDENTS}",
                    f"-d{SECONDS}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(Path(__file__).with_name("post.lua")),
                    base,
                ],
                env={**os.environ, "TOKENS": ",".join(tokens), "SLUG": "bench"},
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        accepted, other, p95_us, p50_us, seconds, errors = RESULT.search(output).groups()
        accepted, rate = int(accepted), int(accepted) / float(seconds)
        from mapping.models import Feature
        from webapp.extensions import db

        with env.app.app_context():
            stored = db.session.scalar(
                select(func.count(Feature.id)).where(Feature.inventory_id == inventory_id)
            )
        p95 = int(p95_us) / 1000
        return {
            "scenario": f"mapping party under load ({RESIDENTS} residents, {SECONDS} s)",
            "measure": f"accepted/s, p95 latency; stored = accepted ({stored:,} / {accepted:,}); "
            f"{other} refused, {errors} socket errors",
            "value": f"{rate:.0f} /s, p95 {p95:.0f} ms, median {int(p50_us) / 1000:.0f} ms",
            "ratio": None,
            "target": "≥ 300 /s, p95 ≤ 250 ms, stored = accepted",
            "ok": rate >= 300 and p95 <= 250 and stored == accepted,
        }
    finally:
        env.drop()
