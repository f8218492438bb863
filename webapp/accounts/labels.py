"""Translated labels of roles, as the interface shows them (see the glossary)."""

from flask_babel import gettext as _


def role_labels():
    return {
        "resident": _("Resident"),
        "organiser": _("Organiser"),
        "moderator": _("Moderator"),
        "data_steward": _("Data steward"),
        "admin": _("Admin"),
    }
