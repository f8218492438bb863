"""Scenario 6: 1,000,000 features exported to GeoJSON and to GeoPackage by the export code
(`flask export-inventory`, the same `write_file` the export job runs), each in its own
process whose peak memory is read from the kernel's accounting by GNU time (`%M`, the
maximum resident set size); the files are then read back by `ogrinfo`.

The reference is the same command exporting an empty inventory in the same run: what the
application costs in memory before it exports anything."""

import os
import re
import subprocess
import time

from tests.bench import common

LIMIT_MB = 300
COUNT = re.compile(r"Feature Count: (\d+)")
MAXRSS = re.compile(r"MAXRSS_KB (\d+)")


def _flask_env(env):
    return {
        **os.environ,
        "DATABASE_URL": env.url,
        "FABRIQUE_INSTANCE": env.instance,
        "FABRIQUE_ENV": "development",
        "SECRET_KEY": "bench-secret",
        "MAIL_BACKEND": "file",
    }


def measured_export(env, slug, fmt, path):
    """Run the export in a child process; return (seconds, peak RSS in MB, its output).

    GNU time runs the command and reports its peak RSS. Reading wait4's ru_maxrss of a
    child spawned straight from this process would be wrong: Linux carries the parent's
    high-water mark over the exec, and this process holds the bulk load's memory."""
    command = ["/usr/bin/time", "-f", "MAXRSS_KB %M", str(common.BIN / "flask"), "--app"]
    command += ["webapp", "export-inventory", slug, "--format", fmt, "--output", path]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=common.ROOT, env=_flask_env(env), capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"export-inventory failed: {(done.stdout + done.stderr)[-2000:]}")
    peak_kb = int(MAXRSS.search(done.stderr).group(1))
    return seconds, peak_kb / 1024, done.stdout


def ogr_count(path):
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", path], capture_output=True, text=True, check=True
    ).stdout
    match = COUNT.search(info)
    return int(match.group(1)) if match else None


def run(backend, size, log):
    env = common.Env("postgis", f"bench_export_{size}")
    try:
        inventory_id, user_id = common.make_inventory(env)
        common.make_inventory(env, slug="empty")
        log(f"[export] loading {size:,} features…")
        common.bulk_features(env, inventory_id, user_id, size)
        results = []
        for fmt in ("geojson", "gpkg"):
            empty = os.path.join(env.tmp, f"empty.{fmt}")
            _s, reference_mb, _out = measured_export(env, "empty", fmt, empty)
            path = os.path.join(env.tmp, f"bench.{fmt}")
            log(f"[export] {fmt}: writing {size:,} features…")
            seconds, peak_mb, _out = measured_export(env, "bench", fmt, path)
            log(f"[export] {fmt}: {seconds:.1f} s, peak {peak_mb:.0f} MB; ogrinfo…")
            counted = ogr_count(path)
            file_mb = os.path.getsize(path) / 1e6
            results.append(
                {
                    "scenario": f"export {fmt} ({size:,} features, postgis)",
                    "measure": f"peak RSS of the exporting process (GNU time) / same command on an "
                    f"empty inventory; ogrinfo counts {counted:,}; {file_mb:,.0f} MB file",
                    "value": f"{peak_mb:.0f} MB / {reference_mb:.0f} MB, {seconds:.1f} s "
                    f"({size / seconds:,.0f} features/s)",
                    "ratio": peak_mb / reference_mb,
                    "target": f"≤ {LIMIT_MB} MB, ogrinfo reads every feature",
                    "ok": peak_mb <= LIMIT_MB and counted == size,
                }
            )
        return results
    finally:
        env.drop()
