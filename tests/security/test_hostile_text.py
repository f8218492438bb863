"""Text from people: markup is stored as typed and rendered escaped on every page that shows
it; names keep their accents and scripts (NFC) and lose invisible spoofing characters; real
junk from a participation platform goes through like any other text."""

import pytest
from markupsafe import escape
from sqlalchemy import select

from crowdsourcing.models import DatasetRequest
from crowdsourcing.services import backlog, comments
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from tests.crowdsourcing import hackathon_helpers as hack
from tests.security import hostile
from tests.security.support import assert_no_raw_markup, row_counts
from tests.workshops import idea, workshop
from webapp.accounts.models import User
from webapp.extensions import db
from workshops.services import ideas, synthesis


@pytest.fixture
def staff(client, session):
    person = factories.user(roles=["admin", "organiser", "moderator"])
    factories.login(client, person.email)
    return person


def _padded(text, low=12):
    return text if len(text) >= low else text + " " + "." * low


# Each row: where the text goes (through the same services the pages and the API call) and
# the page that shows it. Every page is read by an admin, who sees everything.
def _display_name(staff, text):
    person = factories.user(name=text[:80])
    return f"/people/{person.id}"


def _dataset_request(staff, text):
    row = dataset_requests.create(
        staff, {"title": _padded(text)[:200], "description": _padded(text, 20)}
    )
    return f"/requests/{row.id}"


def _request_comment(staff, text):
    row = dataset_requests.create(
        staff, {"title": "Arbres", "description": "Les arbres de la ville, svp."}
    )
    comments.create(staff, "dataset_request", row.id, _padded(text))
    return f"/requests/{row.id}"


def _backlog_item(staff, text):
    item = backlog.create(staff, {"title": _padded(text)[:200]})
    return f"/backlog/{item.id}"


def _hackathon(staff, text):
    row = hack.hackathon(staff, title=_padded(text)[:120], description=_padded(text, 20))
    return f"/hackathons/{row.slug}"


def _team(staff, text):
    row = hack.hackathon(staff)
    team = hack.team(row, name=text[:120], description=text)
    return f"/hackathons/{row.slug}/teams/{team.id}"


def _proposal(staff, text):
    row = hack.hackathon(staff)
    proposal = hack.proposal(row, title=_padded(text)[:120], pitch=_padded(text, 20))
    return f"/hackathons/{row.slug}/proposals/{proposal.id}"


def _idea_and_comment(staff, text):
    row = workshop(staff)
    posted = idea(row, text=_padded(text))
    ideas.comment(factories.user(), posted.id, _padded(text))
    return f"/workshops/{row.slug}/ideas/{posted.id}"


def _theme(staff, text):
    row = workshop(staff)
    synthesis.create_theme(staff, row.id, text[:80])
    return f"/workshops/{row.slug}/synthesis"


def _inventory(staff, text):
    inventory = factories.inventory(staff, title=_padded(text)[:120])
    return f"/mapping/inventories/{inventory.slug}"


def _moderation_inbox(staff, text):
    dataset_requests.create(staff, {"title": _padded(text)[:200], "description": "x" * 20})
    return "/moderation/"


PLACES = [
    ("display name", _display_name),
    ("dataset request", _dataset_request),
    ("comment", _request_comment),
    ("backlog item", _backlog_item),
    ("hackathon", _hackathon),
    ("team", _team),
    ("proposal", _proposal),
    ("idea and comment", _idea_and_comment),
    ("theme", _theme),
    ("inventory", _inventory),
    ("moderation inbox", _moderation_inbox),
]


@pytest.mark.parametrize(("place", "make"), PLACES, ids=[p for p, _ in PLACES])
def test_markup_is_rendered_escaped_everywhere_it_shows(client, staff, place, make):
    for name, text in hostile.MARKUP:
        url = make(staff, text)
        response = client.get(url)
        assert response.status_code == 200, (place, name, url)
        assert_no_raw_markup(response.text, hostile.RAW_MARKERS)
        # Shown as text: the escaped form of (the start of) what was typed is on the page.
        assert str(escape(text[:15])) in response.text, (place, name)


def test_the_search_box_echoes_markup_escaped(client, staff):
    response = client.get("/search", query_string={"q": hostile.SCRIPT})
    assert response.status_code == 200
    assert_no_raw_markup(response.text, hostile.RAW_MARKERS)


@pytest.mark.parametrize(
    ("name", "typed", "stored"), hostile.REAL_NAMES + hostile.INVISIBLE, ids=lambda v: str(v)
)
def test_names_are_kept_normalised_and_stripped_of_invisible_characters(
    client, session, name, typed, stored
):
    email = f"{abs(hash(name)) % 10**8}@example.org"
    response = client.post(
        "/signup",
        data={
            "email": email,
            "password": factories.PASSWORD,
            "password2": factories.PASSWORD,
            "display_name": typed,
            "accept_licence": "y",
        },
    )
    assert response.status_code == 200, response.text[:300]
    person = db.session.scalar(select(User).where(User.email == email))
    assert person is not None and person.display_name == stored


@pytest.mark.parametrize(("name", "typed", "stored"), hostile.INVISIBLE, ids=lambda v: str(v))
def test_team_names_lose_invisible_characters_through_the_api(client, session, name, typed, stored):
    row = hack.hackathon()
    member = hack.participant(row)
    factories.login(client, member.email)
    response = client.post(f"/api/v1/hackathons/{row.slug}/teams", json={"name": typed})
    assert response.status_code == 201, response.json
    assert response.json["name"] == stored


def test_two_names_that_differ_only_by_invisible_characters_are_one_team_name(session):
    from webapp.errors import ValidationError

    row = hack.hackathon()
    hack.team(row, name="Les Cartographes")
    other = hack.participant(row)
    before = row_counts()
    with pytest.raises(ValidationError) as refused:
        hack.team(row, other, name="Les\u200b Carto\u00adgraphes")
    assert refused.value.code == "team.name_taken"
    assert row_counts() == before


@pytest.mark.parametrize(("name", "title", "description"), hostile.participation_junk())
def test_real_probe_posts_are_stored_as_typed_and_shown_as_text(
    client, staff, name, title, description
):
    """Decide Madrid's "SSRF Test" posts: links are text, nothing is fetched or linked."""
    response = client.post(
        "/requests/new",
        data={"title": title.strip(), "description": description or f"{title} (sans texte)"},
    )
    assert response.status_code == 302, response.text[:500]
    stored = db.session.scalars(
        select(DatasetRequest).where(DatasetRequest.title == " ".join(title.split()))
    ).one()
    page = client.get(f"/requests/{stored.id}")
    assert str(escape(title.strip())) in page.text
    assert 'href="http://ssrf' not in page.text
    if "<p>" in description:
        assert "&lt;p&gt;" in page.text
