"""Exports stream: rows come from the database in bounded batches and are written as they
come, so memory stays flat at a million features. These tests fail if an export path goes
back to loading every feature into Python (one unbounded query, or a list of all rows
before writing), on both backends."""

import json
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from mapping.io import gpkg, writers
from mapping.services import exports
from tests.mapping import io_support as io
from webapp.extensions import db

FEATURES = 45
BATCH = 10
PIECE = 5


@pytest.fixture
def inventory(session, monkeypatch):
    actor = io.organiser()
    inv = io.biodiversity(actor)
    rows = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(3.80012 + i * 0.001, 5), 43.6012]},
            "properties": {"name": f"Species {i}", "date": "2026-05-01"},
        }
        for i in range(FEATURES)
    ]
    content = json.dumps({"type": "FeatureCollection", "features": rows}).encode()
    record = io.run_import(
        actor,
        inv,
        "obs.geojson",
        content,
        fields={"scientific_name": "name", "observed_on": "date"},
    )
    assert record.accepted == FEATURES
    monkeypatch.setattr(exports, "BATCH", BATCH)
    monkeypatch.setattr(writers, "ROWS_PER_PIECE", PIECE)
    inv.organiser = actor
    return inv


class Reads:
    """Feature rows read from the database and rows written, as the export goes."""

    def __init__(self):
        self.queries = 0  # SELECTs of feature rows sent to the database
        self.pulled = 0  # rows handed over by the database side of the export
        self.written = 0  # rows the writer has output
        self.per_query = Counter()  # rows pulled after each query
        self.in_flight = []  # pulled - written, each time the writer outputs something

    def written_now(self, count):
        self.written = count
        self.in_flight.append(self.pulled - self.written)


@contextmanager
def watched(monkeypatch):
    reads = Reads()

    def before(conn, cursor, statement, parameters, context, executemany):
        text = statement.lstrip().lower()
        if text.startswith("select") and "mapping_feature" in text and "count(" not in text:
            reads.queries += 1

    real_features = exports.features

    def counted_features(*args, **kwargs):
        for row in real_features(*args, **kwargs):
            reads.pulled += 1
            reads.per_query[reads.queries] += 1
            yield row

    def watch_writer(real):
        def writer(inventory, terms, rows):
            text = ""
            for piece in real(inventory, terms, rows):
                text += piece
                reads.written_now(text.count('"type": "Feature"'))
                yield piece

        return writer

    real_add = gpkg.Writer.add

    def add(self, fid, geometry, values):
        real_add(self, fid, geometry, values)
        reads.written_now(reads.written + 1)

    monkeypatch.setattr(exports, "features", counted_features)
    monkeypatch.setitem(exports.WRITERS, "geojson", watch_writer(writers.geojson))
    monkeypatch.setattr(gpkg.Writer, "add", add)
    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _assert_bounded(reads):
    assert reads.pulled == FEATURES and reads.written == FEATURES
    # Each query brings at most one batch: never every row at once.
    assert max(reads.per_query.values()) <= BATCH, reads.per_query
    assert reads.queries >= FEATURES // BATCH + 1
    # The writer keeps up: at most a batch and a piece are held in Python at any time.
    assert max(reads.in_flight) <= BATCH + PIECE, reads.in_flight


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_export_file_reads_and_writes_in_bounded_batches(inventory, fmt, tmp_path, monkeypatch):
    with watched(monkeypatch) as reads:
        written = exports.write_file(inventory, fmt, False, str(tmp_path / f"out.{fmt}"))
    assert written == FEATURES
    _assert_bounded(reads)


def test_streamed_download_reads_the_database_while_it_sends(client, inventory, monkeypatch):
    with watched(monkeypatch) as reads:
        inv, pieces = exports.stream(inventory.organiser, inventory.id, "geojson")
        assert reads.queries == 0  # nothing is read before the body is sent
        body = "".join(pieces)
    assert len(json.loads(body)["features"]) == FEATURES
    _assert_bounded(reads)


def test_streamed_download_through_the_app_is_complete(client, inventory, monkeypatch):
    with watched(monkeypatch) as reads:
        response = client.get(f"/mapping/inventories/{inventory.slug}/export.geojson")
    assert response.status_code == 200
    assert len(json.loads(response.data)["features"]) == FEATURES
    _assert_bounded(reads)
