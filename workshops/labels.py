"""Translated labels of workshops' statuses, idea categories, priorities and questions."""

from flask_babel import lazy_gettext as _l


def status_labels():
    return {
        "draft": _l("Draft"),
        "open": _l("Open for participation"),
        "closed": _l("Closed"),
        "archived": _l("Archived"),
    }


def category_labels():
    return {"idea": _l("Idea"), "need": _l("Need"), "pain_point": _l("Pain point")}


def priority_labels():
    """MoSCoW, as French teams say it too."""
    return {
        "must": _l("Must have"),
        "should": _l("Should have"),
        "could": _l("Could have"),
        "wont": _l("Won't have this time"),
    }


def question_labels():
    return {
        "diet": _l("Dietary requirements"),
        "accessibility": _l("Accessibility needs"),
        "childcare": _l("Childcare needs"),
        "other": _l("Anything else the organisers should know"),
    }
