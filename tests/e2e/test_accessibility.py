"""Accessibility of every page: axe-core finds no serious or critical violation, and
nothing scrolls sideways on a phone. Every GET endpoint of the app's URL map must be in
PAGES or declared in NOT_PAGES (downloads, JSON, static files).

axe-core is vendored (tests/e2e/vendor/axe.min.js). It is injected as an inline script,
which the pages' Content-Security-Policy (script-src 'self') forbids, so these contexts
bypass the CSP; the account tests keep it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
PHONE = {"width": 375, "height": 740}
ADMIN = "admin@example.org"
RESIDENT = "habitant@example.org"
ORGANISER = "organisatrice@example.org"
MODERATOR = "moderateur@example.org"
STEWARD = "referente.verts@example.org"
RESIDENT_2 = "habitante@example.org"
PARTICIPANT = "alex.participant@example.org"  # in a team of both demo hackathons


@dataclass(frozen=True)
class Page:
    path: str
    user: str | None = None
    status: int = 200
    ready: str | None = None  # a selector present once scripts have rendered the page
    submit_empty_form: bool = False  # show the form's error state
    axe_exclude: tuple = ()  # selectors of third-party widgets left out of the axe run
    upload: tuple | None = None  # (file name, bytes) sent with the page's form first
    reaches: str | None = None  # the endpoint the upload leads to, checked instead


# A small file to import, so that the import's detail page exists (inside the demo's area).
IMPORT_FILE = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [3.8755, 43.6080]},
                "properties": {"nom": "Croix de la place", "type": "calvaire"},
            }
        ],
    }
).encode()

PAGES = {
    "home": Page("/"),
    "login": Page("/login"),
    "signup": Page("/signup"),
    "signup-with-errors": Page("/signup", status=422, submit_empty_form=True),
    "forgot-password": Page("/password/forgot"),
    "events": Page("/events/"),
    "event-detail": Page("/events/1"),
    # Swagger UI (vendored) has violations of its own that a template or stylesheet cannot
    # fix (buttons nested in its operation summaries, white on light badges): the page
    # around it is checked, the widget is not.
    "api-docs": Page("/api/v1/docs", ready="#swagger-ui .info", axe_exclude=("#swagger-ui",)),
    "not-found": Page("/this-page-does-not-exist", status=404),
    "account": Page("/account", user=RESIDENT),
    "notifications": Page("/notifications/", user=RESIDENT),
    "admin-users": Page("/admin/users", user=ADMIN),
    "admin-settings": Page("/admin/settings", user=ADMIN),
    "admin-departments": Page("/admin/departments", user=ADMIN),
    "event-attendees": Page("/events/1/attendees", user=ORGANISER),
    "people": Page("/people/", user=RESIDENT),
    "person": Page("/people/2", user=RESIDENT),
    "my-profile": Page("/account/profile", user=ORGANISER),
    "my-data": Page("/account/data/", user=RESIDENT),
    "admin-skills": Page("/admin/skills", user=ADMIN),
    "admin-privacy": Page("/admin/privacy", user=ADMIN),
    "moderation-inbox": Page("/moderation/", user=MODERATOR),
    "moderation-summary": Page("/moderation/summary", user=MODERATOR),
    "moderation-dashboard": Page("/moderation/dashboard", user=MODERATOR),
    "moderation-log": Page("/moderation/log", user=MODERATOR),
    "moderation-reasons": Page("/moderation/reasons", user=ADMIN),
    "moderation-settings": Page("/moderation/settings", user=ADMIN),
    "dataset-requests": Page("/requests/"),
    "requests-new": Page("/requests/new", user=RESIDENT),
    "requests-new-with-errors": Page(
        "/requests/new", user=RESIDENT, status=422, submit_empty_form=True
    ),
    "my-contributions": Page("/my/contributions", user=RESIDENT),
    "moderation-item-routing": Page("/moderation/1", user=MODERATOR),
    "backlog-list": Page("/backlog/", user=MODERATOR),
    "backlog-board": Page("/backlog/board", user=MODERATOR),
    "backlog-item": Page("/backlog/1", user=STEWARD),
    "open-data": Page("/open-data/"),
    "catalogue": Page("/catalogue/"),
    "catalogue-dataset": Page("/catalogue/statistiques-de-la-fourriere"),
    "catalogue-dataset-comments": Page("/catalogue/statistiques-de-la-fourriere", user=RESIDENT),
    "catalogue-import": Page("/catalogue/import", user=MODERATOR),
    # Inventories (mapping/demo.py): petit-patrimoine is post-moderated, its features 2 to 4
    # are published.
    "mapping-list": Page("/mapping/"),
    "mapping-inventory": Page(
        "/mapping/inventories/petit-patrimoine", ready=".folium-map[data-loaded]"
    ),
    "mapping-contribute": Page(
        "/mapping/inventories/petit-patrimoine/contribute",
        user=RESIDENT,
        ready=".leaflet-container",
    ),
    "mapping-contribute-with-errors": Page(
        "/mapping/inventories/petit-patrimoine/contribute",
        user=RESIDENT,
        status=422,
        submit_empty_form=True,
    ),
    "mapping-feature": Page("/mapping/features/2", ready=".leaflet-container"),
    "mapping-feature-member": Page("/mapping/features/2", user=RESIDENT),
    "mapping-history": Page("/mapping/features/2/history", user=MODERATOR),
    "mapping-new-inventory": Page(
        "/mapping/inventories/new?template=heritage", user=ORGANISER, ready="#schema-fields"
    ),
    "mapping-parties": Page("/mapping/parties/"),
    "mapping-party": Page("/mapping/parties/cartopartie-arbres-ecusson", ready="[data-cells]"),
    "mapping-party-resident": Page("/mapping/parties/cartopartie-arbres-ecusson", user=RESIDENT),
    "mapping-party-live": Page(
        "/mapping/parties/cartopartie-arbres-ecusson/live", ready="[data-features]"
    ),
    "mapping-party-summary": Page("/mapping/parties/cartopartie-arbres-peyrou/summary"),
    "mapping-party-new": Page("/mapping/parties/new", user=ORGANISER),
    "mapping-party-new-with-errors": Page(
        "/mapping/parties/new", user=ORGANISER, status=422, submit_empty_form=True
    ),
    "mapping-party-cells": Page(
        "/mapping/parties/cartopartie-arbres-ecusson/tasks", user=ORGANISER
    ),
    "workshops": Page("/workshops/"),
    "workshop": Page("/workshops/ilots-de-fraicheur"),
    "workshop-session-with-map": Page("/workshops/sessions/1", ready=".leaflet-container"),
    "workshop-session-full": Page("/workshops/sessions/2", user=RESIDENT),
    "workshop-ideas": Page("/workshops/ilots-de-fraicheur/ideas", user=RESIDENT),
    "workshop-idea": Page("/workshops/ilots-de-fraicheur/ideas/2", user=RESIDENT),
    "workshop-idea-new": Page(
        "/workshops/ilots-de-fraicheur/ideas/new", user=RESIDENT, ready=".leaflet-container"
    ),
    "workshop-idea-new-with-errors": Page(
        "/workshops/ilots-de-fraicheur/ideas/new", user=RESIDENT, status=422, submit_empty_form=True
    ),
    "workshop-requirements": Page("/workshops/ilots-de-fraicheur/requirements"),
    "workshop-requirements-print": Page("/workshops/ilots-de-fraicheur/requirements/print"),
    "workshop-synthesis": Page("/workshops/ilots-de-fraicheur/synthesis", user=ORGANISER),
    "workshop-manage": Page("/workshops/manage", user=ORGANISER),
    "workshop-new": Page("/workshops/new", user=ORGANISER),
    "workshop-edit": Page("/workshops/ilots-de-fraicheur/edit", user=ORGANISER),
    "workshop-session-edit": Page("/workshops/sessions/2/edit", user=ORGANISER),
    "workshop-registration-answers": Page(
        "/workshops/ilots-de-fraicheur/registration-answers", user=ORGANISER
    ),
    "hackathons": Page("/hackathons/"),
    "hackathon": Page("/hackathons/hackathon-climat-et-donnees-ouvertes"),
    "hackathon-participant": Page("/hackathons/hackathon-mobilite-2025", user=RESIDENT),
    "hackathon-imported": Page("/hackathons/multilingual-media"),
    "hackathon-ranking": Page("/hackathons/hackathon-mobilite-2025/ranking"),
    "hackathon-manage": Page(
        "/hackathons/hackathon-climat-et-donnees-ouvertes/manage", user=ORGANISER
    ),
    "hackathon-new-with-errors": Page(
        "/hackathons/new", user=ORGANISER, status=422, submit_empty_form=True
    ),
    "hackathon-team": Page("/hackathons/hackathon-climat-et-donnees-ouvertes/teams/1"),
    "hackathon-jury": Page("/hackathons/hackathon-mobilite-2025/jury", user=ADMIN),
    "hackathon-proposal": Page("/hackathons/hackathon-mobilite-2025/proposals/1"),
    "showcase": Page("/showcase/"),
    # Pages reached from e-mails, forms of the second rank and organisers' pages.
    "search": Page("/search?q=arbre"),
    "accessibility-statement": Page("/accessibilite"),
    "resend-confirmation": Page("/confirm"),
    "confirm-email-bad-link": Page("/confirm/not-a-token"),  # lands on /confirm with a message
    "reset-password": Page("/password/reset/not-a-token"),
    "admin-edit-user": Page("/admin/users/5", user=ADMIN),
    "moderation-reason-edit": Page("/moderation/reasons/1", user=ADMIN),
    "request-detail": Page("/requests/1"),
    "request-edit": Page("/requests/4/edit", user=RESIDENT_2),
    "submission-flag": Page("/submissions/2/flag", user=RESIDENT),
    "proposal-new": Page(
        "/hackathons/hackathon-climat-et-donnees-ouvertes/proposals/new", user=PARTICIPANT
    ),
    "proposal-edit": Page("/hackathons/hackathon-mobilite-2025/proposals/1/edit", user=PARTICIPANT),
    "team-new": Page("/hackathons/hackathon-climat-et-donnees-ouvertes/teams/new", user=RESIDENT),
    "mapping-inventory-edit": Page(
        "/mapping/inventories/petit-patrimoine/edit", user=ORGANISER, ready="#schema-fields"
    ),
    "mapping-feature-edit": Page(
        "/mapping/features/2/edit", user=MODERATOR, ready=".leaflet-container"
    ),
    "mapping-feature-remove": Page("/mapping/features/2/remove", user=MODERATOR),
    "mapping-party-edit": Page("/mapping/parties/cartopartie-arbres-ecusson/edit", user=ORGANISER),
    "mapping-party-validators": Page(
        "/mapping/parties/cartopartie-arbres-ecusson/validators", user=ORGANISER
    ),
    "mapping-imports": Page("/mapping/inventories/petit-patrimoine/imports", user=ORGANISER),
    "mapping-import-detail": Page(
        "/mapping/inventories/petit-patrimoine/imports",
        user=ORGANISER,
        upload=("calvaires.geojson", IMPORT_FILE),
        reaches="mapping_io.import_detail",
    ),
    "mapping-export": Page("/mapping/inventories/petit-patrimoine/export"),
    "workshop-idea-dataset-request": Page(
        "/workshops/ilots-de-fraicheur/ideas/2/dataset-request", user=ORGANISER
    ),
    "workshop-session-new": Page("/workshops/ilots-de-fraicheur/sessions/new", user=ORGANISER),
    "workshop-my-answers": Page("/workshops/ilots-de-fraicheur/my-answers", user=RESIDENT),
    "workshop-requirement-new": Page(
        "/workshops/ilots-de-fraicheur/requirements/new", user=ORGANISER
    ),
    "workshop-requirement-edit": Page(
        "/workshops/ilots-de-fraicheur/requirements/1/edit", user=ORGANISER
    ),
}

# GET endpoints that are not HTML pages, each with the reason; every other GET endpoint of the
# app must be reached by a path in PAGES (test_every_html_page_is_checked). The JSON API and
# the OGC API (/api/…, /ogc/…) are left out as a whole, except the API's documentation page.
NOT_PAGES = {
    "static": "static files",
    "workshops.static": "static files",
    "web.healthz": "JSON health check",
    "web.security_txt": "plain-text file for security researchers (RFC 9116)",
    "web.uploaded_file": "uploaded files (logo)",
    "profiles.avatar": "image",
    "mapping.photo": "image",
    "mapping.photo_thumb": "image",
    "crowdsourcing.screenshot": "image",
    "workshops.idea_photo": "image",
    "workshops.material": "download of a session's material",
    "privacy.download": "zip download",
    "registrations.calendar": "iCalendar download",
    "crowdsourcing.hackathon_calendar": "iCalendar download",
    "mapping_parties.calendar": "iCalendar download",
    "workshops.calendar": "iCalendar download",
    "registrations.attendees_csv": "CSV download",
    "crowdsourcing.backlog_export": "CSV download",
    "crowdsourcing.catalogue_import_report": "CSV download",
    "mapping_io.import_report": "CSV download",
    "workshops.registration_answers_csv": "CSV download",
    "crowdsourcing.hackathon_export": "CSV or JSON download",
    "crowdsourcing.catalogue_dcat": "JSON-LD (DCAT) download",
    "mapping_io.export_file": "GeoJSON, CSV, GeoPackage or OSM download",
    "mapping_io.export_download": "download of an export built by a job",
    "workshops.requirements_markdown": "Markdown download",
}

# Elements wider than the window, as short selectors, to say what overflows.
OVERFLOWING = """() => {
  const limit = window.innerWidth + 1;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit) {
      out.push(describe(el) + ' (right edge at ' + Math.round(box.right) + 'px)');
      if (out.length >= 8) break;
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    overflowing: out,
  };
}"""


@pytest.fixture(scope="module")
def shared_contexts():
    """One browser context per server and user for all the pages of this module: its cache
    keeps the stylesheets and scripts, so each page costs one HTML load, not twenty."""
    contexts = {}
    yield contexts
    for context in contexts.values():
        context.close()


def _shared_page(browsing, contexts, user):
    key = (browsing.server.url, user)
    if key not in contexts:
        options = {
            "base_url": browsing.server.url,
            "locale": "fr-FR",
            "bypass_csp": True,
            "viewport": {"width": 1280, "height": 800},
        }
        if user is not None:
            options["storage_state"] = browsing._storage_state(user)
        contexts[key] = browsing.browser.new_context(**options)
        contexts[key].set_default_timeout(10_000)
    page = contexts[key].new_page()
    page.on("pageerror", lambda exc: browsing.page_errors.append(f"{page.url}: {exc}"))
    return page


def _open(page, spec):
    response = page.goto(spec.path)
    if spec.upload:
        name, content = spec.upload
        page.locator("main input[type=file]").set_input_files(
            files=[{"name": name, "mimeType": "application/geo+json", "buffer": content}]
        )
        with page.expect_navigation() as navigation:
            page.locator("main form:has(input[type=file]) button[type=submit]").click()
        response = navigation.value
        assert not page.url.endswith(spec.path), f"the upload on {spec.path} stayed there"
    if spec.submit_empty_form:
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        response = answer.value
    assert response is not None
    assert response.status == spec.status, (
        f"{response.request.method} {spec.path} answered {response.status}, expected {spec.status}"
    )
    if spec.ready:
        page.wait_for_selector(spec.ready)
    if spec.user is not None:
        assert "/login" not in page.url, f"{spec.user} was sent to the log-in page"
    return page


def _report(violations, path, backend):
    lines = [
        f"{len(violations)} serious or critical accessibility violation(s) on {path} ({backend}):"
    ]
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']}")
        lines.append(f"    {v['helpUrl']}")
        lines.append(f"    targets: {'; '.join(targets)}{more}")
        summary = (v["nodes"][0].get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"    first failure: {summary[:300]}")
    return "\n".join(lines)


def test_every_html_page_is_checked(tmp_path):
    """Each GET endpoint of the app is in PAGES, or declared as not an HTML page."""
    from werkzeug.exceptions import HTTPException

    from webapp import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "url-map",
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.sqlite",
        }
    )
    adapter = app.url_map.bind("localhost")
    checked = set()
    for spec in PAGES.values():
        try:
            endpoint, _ = adapter.match(spec.path.split("?")[0], method="GET")
        except HTTPException:
            continue  # the not-found page
        checked.add(endpoint)
    checked |= {spec.reaches for spec in PAGES.values() if spec.reaches}
    declared = set(NOT_PAGES)
    missing = sorted(
        f"{rule.endpoint} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint not in checked | declared
        and not (rule.rule.startswith(("/api/", "/ogc")) and rule.endpoint != "api_docs.api_docs")
    )
    assert not missing, "GET endpoints neither in PAGES nor in NOT_PAGES:\n" + "\n".join(missing)
    stale = sorted(declared & checked)
    assert not stale, f"declared as not pages but in PAGES: {stale}"


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible(browsing, live_server, shared_contexts, name):
    """axe-core at desktop width, then no sideways scrolling at phone width."""
    spec = PAGES[name]
    page = _shared_page(browsing, shared_contexts, spec.user)
    try:
        _check(page, spec, live_server.backend)
    finally:
        page.close()


def _check(page, spec, backend):
    _open(page, spec)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "(exclude) => axe.run({ exclude: exclude.map((s) => [s]) },"
        " { resultTypes: ['violations'] })",
        list(spec.axe_exclude),
    )
    serious = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    problems = [_report(serious, spec.path, backend)] if serious else []

    page.set_viewport_size(PHONE)
    layout = page.evaluate(OVERFLOWING)
    if layout["scrollWidth"] > layout["innerWidth"] + 1:
        problems.append(
            f"{spec.path} ({backend}) scrolls sideways at {PHONE['width']} px: "
            f"page width {layout['scrollWidth']} px; wider elements: "
            + ("; ".join(layout["overflowing"]) or "none found")
        )
    assert not problems, "\n\n".join(problems)
