"""The accessibility statement (RGAA): linked from every page's footer, in French and
English; and the page language follows the chosen locale, with other-language parts marked."""

from tests import factories


def test_every_page_links_to_the_statement_with_its_compliance_status(client):
    for path in ("/", "/login", "/mapping/", "/this-page-does-not-exist"):
        page = client.get(path).get_data(as_text=True)
        assert '<a href="/accessibilite">Accessibilité : partiellement conforme</a>' in page, path


def test_the_statement_says_what_does_not_comply_and_how_to_report_it(client):
    response = client.get("/accessibilite")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "partiellement conforme au RGAA 4.1" in page
    assert "Contenus non accessibles" in page and "Défenseur des droits" in page
    client.post("/language", data={"locale": "en"})
    page = client.get("/accessibilite").get_data(as_text=True)
    assert '<html lang="en">' in page and "partially compliant with RGAA 4.1" in page


def test_html_lang_follows_the_chosen_language(client):
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_english_or_french_parts_are_marked_with_their_language(client):
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<div id="swagger-ui" lang="en"' in docs  # Swagger UI speaks English only
    inventory = factories.inventory(licence="lo-2.0")
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/mapping/inventories/{inventory.slug}").get_data(as_text=True)
    assert '<span lang="fr">Licence Ouverte / Etalab 2.0</span>' in page
