"""Scenario 6: 1,000,000 features exported to GeoJSON and to GeoPackage by the export code
(`flask export-inventory`, the same `write_file` the export job runs), each in its own
process whose peak memory is read from the kernel's accounting (wait4's ru_maxrss); the
files are then read back by `ogrinfo`.

The reference is the same command exporting an empty inventory in the same run: what the
application costs in memory before it exports anything."""

import os
import re
import subprocess
import time

from tests.bench import common

LIMIT_MB = 300
COUNT = re.compile(r"Feature Count: (\d+)")


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
    """Run the export in a child process; return (seconds, peak RSS in MB, its output)."""
    command = [str(common.BIN / "flask"), "--app", "webapp", "export-inventory", slug]
    command += ["--format", fmt, "--output", path]
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=common.ROOT,
        env=_flask_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux), not the bench's.
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    output = proc.stdout.read().decode() + proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"export-inventory failed: {output[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, output


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
                    "measure": f"peak RSS of the exporting process (wait4) / same command on an "
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
