"""Scenario 1: the features of a ~1,000-feature viewport as GeoJSON through the HTTP API,
against the database alone producing the same document with one SQL statement."""

import json
import math
import random

from tests.bench import common

VIEWPORTS = 15
REPEAT = 5


def _viewports(count, density, rng):
    """Boxes expected to hold about 1,000 features each, at random places in BOX."""
    minlon, minlat, maxlon, maxlat = common.BOX
    area = 1000 / density
    height = math.sqrt(area / 2)
    width = 2 * height
    boxes = []
    for _ in range(VIEWPORTS):
        lon = rng.uniform(minlon, maxlon - width)
        lat = rng.uniform(minlat, maxlat - height)
        boxes.append((lon, lat, lon + width, lat + height))
    return boxes


def _reference_sql(backend):
    """The whole FeatureCollection from the database alone (the yardstick)."""
    if backend == "postgis":
        return (
            "SELECT json_build_object('type','FeatureCollection','features', "
            "coalesce(json_agg(json_build_object('type','Feature','id',id,"
            "'geometry',ST_AsGeoJSON(public_geom)::json,'properties',public_properties) ORDER BY id),"
            " '[]'::json))::text FROM mapping_feature WHERE inventory_id = :inv AND status = 'published'"
            " AND ST_Intersects(public_geom, ST_MakeEnvelope(%(x1)s, %(y1)s, %(x2)s, %(y2)s, 4326))"
        ).replace(":inv", "%(inv)s")
    return (
        "SELECT json_object('type','FeatureCollection','features', json_group_array(json(json_object("
        "'type','Feature','id',id,'geometry',json(AsGeoJSON(public_geom)),'properties',"
        "json(public_properties))))) FROM (SELECT * FROM mapping_feature WHERE inventory_id = :inv "
        "AND status = 'published' AND id IN (SELECT pkid FROM idx_mapping_feature_public_geom WHERE "
        "xmin <= :x2 AND xmax >= :x1 AND ymin <= :y2 AND ymax >= :y1) AND ST_Intersects(public_geom,"
        " BuildMbr(:x1, :y1, :x2, :y2, 4326)) = 1 ORDER BY id)"
    )


def run(backend, size, log):
    env = common.Env(backend, f"bench_viewport_{size}")
    try:
        inventory_id, user_id = common.make_inventory(env)
        log(f"[{backend}] loading {size:,} features…")
        common.bulk_features(env, inventory_id, user_id, size)
        minlon, minlat, maxlon, maxlat = common.BOX
        density = size / ((maxlon - minlon) * (maxlat - minlat))
        boxes = _viewports(VIEWPORTS, density, random.Random(7))
        reference = _reference_sql(backend)
        sql_medians, http_medians, counts = [], [], []
        connection = common.raw_connection(env)

        def document(params):
            return connection.execute(reference, params).fetchone()[0]

        with common.gunicorn(env) as base:
            for box in boxes:
                params = dict(inv=inventory_id, x1=box[0], y1=box[1], x2=box[2], y2=box[3])
                document(params)  # warm
                sql = common.timed(lambda p=params: document(p), REPEAT)
                bbox = ",".join(f"{v:.7f}" for v in box)
                url = f"{base}/api/v1/inventories/bench/features?bbox={bbox}&limit=5000&count=false"
                status, body = common.get(url)
                assert status == 200, body[:300]
                counts.append(len(json.loads(body)["features"]))
                http = common.timed(lambda u=url: common.get(u), REPEAT)
                sql_medians.append(common.median_ms(sql))
                http_medians.append(common.median_ms(http))
        connection.close()
        sql_ms = sorted(sql_medians)[len(sql_medians) // 2]
        http_ms = sorted(http_medians)[len(http_medians) // 2]
        return {
            "scenario": f"viewport ({backend}, {size:,} features)",
            "measure": f"median of {VIEWPORTS} viewports × {REPEAT} runs, ~{sorted(counts)[len(counts) // 2]} features each",
            "value": f"API {http_ms:.1f} ms / SQL alone {sql_ms:.1f} ms",
            "ratio": http_ms / sql_ms,
            "target": "≤ 1.5",
            "ok": http_ms / sql_ms <= 1.5,
        }
    finally:
        env.drop()
