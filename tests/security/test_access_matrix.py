"""Every route, called as every role, is refused or not exactly as the declared table says
(tests/security/access_table.py); a route missing from the table fails. An object of
someone else is never reachable by changing an id in the address."""

import pytest

from tests.security import harness
from tests.security.access_table import ACCESS
from tests.security.world import ROLES

CASES = [
    pytest.param(endpoint, method, id=f"{endpoint}-{method}")
    for endpoint, methods in sorted(ACCESS.items())
    for method in sorted(methods)
]
# Arguments naming an object that belongs to one person.
OWNED_ARGUMENTS = {
    "user_id",
    "token_id",
    "notification_id",
    "job_id",
    "registration_id",
    "submission_id",
    "feature_id",
    "photo_id",
    "proposal_id",
    "team_id",
    "invite_id",
    "screenshot_id",
    "request_id",
    "target_id",
    "idea_id",
}
# Routes where the owner may do what no other non-staff person may: the owner's own objects.
OWNERS_ONLY = [
    (endpoint, method)
    for endpoint, methods in sorted(ACCESS.items())
    for method, allowed in sorted(methods.items())
    if "owner" in allowed and not allowed & {"anonymous", "resident", "participant"}
]
# Of those, the ones the owner may call because they are registered (their registration,
# a cell of the party): the address names a shared object, so there is no id to change.
CALLERS_OWN = {
    ("api_map_parties.TaskClaimResource", "POST"),
    ("api_core.RegistrationResource", "DELETE"),
    ("api_core.RegistrationResource", "GET"),
    ("mapping_parties.cancel", "POST"),
    ("registrations.cancel", "POST"),
    ("workshops.cancel", "POST"),
}
IDOR_CASES = [
    pytest.param(endpoint, method, id=f"{endpoint}-{method}")
    for endpoint, method in OWNERS_ONLY
    if (endpoint, method) not in CALLERS_OWN
]

# One world per backend per module: keep the module on one worker.
pytestmark = pytest.mark.xdist_group("security-matrix")


@pytest.fixture(scope="module")
def world(app):
    with harness.world_transaction(app) as built:
        yield built


def _rules(app, endpoint, method):
    rules = [r for r in app.url_map.iter_rules(endpoint) if method in r.methods]
    assert rules, f"{endpoint} {method} is declared but not routed"
    return rules


def test_every_route_is_declared_and_every_declaration_is_routed(app):
    routed = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    declared = {(endpoint, method) for endpoint, methods in ACCESS.items() for method in methods}
    assert sorted(routed - declared) == [], "declare these routes in access_table.py"
    assert sorted(declared - routed) == [], "these declared routes no longer exist"


def test_routes_without_an_id_act_on_the_callers_own_registration(app):
    for endpoint, method in CALLERS_OWN:
        assert (endpoint, method) in OWNERS_ONLY
        for rule in _rules(app, endpoint, method):
            assert not rule.arguments & OWNED_ARGUMENTS, rule.rule


def test_the_table_names_only_known_roles():
    for endpoint, methods in ACCESS.items():
        for method, allowed in methods.items():
            assert allowed <= set(ROLES), (endpoint, method)


@pytest.mark.parametrize(("endpoint", "method"), CASES)
def test_each_role_is_refused_or_let_through_as_declared(app, world, endpoint, method):
    expected = {role: role in ACCESS[endpoint][method] for role in ROLES}
    for rule in _rules(app, endpoint, method):
        path = harness.fill(rule, world)
        answers = {role: harness.call(app, world, role, method, path, endpoint) for role in ROLES}
        statuses = {role: status for role, (status, _location) in answers.items()}
        assert all(status < 500 for status in statuses.values()), (path, statuses)
        actual = {role: not harness.refused(*answers[role]) for role in ROLES}
        assert actual == expected, f"{method} {path}: {statuses}"


@pytest.mark.parametrize(("endpoint", "method"), IDOR_CASES)
def test_the_owner_cannot_reach_a_second_residents_object_by_its_id(app, world, endpoint, method):
    rules = _rules(app, endpoint, method)
    assert all(r.arguments & OWNED_ARGUMENTS for r in rules), "no id to change: see CALLERS_OWN"
    for rule in rules:
        theirs = harness.fill(rule, world, whose="second")
        assert theirs != harness.fill(rule, world), "the second resident's address is the same"
        status, location = harness.call(app, world, "owner", method, theirs, endpoint)
        assert harness.refused(status, location), f"{method} {theirs}: {status}"
