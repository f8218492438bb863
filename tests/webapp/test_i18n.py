"""French first, English second: every user-facing string is marked and translated."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("webapp", "crowdsourcing", "mapping", "workshops")
# Words that are the same in every language or must not be translated.
ALLOWED_TEXT = {"English", "Français", "API", "CSV", ".ics", "OpenAPI"}
CHECKED_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label"}
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)


def _templates():
    for package in PACKAGES:
        yield from sorted((ROOT / package).glob("templates/**/*.html"))
        yield from sorted((ROOT / package).glob("templates/**/*.txt"))


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in CHECKED_ATTRIBUTES and value and _has_words(value):
                self.problems.append(f'{name}="{value}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and _has_words(data):
            self.problems.append(data.strip())


def _has_words(text):
    text = text.replace("§", " ")
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in ALLOWED_TEXT]
    return bool(words) and text.strip() not in ALLOWED_TEXT


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_unmarked_user_facing_text(path):
    source = JINJA.sub(lambda m: "§" if m.group(0).startswith("{{") else " ", path.read_text())
    if path.suffix == ".txt":
        problems = [line for line in source.splitlines() if _has_words(line)]
    else:
        finder = _TextFinder()
        finder.feed(source)
        problems = finder.problems
    assert problems == [], f"mark these for translation in {path.name}: {problems}"


def test_detector_finds_unmarked_text():
    finder = _TextFinder()
    finder.feed('<p>Bonjour</p><img alt="A tree"><p>§</p><p>{{ x }}</p>')
    assert finder.problems == ["Bonjour", 'alt="A tree"']


def _catalogue(locale):
    with open(ROOT / f"webapp/translations/{locale}/LC_MESSAGES/messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def test_every_message_has_a_french_translation():
    catalogue = _catalogue("fr")
    assert not catalogue.fuzzy, "a fuzzy catalogue is not compiled: remove the header's fuzzy flag"
    assert catalogue.plural_forms == "nplurals=2; plural=(n > 1);"
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == [], f"French translation missing for: {missing}"


def test_catalogues_contain_every_string_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as fh:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    in_french = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue("fr") if m.id}
    assert in_code - in_french == set(), "run `make messages` and translate the new strings"


def test_placeholders_match_between_languages():
    pattern = re.compile(r"%\(\w+\)[sd]|{\w+}")
    for message in _catalogue("fr"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(pattern.findall(ids[-1]))
        for translated in strings:
            assert set(pattern.findall(translated)) <= expected | set(pattern.findall(ids[0]))


def test_anonymous_visitor_gets_french_by_default_and_english_on_request(client):
    assert '<html lang="fr">' in client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text


def test_language_switch_is_remembered_for_visitors_and_saved_for_users(client, session):
    response = client.post("/language", data={"locale": "en", "next": "/events/"})
    assert response.status_code == 302 and response.location == "/events/"
    assert '<html lang="en">' in client.get("/").text
    user = factories.user(locale="fr")
    factories.login(client, user.email)
    assert '<html lang="fr">' in client.get("/").text  # the account's choice wins
    client.post("/language", data={"locale": "en"})
    session.refresh(user)
    assert user.locale == "en"


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    assert client.post("/language", data={"locale": "de"}).status_code == 422
    response = client.post("/language", data={"locale": "en", "next": "//evil.example.org"})
    assert response.location == "/"


def test_form_errors_are_in_french(client):
    response = client.post("/signup", data={})
    assert response.status_code == 422
    assert "This field is required" not in response.text
