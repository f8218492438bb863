"""Helpers for tests under real concurrency: a committing app on a dedicated database, and
threads started together.

Such tests do not use the rolled-back `session` fixture: each thread has its own app context,
hence its own session and connection, and every service commits for real.
"""

import os
import threading

from tests import backends
from webapp.extensions import db


def committing_app(backend, name, tmp_root, **extra):
    """Yield a migrated app on a fresh database of `backend`, dropped afterwards."""
    url = backends.database_url(backend, name, tmp_root)
    app = backends.make_app(url, os.path.join(tmp_root, f"instance-{name}-{backend}"), **extra)
    try:
        with app.app_context():
            backends.upgrade(app)
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        backends.drop_database(backend, url)


def all_at_once(app, work, items, timeout=180):
    """Run work(item) in one thread per item, each with its own app context, started together.

    Returns ({item: result}, [(item, exception)]).
    """
    barrier = threading.Barrier(len(items))
    results, errors = {}, []

    def run(item):
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                results[item] = work(item)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported by the test
            errors.append((item, exc))

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results, errors
