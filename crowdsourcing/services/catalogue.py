"""The dataset catalogue: import a portal's CSV export, make datasets of published backlog
items, read datasets. Every imported row is accepted or rejected with a reason."""

import csv
import html
import io
import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crowdsourcing.models import (
    DECLINED,
    PROPOSED,
    BacklogItem,
    BacklogTransition,
    Dataset,
    DatasetResource,
)
from webapp import search as search_index
from webapp import urls
from webapp.accounts import policies
from webapp.accounts.models import Department
from webapp.db import unit_of_work
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.text import one_line

REQUIRED_COLUMNS = ("Statut", "Titre", "Identifiant", "Licence", "URL")
MAX_BYTES = 5 * 1024 * 1024
LICENCE_URIS = {
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
}
FREQUENCY_WORDS = {
    "journalière": "daily",
    "quotidienne": "daily",
    "hebdomadaire": "weekly",
    "mensuelle": "monthly",
    "annuelle": "annual",
    "ponctuelle": "irregular",
}
PUBLISHED_STATUS, REFUSED_STATUS, PROPOSED_STATUS = "pub", "refuse", "prop"


def licence_labels():
    return {
        "etalab-2.0": _l("Licence Ouverte 2.0 (Etalab)"),
        "odbl": _l("ODbL"),
        "cc-by-4.0": _l("CC-BY 4.0"),
        "restricted": _l("Restricted licence"),
        "other": _l("Other licence"),
    }


def frequency_labels():
    return {
        "daily": _l("Daily"),
        "weekly": _l("Weekly"),
        "monthly": _l("Monthly"),
        "annual": _l("Yearly"),
        "irregular": _l("Irregular"),
    }


def can_import(user):
    return policies.can(user, "moderation.decide")


# --- parsing ----------------------------------------------------------------------------------


def parse(data):
    """Decode and read a catalogue CSV (or a CKAN/DCAT JSON catalogue); raise a
    ValidationError when it cannot be imported."""
    if len(data) > MAX_BYTES:
        raise ValidationError("catalogue.too_big", fields={"file": [_l("The file is too big.")]})
    if data.lstrip()[:1] in (b"{", b"["):
        from crowdsourcing.services import catalogue_json

        return catalogue_json.rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            "catalogue.encoding",
            fields={"file": [_l("The file is not in UTF-8: save it as UTF-8 CSV and try again.")]},
        ) from None
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=";,")
    except csv.Error:
        raise ValidationError(
            "catalogue.not_csv",
            fields={"file": [_l("This is not a CSV file separated by commas or semicolons.")]},
        ) from None
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect.delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            "catalogue.columns",
            fields={
                "file": [
                    _l("Columns missing from the file: %(columns)s.", columns=", ".join(missing))
                ]
            },
        )
    reader.fieldnames = header
    return [
        {k: _clean_cell(v) for k, v in row.items() if k is not None}
        for row in reader
        if any((v or "").strip() for k, v in row.items() if k is not None)
    ]


def _clean_cell(value):
    if isinstance(value, list):
        value = " ".join(value)
    return html.unescape((value or "").strip())


def _day(value, formats):
    for fmt in formats:
        try:
            return datetime.strptime(value[: len(datetime.now().strftime(fmt))], fmt).date()
        except ValueError:
            continue
    return None


def licence_of(text):
    """Our licence code for the source's licence text."""
    lowered = (text or "").lower()
    if "licence ouverte" in lowered or "open licence" in lowered or "etalab" in lowered:
        return "etalab-2.0"
    if "odbl" in lowered:
        return "odbl"
    if re.search(r"cc[- ]by(?![- ]sa)", lowered) and "4.0" in lowered:
        return "cc-by-4.0"
    return "other" if lowered else None


def slugify(text):
    return urls.slugify(text, 180) or "dataset"


def _unique_slug(title, own_id=None):
    base = slugify(title)
    slug, n = base, 1
    while True:
        found = db.session.scalar(select(Dataset.id).where(Dataset.slug == slug))
        if found is None or found == own_id:
            return slug
        n += 1
        slug = f"{base}-{n}"


