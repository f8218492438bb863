from webapp.accounts.models import User


def test_healthz_answers_ok_with_the_backend_name(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "sqlite" if backend == "sqlite" else "postgresql",
    }


def test_home_page_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text


def test_each_test_starts_with_no_user(session):
    assert session.query(User).count() == 0
