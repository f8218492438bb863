"""The CSV report of an import: one line per row of the file, accepted or rejected, why."""

import os

from flask import current_app
from flask_babel import gettext as _

from webapp.csvutil import to_csv


def write_report(record, outcomes, saved):
    """Write the report next to the upload; return its path relative to UPLOAD_DIR."""
    header = [_("Row"), _("Source reference"), _("Outcome"), _("Reason"), _("Feature id")]
    rows = []
    # Translated once: a large import has a hundred thousand rows.
    accepted_label = _("accepted") if saved else _("not saved (the import failed)")
    rejected_label = _("rejected")
    for outcome in outcomes:
        label = accepted_label if outcome.accepted else rejected_label
        reason = outcome.reason if not outcome.accepted else (outcome.note or "")
        rows.append([outcome.number, outcome.ref, label, reason, outcome.feature_id or ""])
    relative = os.path.join("mapping", "imports", "reports", f"import-{record.id}.csv")
    path = os.path.join(current_app.config["UPLOAD_DIR"], relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.part"
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(to_csv(header, rows))
    os.replace(temporary, path)
    return relative
