"""The catalogue import: the real Montpellier 2014 file, re-import, broken files, rejected
rows, the page with its job and report, the CLI command."""

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from crowdsourcing.models import BacklogItem, Dataset
from crowdsourcing.services import catalogue
from tests import factories
from tests.crowdsourcing import fr
from webapp.errors import ValidationError
from webapp.extensions import db

MTP = Path(__file__).parents[2] / "crowdsourcing" / "data" / "mtp_catalogue_opendata_2014.csv"
HEADER = "ID;Statut;Titre;Identifiant;Description;Licence;URL;Diffuseur\n"


@pytest.fixture
def moderator(session):
    return factories.user(roles=["moderator"])


def counts():
    datasets = db.session.scalar(select(func.count()).select_from(Dataset))
    items = dict(
        db.session.execute(
            select(BacklogItem.status, func.count())
            .where(BacklogItem.source_identifier.is_not(None))
            .group_by(BacklogItem.status)
        ).all()
    )
    return datasets, items


def import_mtp(actor):
    return catalogue.import_rows(actor, catalogue.parse(MTP.read_bytes()), "import:mtp-2014")


def test_montpellier_file_gives_122_datasets_6_declined_and_1_proposed_item(moderator):
    with MTP.open(encoding="utf-8") as handle:
        statuses = [row["Statut"] for row in csv.DictReader(handle)]
    assert (statuses.count("pub"), statuses.count("refuse"), statuses.count("prop")) == (122, 6, 1)
    report = import_mtp(moderator)
    assert len(report) == len(statuses) == 129
    assert {line["outcome"] for line in report} == {"created"}
    assert counts() == (122, {"declined": 6, "proposed": 1})
    declined = db.session.scalars(select(BacklogItem).where(BacklogItem.status == "declined"))
    assert {item.decline_reason for item in declined} == {"cannot_release"}
    tourism = db.session.scalar(
        select(BacklogItem).where(BacklogItem.title == "Lieux touristiques")
    )
    assert "Office de Tourisme" in tourism.decline_text


def test_reimport_updates_without_duplicates(moderator):
    import_mtp(moderator)
    report = import_mtp(moderator)
    assert {line["outcome"] for line in report} == {"updated"}
    assert counts() == (122, {"declined": 6, "proposed": 1})


def test_licences_are_mapped_and_the_source_text_kept(moderator):
    import_mtp(moderator)
    licences = dict(
        db.session.execute(select(Dataset.licence, func.count()).group_by(Dataset.licence)).all()
    )
    assert licences["etalab-2.0"] > 100 and licences["odbl"] == 9 and licences["other"] >= 3
    row = db.session.scalar(select(Dataset).where(Dataset.identifier == "VilleMTP_MTP_Fourriere"))
    assert row.licence == "etalab-2.0"
    assert row.licence_source == "LICENCE OUVERTE / OPEN LICENCE"
    assert row.issued.year == 2014 and row.frequency == "annual"
    assert row.resources[0].url.startswith("http://opendata.montpelliernumerique.fr/")
    assert "Politique Publique & Démocratie" in row.themes or row.themes


def test_semicolon_file_with_bom_is_read_and_missing_title_rejected_with_reason(moderator):
    data = (
        "\ufeff" + HEADER + "1;pub;Bancs publics;bancs;Les bancs;ODbL;https://example.org/b;X\n"
        "2;pub;;sans-titre;Rien;ODbL;https://example.org/c;X\n"
    ).encode()
    report = catalogue.import_rows(moderator, catalogue.parse(data), "import:test")
    assert [(r["outcome"], r["reason"]) for r in report] == [
        ("created", ""),
        ("rejected", "missing_title"),
    ]
    assert db.session.scalar(select(Dataset).where(Dataset.identifier == "bancs")).licence == "odbl"


def test_department_is_matched_by_name(moderator):
    department = factories.department(slug="genie-urbain")
    data = HEADER + f"1;pub;Voirie;voirie;V;ODbL;https://e.org/v;Ville / {department.name_fr}\n"
    catalogue.import_rows(moderator, catalogue.parse(data.encode()), "import:test")
    assert db.session.scalar(select(Dataset).where(Dataset.slug == "voirie")).department_id == (
        department.id
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Titre;Statut\nA;pub\n", "catalogue.columns"),
        (HEADER.encode("utf-16"), "catalogue.encoding"),
        ("Bancs\xe9;pub\n".encode("latin-1"), "catalogue.encoding"),
        (b"just some words", "catalogue.not_csv"),
    ],
)
def test_broken_files_are_refused(moderator, data, code):
    with pytest.raises(ValidationError) as caught:
        catalogue.parse(data)
    assert caught.value.code == code


def test_import_is_for_moderators_only(session):
    resident = factories.user()
    with pytest.raises(Exception) as caught:
        catalogue.import_rows(resident, [], "import:test")
    assert caught.value.__class__.__name__ == "PermissionDenied"


def upload(client, data, name="catalogue.csv"):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return client.post(
        "/catalogue/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_import_page_runs_the_job_and_offers_the_report(client, moderator):
    factories.login(client, moderator.email)
    assert client.get("/catalogue/import").status_code == 200
    response = upload(client, MTP.read_bytes())
    assert response.status_code == 302
    page = client.get("/catalogue/import").text
    assert "data-job-id" in page and "job-progress.js" in page
    report_url = next(
        part.split('"')[0] for part in page.split('href="')[1:] if "report.csv" in part
    )
    report = client.get(report_url)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(report.text.lstrip("\ufeff"))))
    assert len(lines) == 1 + 129
    assert counts() == (122, {"declined": 6, "proposed": 1})


def test_import_page_refuses_a_broken_file_with_a_translated_error(client, moderator):
    factories.login(client, moderator.email)
    response = upload(client, b"Titre;Statut\nA;pub\n")
    assert response.status_code == 422
    assert fr(
        "Columns missing from the file: %(columns)s.", columns="Identifiant, Licence, URL"
    ) in (response.text)
    assert counts() == (0, {})


@pytest.mark.parametrize("roles", [(), ("data_steward",), ("organiser",)])
def test_import_page_is_forbidden_to_others(client, roles):
    department = factories.department()
    user = factories.user(roles=roles, department_slug=department.slug)
    factories.login(client, user.email)
    assert client.get("/catalogue/import").status_code == 403
    assert upload(client, MTP.read_bytes()).status_code == 403


def test_cli_imports_the_file(app, session):
    factories.user(roles=["admin"])
    result = app.test_cli_runner().invoke(args=["import-catalogue", str(MTP)])
    assert result.exit_code == 0, result.output
    assert "created: 129" in result.output
    assert counts()[0] == 122
