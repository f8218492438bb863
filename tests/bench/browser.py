"""Scenario 2: the inventory map in headless Chromium, with 1,000 and with 1,000,000
features: time from navigation to the first features (or clusters) drawn."""

import time

from tests.bench import common

REPEAT = 7
CHROMIUM = "/usr/bin/chromium"


def _first_draw_ms(base, repeat=REPEAT):
    from playwright.sync_api import sync_playwright

    samples, drawn = [], None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        # Base tiles are not what is measured (and no network here): answer them empty.
        page.route("**/tile.openstreetmap.org/**", lambda route: route.fulfill(status=204))
        for _ in range(repeat + 1):
            start = time.perf_counter()
            page.goto(f"{base}/mapping/inventories/bench", wait_until="commit")
            page.wait_for_selector(".folium-map[data-loaded]", state="attached", timeout=30_000)
            samples.append(time.perf_counter() - start)
            drawn = page.get_attribute(".folium-map", "data-loaded")
        browser.close()
    return samples[1:], drawn


def _measure(size, log):
    env = common.Env("postgis", f"bench_browser_{size}")
    try:
        inventory_id, user_id = common.make_inventory(env)
        log(f"[browser] loading {size:,} features…")
        common.bulk_features(env, inventory_id, user_id, size)
        with common.gunicorn(env) as base:
            return _first_draw_ms(base)
    finally:
        env.drop()


def run(backend, size, log):
    small, small_drawn = _measure(1_000, log)
    large, large_drawn = _measure(size, log)
    small_ms, large_ms = common.median_ms(small), common.median_ms(large)
    ratio = large_ms / small_ms
    return {
        "scenario": f"map page in Chromium (1,000 vs {size:,} features)",
        "measure": f"navigation → first features drawn, median of {REPEAT}; drawn: "
        f"{small_drawn} / {large_drawn}",
        "value": f"{small_ms:.0f} ms / {large_ms:.0f} ms",
        "ratio": ratio,
        "target": "each ≤ 1 s, ratio ≤ 1.5",
        "ok": small_ms <= 1000 and large_ms <= 1000 and ratio <= 1.5,
    }
