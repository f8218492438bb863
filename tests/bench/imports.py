"""Scenario 5: a 100,000-feature GeoJSON imported into an inventory by the import job (the
real path: upload, mapping, job), against `ogr2ogr` loading the same file into a PostGIS
table in the same run."""

import json
import os
import random
import statistics
import subprocess
import time

from tests.bench import common

RUNS = 3
MAX_FEATURES = 100_000


def write_geojson(path, count, seed=5):
    """`count` observations spread over the box, written as a GeoJSON FeatureCollection."""
    rng = random.Random(seed)
    minlon, minlat, maxlon, maxlat = common.BOX
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(count):
            # Six decimals written, as GPS exports do (the import refuses fewer than three).
            lon, lat = _six_decimals(rng, minlon, maxlon), _six_decimals(rng, minlat, maxlat)
            feature = {
                "type": "Feature",
                "id": i + 1,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "scientific_name": f"Species {i % 500}",
                    "count": 1 + i % 7,
                    "observed_on": "2026-05-01",
                },
            }
            handle.write(("," if i else "") + json.dumps(feature) + "\n")
        handle.write("]}\n")


def _six_decimals(rng, low, high):
    while True:
        value = float(f"{rng.uniform(low, high):.6f}")
        if len(repr(value).split(".")[1]) >= 4:
            return value


def _import_once(env, inventory_id, user_id, path):
    """Upload, map and run the import job; return (seconds of the job, accepted, rejected)."""
    from mapping.services import imports
    from webapp.accounts.models import User
    from webapp.extensions import db
    from webapp.models import Job

    with env.app.app_context():
        actor = db.session.get(User, user_id)
        with open(path, "rb") as handle:
            record = imports.upload(actor, inventory_id, "observations.geojson", handle.read())
        choices = {"fields": record.options["fields"], "crs": "auto", "id_column": ""}
        start = time.perf_counter()
        record = imports.start(actor, record.id, choices)  # jobs run inline: start runs the job
        seconds = time.perf_counter() - start
        job = db.session.get(Job, record.job_id)
        db.session.refresh(record)
        assert job.status == "finished", job.error
        return seconds, record.accepted, record.rejected


def _ogr2ogr_once(env, path, table):
    from sqlalchemy.engine import make_url

    name = make_url(env.url).database
    start = time.perf_counter()
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            f"PG:dbname={name} host={common.backends.PG_SOCKET} user=root",
            path,
            "-nln",
            table,
            "-lco",
            "GEOMETRY_NAME=geom",
            "-overwrite",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PG_USE_COPY": "YES"},
    )
    return time.perf_counter() - start


def run(backend, size, log):
    count = min(size, MAX_FEATURES)
    env = common.Env("postgis", f"bench_import_{count}")
    try:
        path = os.path.join(env.tmp, "observations.geojson")
        write_geojson(path, count)
        log(f"[import] {count:,} features, {os.path.getsize(path) / 1e6:.1f} MB; {RUNS} runs each…")
        ours, ogr, outcome = [], [], None
        for i in range(RUNS):
            inventory_id, user_id = common.make_inventory(env, slug=f"import-{i}")
            seconds, accepted, rejected = _import_once(env, inventory_id, user_id, path)
            ours.append(seconds)
            outcome = (accepted, rejected)
            ogr.append(_ogr2ogr_once(env, path, f"ogr_reference_{i}"))
            log(f"[import] run {i + 1}: job {seconds:.2f} s, ogr2ogr {ogr[-1]:.2f} s")
        ours_s, ogr_s = statistics.median(ours), statistics.median(ogr)
        rate, ogr_rate = count / ours_s, count / ogr_s
        ratio = rate / ogr_rate
        accepted, rejected = outcome
        return {
            "scenario": f"import ({count:,}-feature GeoJSON, postgis)",
            "measure": f"import job vs ogr2ogr into PostGIS, median of {RUNS}; "
            f"{accepted:,} accepted, {rejected} refused",
            "value": f"{rate:,.0f} features/s ({ours_s:.1f} s) / ogr2ogr {ogr_rate:,.0f} /s "
            f"({ogr_s:.1f} s)",
            "ratio": ratio,
            "target": "≥ 10,000 /s and ≥ 0.5 × ogr2ogr",
            "ok": rate >= 10_000 and ratio >= 0.5 and accepted == count,
        }
    finally:
        env.drop()
