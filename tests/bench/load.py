"""Scenario 3: a mapping party under load: 200 residents adding points at once through the
API, against gunicorn; afterwards the stored features equal the accepted answers.

The client is asyncio, one kept-alive connection per resident, each posting points one
after the other for 30 s. When the time is up no new request is sent, but every request
already sent is waited for: a request the server commits is always counted, so "stored =
accepted" can be checked exactly (`wrk`, used before, stopped with one request in flight
per connection and never saw those answers)."""

import asyncio
import contextlib
import json
import os
import random
import subprocess
import time
import urllib.parse

from sqlalchemy import func, select

from tests.bench import common

RESIDENTS = 200
SECONDS = 30
ANSWER_TIMEOUT = 60  # seconds a single answer may take before it counts as an error


def _tokens(env, count):
    from tests import factories
    from webapp.accounts import services as accounts

    with env.app.app_context():
        return [accounts.create_api_token(factories.user(), "load")[1] for _ in range(count)]


def _body(rng, n):
    lon = 3.80 + rng.random() * 0.15
    lat = 43.55 + rng.random() * 0.10
    return json.dumps(
        {
            "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
            "properties": {
                "scientific_name": "Passer domesticus",
                "observed_on": "2026-05-01",
                "count": n % 20 + 1,
            },
        }
    ).encode()


async def _answer(reader):
    """(status, keep the connection) of one HTTP/1.1 answer, its body read whole."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, headers.get("connection", "").lower() != "close"


async def _resident(host, port, path, token, seed, deadline, results):
    rng = random.Random(seed)
    reader = writer = None
    n = 0
    while time.monotonic() < deadline:
        n += 1
        body = _body(rng, n)
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            status, keep = await asyncio.wait_for(_answer(reader), ANSWER_TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            results.append((None, time.perf_counter() - start))
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        results.append((status, time.perf_counter() - start))
        if not keep:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _party(base, tokens):
    parts = urllib.parse.urlsplit(base)
    path = "/api/v1/inventories/bench/features"
    results = []
    start = time.monotonic()
    deadline = start + SECONDS
    await asyncio.gather(
        *(
            _resident(parts.hostname, parts.port, path, token, i, deadline, results)
            for i, token in enumerate(tokens)
        )
    )
    return results, time.monotonic() - start


@contextlib.contextmanager
def _rq_worker(env):
    """As in production: jobs (the duplicate check of each point) go through Redis to one
    `flask worker`, not inline in the web request. Yields the extra environment."""
    from redis import Redis
    from rq import Queue

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    extra = {"REDIS_URL": redis_url, "RQ_QUEUE": f"bench-load-{os.getpid()}"}
    worker_env = {
        **os.environ,
        "DATABASE_URL": env.url,
        "FABRIQUE_INSTANCE": env.instance,
        "SECRET_KEY": "bench-secret",
        "MAIL_BACKEND": "file",
        **extra,
    }
    proc = subprocess.Popen(
        [str(common.BIN / "flask"), "--app", "webapp", "worker"],
        cwd=common.ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield extra
    finally:
        common.stop(proc)
        Queue(extra["RQ_QUEUE"], connection=Redis.from_url(redis_url)).delete(delete_jobs=True)


def run(backend, size, log):
    env = common.Env("postgis", "bench_load")
    try:
        inventory_id, _user_id = common.make_inventory(env)
        tokens = _tokens(env, RESIDENTS)
        workers = int(os.environ.get("BENCH_WORKERS", "5"))
        with (
            _rq_worker(env) as extra,
            common.gunicorn(env, workers=workers, threads=4, extra_env=extra) as base,
        ):
            log(
                f"[load] {RESIDENTS} residents for {SECONDS} s against {workers} gunicorn "
                "workers, jobs through Redis to one worker…"
            )
            results, seconds = asyncio.run(_party(base, tokens))
        accepted = sum(1 for status, _s in results if status == 201)
        errors = sum(1 for status, _s in results if status is None)
        other = len(results) - accepted - errors
        samples = [s for status, s in results if status == 201] or [0.0]
        from mapping.models import Feature
        from webapp.extensions import db

        with env.app.app_context():
            stored = db.session.scalar(
                select(func.count(Feature.id)).where(Feature.inventory_id == inventory_id)
            )
        rate, p95 = accepted / seconds, common.p95_ms(samples)
        return {
            "scenario": f"mapping party under load ({RESIDENTS} residents, {SECONDS} s)",
            "measure": f"accepted/s over {seconds:.1f} s (last answers awaited), p95 latency; "
            f"stored {stored:,} / accepted {accepted:,}; {other} refused, {errors} errors",
            "value": f"{rate:.0f} /s, p95 {p95:.0f} ms, median {common.median_ms(samples):.0f} ms",
            "ratio": None,
            "target": "≥ 300 /s, p95 ≤ 250 ms, stored = accepted",
            "ok": rate >= 300 and p95 <= 250 and stored == accepted,
        }
    finally:
        env.drop()
