"""Confirmations of features ("I saw it too"): once per member, never one's own, only
published features, and a counter that never makes an editor's revision stale."""

import pytest
from flask_login import AnonymousUserMixin

from mapping.models import FeatureConfirmation
from mapping.services import features
from tests import factories
from tests.mapping.helpers import count, fresh, moderator
from tests.mapping.test_features import PINE, refused
from webapp.errors import Conflict, NotFound, PermissionDenied

pytestmark = pytest.mark.usefixtures("english")


def published_feature(author=None):
    return factories.feature(factories.inventory(moderation_mode="post"), author)


def test_confirm_counts_once_per_member(session):
    feature = published_feature()
    first, second = factories.user(), factories.user()
    assert features.confirm(first, feature.id).confirmations == 1
    assert features.confirm(second, feature.id).confirmations == 2
    error = refused(Conflict, features.confirm, first, feature.id)
    assert error.code == "feature.already_confirmed"
    assert fresh(feature).confirmations == 2
    assert count(FeatureConfirmation) == 2


def test_confirm_refuses_the_author_of_the_feature(session):
    author = factories.user()
    feature = published_feature(author)
    error = refused(Conflict, features.confirm, author, feature.id)
    assert error.code == "feature.own"
    assert fresh(feature).confirmations == 0


def test_confirm_refuses_features_that_are_not_published(session):
    author = factories.user()
    feature = factories.feature(factories.inventory(), author)
    error = refused(Conflict, features.confirm, moderator(), feature.id)
    assert error.code == "feature.not_published"
    error = refused(NotFound, features.confirm, factories.user(), feature.id)
    assert error.code == "feature.not_found"


def test_confirm_refuses_visitors_who_are_not_logged_in(session):
    feature = published_feature()
    for actor in (None, AnonymousUserMixin()):
        error = refused(PermissionDenied, features.confirm, actor, feature.id)
        assert error.code == "feature.login_required"


def test_confirm_does_not_make_an_editor_s_revision_stale(session):
    author = factories.user()
    feature = published_feature(author)
    features.confirm(factories.user(), feature.id)
    assert features.update(author, feature.id, 1, properties=PINE).revision == 2


def test_unconfirm_takes_one_s_confirmation_back_once(session):
    feature = published_feature()
    member = factories.user()
    features.confirm(member, feature.id)
    assert features.unconfirm(member, feature.id).confirmations == 0
    error = refused(NotFound, features.unconfirm, member, feature.id)
    assert error.code == "feature.confirmation_not_found"
    error = refused(PermissionDenied, features.unconfirm, None, feature.id)
    assert error.code == "feature.login_required"
    assert fresh(feature).confirmations == 0
