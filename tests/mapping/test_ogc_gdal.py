"""GDAL's OGC API – Features driver (what QGIS uses) reads the collections from a live
server, on both backends; a sensitive feature's real position never appears."""

import os
import shutil
import subprocess

import pytest

from tests import backends, factories
from tests.conftest import BACKENDS
from tests.e2e.conftest import (
    FLASK,
    ROOT,
    _drop_database,
    _flask,
    _free_port,
    _stop,
    _wait_until_healthy,
)

pytestmark = pytest.mark.e2e

SECRET_LON, SECRET_LAT = 3.8812345, 43.6123456
TREES = 3
SPECIES = 2


def _seed(database_url, instance):
    """Two open inventories with published features, one of them sensitive."""
    from webapp.extensions import db

    app = backends.make_app(database_url, instance)
    with app.app_context():
        organiser = factories.user(roles=["organiser"])
        author = factories.user()
        trees = factories.inventory(
            organiser, template="trees", moderation_mode="post", slug="arbres"
        )
        species = factories.inventory(organiser, moderation_mode="post", slug="especes")
        factories.inventory(organiser, status="closed", slug="ferme")
        for n in range(TREES):
            factories.feature(
                trees, author, factories.point(3.87 + n / 1000, 43.61), {"species": f"Tilia {n}"}
            )
        factories.feature(species, author, factories.point(3.875, 43.605))
        factories.feature(
            species,
            author,
            factories.point(SECRET_LON, SECRET_LAT),
            {
                "scientific_name": "Emys orbicularis",
                "protection": "protected",
                "observed_on": "2026-05-01",
            },
        )
        db.engine.dispose()


@pytest.fixture(
    scope="module",
    params=[pytest.param(b, marks=pytest.mark.xdist_group(f"ogc-{b}")) for b in BACKENDS],
)
def ogc_server(request, tmp_root, worker_id):
    """A migrated database with two open inventories, served by `flask run`."""
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo (GDAL) is not installed")
    backend = request.param
    database_url = backends.database_url(backend, f"ogc_{worker_id}", tmp_root)
    instance = os.path.join(tmp_root, f"ogc-instance-{backend}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "DATABASE_URL": database_url,
        "FABRIQUE_INSTANCE": instance,
        "FABRIQUE_ENV": "development",
        "SECRET_KEY": "ogc-secret-key",
        "MAIL_BACKEND": "file",
        "UPLOAD_DIR": os.path.join(instance, "uploads"),
        "RATELIMIT_ENABLED": "false",
        "FLASK_DEBUG": "0",
    }
    log_path = os.path.join(tmp_root, f"ogc-server-{backend}.log")
    proc = log = None
    try:
        _flask(["db", "upgrade"], env, "migrations")
        _seed(database_url, instance)
        server_env = {**os.environ, **env}
        server_env.pop("REDIS_URL", None)
        log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(
            [FLASK, "--app", "webapp", "run", "--port", str(port), "--host", "127.0.0.1"],
            env=server_env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_until_healthy(proc, url, log_path)
        yield url
    finally:
        if proc is not None:
            _stop(proc)
        if log is not None:
            log.close()
        _drop_database(backend, database_url)


def ogr(*args):
    result = subprocess.run(
        ["ogrinfo", "-ro", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GDAL_HTTP_TIMEOUT": "20", "CPL_DEBUG": "OFF"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_ogrinfo_lists_the_open_inventories_as_layers(ogc_server):
    out = ogr("-so", f"OAPIF:{ogc_server}/ogc")
    assert "arbres" in out and "especes" in out
    assert "ferme" not in out


def test_ogrinfo_reads_each_collection_with_its_feature_count(ogc_server):
    trees = ogr("-al", "-so", f"OAPIF:{ogc_server}/ogc", "arbres")
    assert f"Feature Count: {TREES}" in trees
    species = ogr("-al", "-so", f"OAPIF:{ogc_server}/ogc/collections/especes")
    assert f"Feature Count: {SPECIES}" in species


def test_ogrinfo_pages_through_every_feature(ogc_server):
    out = ogr("-al", "-oo", "PAGE_SIZE=1", f"OAPIF:{ogc_server}/ogc", "arbres")
    for n in range(TREES):
        assert f"Tilia {n}" in out


def test_a_sensitive_position_appears_nowhere_in_what_gdal_reads(ogc_server):
    out = ogr("-al", f"OAPIF:{ogc_server}/ogc", "especes")
    assert "Emys orbicularis" in out
    for value in (SECRET_LON, SECRET_LAT):
        assert str(value)[:7] not in out
