"""End-to-end fixtures: a live Flask server per backend and headless Chromium.

Each backend (SpatiaLite, PostGIS) gets one migrated database seeded with the demo data
(`flask seed-demo`) and one `flask run` subprocess, shared by every browser test of the
session (or of the xdist worker). Each test gets a fresh browser context in French.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.support import Translations

from tests import backends
from tests.conftest import BACKENDS
from tests.mail import Mailbox

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 30.0
FLASK = os.path.join(os.path.dirname(sys.executable), "flask")
SEEDED_USER = re.compile(r"^user (\S+@\S+) \(([^)]*)\): password (\S+)$")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _ci():
    return os.environ.get("CI", "").lower() == "true"


# --- translations -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fr():
    """French wording from the compiled catalogue the server uses, so the tests follow the
    translators rather than hard-coding their sentences."""
    folder = ROOT / "webapp" / "translations"
    if not (folder / "fr" / "LC_MESSAGES" / "messages.mo").exists():
        pytest.fail(
            "webapp/translations/fr/LC_MESSAGES/messages.mo is missing: run "
            "`.venv/bin/pybabel compile -d webapp/translations` (make translations)",
            pytrace=False,
        )
    translations = Translations.load(str(folder), ["fr"])

    def translate(msgid, **values):
        text = translations.gettext(msgid)
        return text % values if values else text

    return translate


# --- live server --------------------------------------------------------------------------


@dataclass
class LiveServer:
    backend: str
    url: str
    database_url: str
    mail_dir: str
    log_path: str
    passwords: dict = field(default_factory=dict)
    storage_states: dict = field(default_factory=dict)

    @property
    def mailbox(self):
        return Mailbox(self.mail_dir)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                return "".join(fh.readlines()[-lines:])
        except OSError:
            return ""

    def count_users(self, **where):
        """Count rows of webapp_user matching column=value pairs (read straight from the DB)."""
        from sqlalchemy import create_engine, text

        clauses = " AND ".join(f"{column} = :{column}" for column in where) or "1 = 1"
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(
                    text(f"SELECT COUNT(*) FROM webapp_user WHERE {clauses}"), where
                ).scalar_one()
        finally:
            engine.dispose()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(args, env, what):
    result = backends.run_flask(args, env, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"`flask {' '.join(args)}` ({what}) failed with code {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def _wait_until_healthy(proc, url, log_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"status {exc.code}"
            exc.close()
        except (urllib.error.URLError, OSError) as exc:
            last_error = repr(exc)
        time.sleep(0.1)
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        log = fh.read()[-4000:]
    state = (
        f"exited with code {proc.returncode}"
        if proc.poll() is not None
        else f"no 200 on /healthz after {STARTUP_TIMEOUT:.0f} s ({last_error})"
    )
    pytest.fail(f"the live server {state}; its log:\n{log}", pytrace=False)


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _drop_database(backend, url):
    if backend == "postgis":
        # backends.drop_database takes the name after the URL's last "/", which here is in
        # "?host=/var/run/postgresql": it would drop nothing. Hand it the bare name.
        from sqlalchemy.engine import make_url

        url = f"postgresql+psycopg://root@/{make_url(url).database}"
    backends.drop_database(backend, url)


@pytest.fixture(
    scope="session",
    # With `--dist loadgroup`, each backend's browser tests stay on one worker, which then
    # starts only that backend's server.
    params=[pytest.param(b, marks=pytest.mark.xdist_group(f"e2e-{b}")) for b in BACKENDS],
)
def e2e_backend(request):
    return request.param


@pytest.fixture(scope="session")
def live_server(e2e_backend, tmp_root, worker_id):
    """A migrated, demo-seeded database and `flask run` serving it on a free local port."""
    backend = e2e_backend
    db_url = backends.database_url(backend, f"e2e_{worker_id}", tmp_root)
    instance = os.path.join(tmp_root, f"e2e-instance-{backend}")
    mail_dir = os.path.join(instance, "mail")
    os.makedirs(mail_dir, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "DATABASE_URL": db_url,
        "FABRIQUE_INSTANCE": instance,
        "FABRIQUE_ENV": "development",
        "SECRET_KEY": "e2e-secret-key",
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": mail_dir,
        "UPLOAD_DIR": os.path.join(instance, "uploads"),
        "RATELIMIT_ENABLED": "false",
        "PUBLIC_URL": url,
        "FLASK_DEBUG": "0",
        "REDIS_URL": "",  # no Redis: jobs (mail) run inline, in the request
    }
    log_path = os.path.join(tmp_root, f"e2e-server-{backend}.log")
    proc = log_file = None
    try:
        _flask(["db", "upgrade"], env, "migrations")
        server_env = {**os.environ, **env}
        server_env.pop("REDIS_URL")
        log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen(
            [FLASK, "--app", "webapp", "run", "--port", str(port), "--host", "127.0.0.1"],
            env=server_env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        # The server starts while the demo data is written: /healthz touches no table.
        seeded = _flask(["seed-demo"], env, "demo data")
        passwords = {}
        for line in seeded.splitlines():
            match = SEEDED_USER.match(line.strip())
            if match:
                passwords[match.group(1)] = match.group(3)
        _wait_until_healthy(proc, url, log_path)
        yield LiveServer(backend, url, db_url, mail_dir, log_path, passwords)
    finally:
        if proc is not None:
            _stop(proc)
        if log_file is not None:
            log_file.close()
        _drop_database(backend, db_url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Show the end of the live server's log under a failed browser test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append((f"live server log ({server.backend}, end)", server.log_tail()))
    return report


# --- browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_browser():
    """One headless Chromium (Debian's) for the whole session."""
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if _ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Browsing:
    """Open pages in fresh browser contexts (French by default), closed after the test."""

    def __init__(self, browser, server):
        self.browser = browser
        self.server = server
        self.contexts = []
        self.page_errors = []

    def new_page(self, user=None, bypass_csp=False, viewport=None):
        options = {
            "base_url": self.server.url,
            "locale": "fr-FR",
            "bypass_csp": bypass_csp,
            "viewport": viewport or {"width": 1280, "height": 800},
        }
        if user is not None:
            options["storage_state"] = self._storage_state(user)
        context = self.browser.new_context(**options)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda message: self._on_console(page, message))
        return page

    def _on_console(self, page, message):
        # Chromium reports what the Content-Security-Policy blocked as console errors.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.page_errors.append(f"{page.url}: {message.text}")

    def _storage_state(self, email):
        """Log in once per user and server; later contexts reuse the session cookie.

        The log-in form itself is tested in test_accounts_flow.py: here it is posted
        directly (with the page's CSRF token), which is faster than driving the page.
        """
        if email not in self.server.storage_states:
            context = self.browser.new_context(base_url=self.server.url, locale="fr-FR")
            try:
                page = context.request.get("/login")
                token = CSRF_META.search(page.text())
                assert token, "no CSRF token on /login"
                answer = context.request.post(
                    "/login",
                    form={
                        "csrf_token": token.group(1),
                        "email": email,
                        "password": self.server.passwords[email],
                    },
                    max_redirects=0,
                )
                assert answer.status == 302, f"log-in as {email}: {answer.status}"
                self.server.storage_states[email] = context.storage_state()
            finally:
                context.close()
        return self.server.storage_states[email]

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(e2e_browser, live_server):
    b = Browsing(e2e_browser, live_server)
    yield b
    b.close()
    if b.page_errors:
        pytest.fail(
            "JavaScript errors or CSP violations on the pages:\n" + "\n".join(b.page_errors)
        )


@pytest.fixture
def page(browsing):
    """A page in a fresh French browser context, with the real Content-Security-Policy."""
    return browsing.new_page()