def _departments():
    rows = db.session.scalars(select(Department)).all()
    return {name.lower(): d for d in rows for name in (d.name_fr, d.name_en)}


def _department_of(row, departments):
    for field in ("Diffuseur", "Propriétaire"):
        for part in (row.get(field) or "").split("/"):
            match = departments.get(part.strip().lower())
            if match is not None:
                return match
    return None


# --- importing --------------------------------------------------------------------------------


def import_rows(actor, rows, source, progress=None):
    """Import parsed rows; return the report, one line per row. Idempotent by identifier."""
    policies.require(actor, "moderation.decide")
    departments = _departments()
    report = []
    for number, row in enumerate(rows, start=2):
        with unit_of_work():
            outcome, reason, identifier = _import_row(actor, row, source, departments)
        report.append(
            {
                "line": number,
                "identifier": identifier,
                "title": row.get("Titre", ""),
                "status": row.get("Statut", ""),
                "outcome": outcome,
                "reason": reason,
            }
        )
        if progress and number % 10 == 0:
            progress(number - 1, len(rows))
    return report


def _import_row(actor, row, source, departments):
    identifier = row.get("Identifiant") or (f"row-{row['ID']}" if row.get("ID") else "")
    title = one_line(row.get("Titre"))
    status = (row.get("Statut") or "").lower()
    if not title:
        return "rejected", "missing_title", identifier
    if not identifier:
        return "rejected", "missing_identifier", identifier
    if len(title) > 200:
        return "rejected", "title_too_long", identifier
    department = _department_of(row, departments)
    if status == PUBLISHED_STATUS:
        url = row.get("URL") or ""
        if url and not url.startswith(("http://", "https://")):
            return "rejected", "bad_url", identifier
        created = _save_dataset(identifier, title, row, source, department)
        return ("created" if created else "updated"), "", identifier
    if status in (REFUSED_STATUS, PROPOSED_STATUS):
        created = _save_item(actor, identifier, title, row, status, department)
        return ("created" if created else "updated"), "", identifier
    return "rejected", "unknown_status", identifier


def _is_web_url(url):
    return isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= 1000


def _save_dataset(identifier, title, row, source, department):
    dataset = db.session.scalar(select(Dataset).where(Dataset.identifier == identifier))
    created = dataset is None
    if created:
        dataset = Dataset(identifier=identifier, slug=_unique_slug(title))
        db.session.add(dataset)
    themes = [t for t in (row.get("Catégorie"), row.get("Thème")) if t]
    keywords = [k.strip() for k in (row.get("Mots clés") or "").split(";") if k.strip()]
    dataset.title = title
    dataset.description = row.get("Description") or ""
    dataset.department_id = department.id if department else None
    dataset.publisher = (row.get("Diffuseur") or row.get("Propriétaire") or "")[:200] or None
    dataset.licence = licence_of(row.get("Licence"))
    dataset.licence_source = (row.get("Licence") or "")[:300] or None
    dataset.themes = list(dict.fromkeys(themes))
    dataset.keywords = list(dict.fromkeys(keywords))
    dataset.frequency = FREQUENCY_WORDS.get((row.get("Periode validitée") or "").lower())
    dataset.coverage = (row.get("Couverture") or "")[:200] or None
    dataset.issued = _day(row.get("Date publication") or "", ("%d.%m.%Y", "%Y-%m-%d"))
    dataset.modified = _day(row.get("Date mise à jour") or "", ("%Y-%m-%d", "%d.%m.%Y"))
    dataset.source = source
    url = row.get("URL")
    resources = [r for r in row.get("_resources") or [] if _is_web_url(r["url"])]
    if resources:
        if [(r.url, r.format) for r in dataset.resources] != [
            (r["url"], r["format"]) for r in resources
        ]:
            dataset.resources = [DatasetResource(position=i, **r) for i, r in enumerate(resources)]
    elif url and [r.url for r in dataset.resources] != [url]:
        dataset.resources = [DatasetResource(url=url, format="HTML")]
    db.session.flush()
    search_index.refresh("dataset", dataset.id)
    return created


