"""Scenario 7: a registration rush. 500 residents, each with their own API token, register
at the same moment for a 30-seat event through the JSON API (the shared registrations)
served by gunicorn. Exactly 30 are confirmed and 470 waitlisted; the figure is the p95
of the 500 answers' latencies, from a real concurrent client (asyncio, one connection per
resident, all requests released together)."""

import asyncio
import os
import time
import urllib.parse

from sqlalchemy import func, select

from tests.bench import common

RESIDENTS = 500
SEATS = 30
TARGET_MS = 250


def _residents(env, count):
    """`count` residents and a personal API token each, made beforehand."""
    from tests import factories
    from webapp.accounts import services as accounts

    with env.app.app_context():
        return [accounts.create_api_token(factories.user(), "rush")[1] for _ in range(count)]


def _event(env):
    from tests import factories

    with env.app.app_context():
        return factories.event(capacity=SEATS, title="Atelier de co-conception").id


async def _register(host, port, path, token, go):
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()
    await go.wait()
    start = time.perf_counter()
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n")
    await reader.read()  # the body, until the server closes
    seconds = time.perf_counter() - start
    writer.close()
    return int(head.split()[1]), seconds


async def _rush(base, event_id, tokens):
    parts = urllib.parse.urlsplit(base)
    path = f"/api/v1/events/{event_id}/registration"
    go = asyncio.Event()
    tasks = [
        asyncio.create_task(_register(parts.hostname, parts.port, path, t, go)) for t in tokens
    ]
    await asyncio.sleep(0.5)  # every connection is open before the start
    go.set()
    return await asyncio.gather(*tasks)


def run(backend, size, log):
    from webapp.extensions import db
    from webapp.registrations.models import CONFIRMED, WAITLISTED, Registration

    env = common.Env("postgis", "bench_rush")
    try:
        log(f"[rush] {RESIDENTS} residents with their own token…")
        tokens = _residents(env, RESIDENTS)
        event_id = _event(env)
        workers = int(os.environ.get("BENCH_WORKERS", "4"))
        with common.gunicorn(env, workers=workers, threads=4) as base:
            common.get(f"{base}/api/v1/events/{event_id}")  # warm one worker
            log(f"[rush] {RESIDENTS} registrations at once for {SEATS} seats…")
            answers = asyncio.run(_rush(base, event_id, tokens))
        with env.app.app_context():
            counts = dict(
                db.session.execute(
                    select(Registration.status, func.count())
                    .where(Registration.list_id == event_id)
                    .group_by(Registration.status)
                ).all()
            )
        created = sum(1 for status, _s in answers if status == 201)
        samples = [seconds for _status, seconds in answers]
        p95 = common.p95_ms(samples)
        confirmed, waitlisted = counts.get(CONFIRMED, 0), counts.get(WAITLISTED, 0)
        return {
            "scenario": f"registration rush ({RESIDENTS} residents, {SEATS} seats, postgis)",
            "measure": f"p95 latency of {RESIDENTS} simultaneous PUTs through gunicorn "
            f"({workers} workers × 4 threads); {created} answered 201; "
            f"{confirmed} confirmed, {waitlisted} waitlisted",
            "value": f"p95 {p95:.0f} ms, median {common.median_ms(samples):.0f} ms, "
            f"max {max(samples) * 1000:.0f} ms",
            "ratio": None,
            "target": f"{SEATS} confirmed, {RESIDENTS - SEATS} waitlisted, p95 ≤ {TARGET_MS} ms",
            "ok": confirmed == SEATS
            and waitlisted == RESIDENTS - SEATS
            and created == RESIDENTS
            and p95 <= TARGET_MS,
        }
    finally:
        env.drop()
