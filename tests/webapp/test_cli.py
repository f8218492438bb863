"""The command line: create-user and seed-demo."""

import pytest
from sqlalchemy import func, select

from webapp.accounts.models import Department, User
from webapp.registrations.models import RegistrationList


@pytest.fixture
def runner(app, session):
    return app.test_cli_runner()


def test_create_user_with_roles_prints_a_generated_password_once(runner, session):
    session.add(Department(slug="eau", name_fr="Direction de l'eau", name_en="Water"))
    session.commit()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Steward@Example.org",
            "--role",
            "data_steward",
            "--department",
            "eau",
            "--name",
            "Léa",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Password (shown once):" in result.output
    user = session.scalar(select(User).where(User.email == "steward@example.org"))
    assert user.roles == {"resident", "data_steward"} and user.email_confirmed


def test_create_user_refuses_bad_input_with_a_clear_message(runner, session):
    result = runner.invoke(args=["create-user", "--email", "nope", "--password", "long enough pw"])
    assert result.exit_code != 0 and "email" in result.output
    result = runner.invoke(
        args=["create-user", "--email", "a@example.org", "--role", "data_steward"]
    )
    assert result.exit_code != 0 and "department" in result.output
    result = runner.invoke(args=["create-user", "--email", "a@example.org", "--role", "king"])
    assert result.exit_code != 0
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_refuses_a_taken_address(runner, session):
    assert runner.invoke(args=["create-user", "--email", "x@example.org"]).exit_code == 0
    result = runner.invoke(args=["create-user", "--email", "X@example.org"])
    assert result.exit_code != 0


def test_seed_demo_creates_every_role_and_is_idempotent(runner, session):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    users = session.scalars(select(User)).all()
    roles = set().union(*(u.roles for u in users))
    assert roles == {"resident", "organiser", "moderator", "data_steward", "admin"}
    assert first.output.count("password ") == len(users)
    counts = (
        len(users),
        session.scalar(select(func.count()).select_from(Department)),
        session.scalar(select(func.count()).select_from(RegistrationList)),
    )
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "password " not in second.output.replace(
        "password unchanged", ""
    )
    assert counts == (
        session.scalar(select(func.count()).select_from(User)),
        session.scalar(select(func.count()).select_from(Department)),
        session.scalar(select(func.count()).select_from(RegistrationList)),
    )


def test_worker_command_explains_when_redis_is_not_configured(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
