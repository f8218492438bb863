"""Helpers shared by the pipeline's page tests: dataset requests through their services."""

import html
import itertools
import re

from flask_babel import force_locale, gettext, ngettext
from markupsafe import escape

from crowdsourcing.models import Submission
from crowdsourcing.services import moderation
from crowdsourcing.services import requests as dataset_requests
from tests import factories
from webapp.extensions import db

_seq = itertools.count(1)
VERSION = re.compile(r'id="(\w+)-version" name="version" type="hidden" value="(\d+)"')


def dataset_request(requester=None, title=None, **data):
    """A pending dataset request and its submission."""
    requester = requester or factories.user()
    fields = {
        "title": title or f"Arbres d'alignement {next(_seq)}",
        "description": "Les arbres des rues, avec leur essence et leur âge.",
        "intended_use": "Une carte des ombres en été",
        **data,
    }
    request = dataset_requests.create(requester, fields)
    return request, dataset_requests.submission_of(request)


def published_request(moderator, requester=None, title=None, **data):
    request, submission = dataset_request(requester, title, **data)
    moderation.decide(moderator, submission.id, submission.version, "approve")
    return request, submission


def reload(submission):
    db.session.expire_all()
    return db.session.get(Submission, submission.id)


def versions(page_html):
    """The hidden `version` of each decision form of an item page, by action."""
    return {action: int(v) for action, v in VERSION.findall(page_html)}


def link_with(page_html, fragment):
    """The first href containing `fragment`, unescaped."""
    for href in re.findall(r'href="([^"]+)"', page_html):
        if fragment in href:
            return html.unescape(href)
    raise AssertionError(f"no link containing {fragment!r}")


def fr(msgid, plural=None, count=None, **params):
    """A message as the French pages show it (escaped), whether or not it is translated yet."""
    with force_locale("fr"):
        text = ngettext(msgid, plural, count, **params) if plural else gettext(msgid, **params)
    return str(escape(text))