def _save_item(actor, identifier, title, row, status, department):
    item = db.session.scalar(select(BacklogItem).where(BacklogItem.source_identifier == identifier))
    created = item is None
    target = DECLINED if status == REFUSED_STATUS else PROPOSED
    if created:
        item = BacklogItem(source_identifier=identifier, status=target, created_by_id=actor.id)
        db.session.add(item)
    item.title = title
    item.description = row.get("Description") or ""
    item.department_id = department.id if department else None
    licence = licence_of(row.get("Licence"))
    item.licence = licence if licence not in (None, "other") else None
    if target == DECLINED:
        item.decline_reason = "cannot_release"
        item.decline_text = row.get("Note") or str(_l("Refused in the imported catalogue."))
        item.decline_link = (row.get("URL") or "")[:500] or None
    db.session.flush()
    search_index.refresh("backlog_item", item.id)
    if created:
        db.session.add(
            BacklogTransition(
                item_id=item.id,
                actor_id=actor.id,
                from_status=None,
                to_status=target,
                note=str(_l("Imported from the catalogue file.")),
            )
        )
    return created


def reason_labels():
    return {
        "missing_title": _l("The title is missing."),
        "missing_identifier": _l("The identifier is missing."),
        "title_too_long": _l("The title is longer than 200 characters."),
        "bad_url": _l("The address is not a web address."),
        "unknown_status": _l("The status is not pub, refuse or prop."),
    }


def outcome_labels():
    return {"created": _l("Created"), "updated": _l("Updated"), "rejected": _l("Rejected")}


# --- from the backlog -------------------------------------------------------------------------


def publish_item(item, dataset_slug=None):
    """Link a published backlog item to a dataset: the one named, or a new one (no commit)."""
    existing = db.session.scalar(select(Dataset).where(Dataset.backlog_item_id == item.id))
    if dataset_slug:
        dataset = db.session.scalar(select(Dataset).where(Dataset.slug == dataset_slug))
        if dataset is None or dataset.backlog_item_id not in (None, item.id):
            raise ValidationError(
                "catalogue.link_invalid",
                fields={"dataset": [_l("Choose a catalogue dataset not linked to another item.")]},
            )
        dataset.backlog_item_id = item.id
        search_index.refresh("dataset", dataset.id)
        return dataset
    if existing is not None:
        return existing
    dataset = Dataset(
        identifier=f"backlog-{item.id}",
        slug=_unique_slug(item.title),
        title=item.title,
        description=item.description or "",
        department_id=item.department_id,
        licence=item.licence,
        themes=[],
        keywords=[],
        declared_formats=item.formats,
        issued=date.today(),
        modified=date.today(),
        source="backlog",
        backlog_item_id=item.id,
    )
    db.session.add(dataset)
    db.session.flush()
    search_index.refresh("dataset", dataset.id)
    return dataset


# --- reading ----------------------------------------------------------------------------------


def get(slug):
    dataset = db.session.scalar(select(Dataset).where(Dataset.slug == slug))
    if dataset is None:
        raise NotFound("dataset.not_found")
    return dataset


def search(filters):
    """A select of datasets matching text, department, theme and licence, by title."""
    query = select(Dataset)
    text = (filters.get("q") or "").strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            func.lower(Dataset.title).like(pattern) | func.lower(Dataset.description).like(pattern)
        )
    if filters.get("department"):
        query = query.join(Department).where(Department.slug == filters["department"])
    if filters.get("licence"):
        query = query.where(Dataset.licence == filters["licence"])
    if filters.get("theme"):
        ids = [d.id for d in db.session.scalars(select(Dataset)) if filters["theme"] in d.themes]
        query = query.where(Dataset.id.in_(ids))
    return query.order_by(func.lower(Dataset.title), Dataset.id)


def page(filters, number=1, per_page=20):
    """One page of matching datasets and the total count."""
    query = search(filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.offset((max(number, 1) - 1) * per_page).limit(per_page)).all()
    return rows, total


def themes():
    return sorted({t for row in db.session.scalars(select(Dataset.themes)) for t in row or []})
