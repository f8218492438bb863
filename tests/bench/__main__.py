"""Run the benchmarks and print a table of medians and ratios.

python -m tests.bench [--size 1000000] [--only viewport,browser,load,inbox,import,export,rush]
                      [--backends postgis,sqlite] [--strict]
"""

import argparse
import platform
import sys
import time
from datetime import UTC, datetime

SCENARIOS = ("viewport", "browser", "load", "inbox", "import", "export", "rush")
# Scenarios whose module name differs from the scenario's (`import` is a Python keyword).
MODULES = {"import": "imports", "export": "exports"}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--size", type=int, default=1_000_000, help="features or submissions")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--backends", default="postgis,sqlite")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]

    def log(message):
        print(message, file=sys.stderr, flush=True)

    results = []
    started = time.monotonic()
    for name in chosen:
        module = __import__(f"tests.bench.{MODULES.get(name, name)}", fromlist=["run"])
        for backend in backends if name == "viewport" else ["postgis"]:
            log(f"== {name} on {backend}")
            results.extend(_as_list(module.run(backend, args.size, log)))
    _print(results, args, time.monotonic() - started)
    # A measurement, not a gate: missed targets are in the table; --strict makes them fail.
    return 1 if args.strict and not all(r["ok"] for r in results) else 0


def _as_list(result):
    return result if isinstance(result, list) else [result]


def _print(results, args, seconds):
    print(
        f"Fabrique benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"size {args.size:,}, {seconds / 60:.1f} min"
    )
    print()
    print("| scenario | measure | result | ratio | target | met |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        ratio = f"{r['ratio']:.2f}" if isinstance(r.get("ratio"), float) else "—"
        print(
            f"| {r['scenario']} | {r['measure']} | {r['value']} | {ratio} | {r['target']} | "
            f"{'yes' if r['ok'] else 'no'} |"
        )


if __name__ == "__main__":
    sys.exit(main())
