"""Profiles in the JSON API: the directory, a person, my profile, the skills vocabulary."""

import marshmallow as ma
from flask.views import MethodView
from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate

from webapp.errors import NotFound
from webapp.extensions import db
from webapp.privacy import services as privacy
from webapp.profiles import queries, visibility
from webapp.profiles import services as profiles
from webapp.profiles.models import PROFILE_COLUMNS
from webapp.schemas import JobSchema, StrictSchema, error_responses
from webapp.security import api_user

bp = Blueprint("api_people", __name__, url_prefix="/api/v1", description="Profiles and skills")


class PersonSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    display_name = ma.fields.String(required=True)
    fields = ma.fields.Dict(
        required=True,
        metadata={
            "description": "Only the fields the caller may see; hidden and empty fields are absent"
        },
    )


class PeopleQuerySchema(ma.Schema):
    skill = ma.fields.Integer(load_default=None)
    interest = ma.fields.String(load_default=None, validate=validate.Length(max=60))
    availability = ma.fields.String(
        load_default=None, validate=validate.OneOf(profiles.AVAILABILITY)
    )


class SkillSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    curated = ma.fields.Boolean(required=True)


LEVEL = ma.fields.String(validate=validate.OneOf(visibility.LEVELS))


class MyProfileSchema(StrictSchema):
    display_name = ma.fields.String()
    bio = ma.fields.String(allow_none=True)
    interests = ma.fields.List(ma.fields.String())
    languages = ma.fields.List(ma.fields.String())
    neighbourhood = ma.fields.String(allow_none=True)
    links = ma.fields.List(ma.fields.String())
    availability = ma.fields.String(allow_none=True)
    job_title = ma.fields.String(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    skill_ids = ma.fields.List(ma.fields.Integer())
    new_skills = ma.fields.List(ma.fields.String(), load_only=True)
    visibility = ma.fields.Dict(keys=ma.fields.String(), values=LEVEL)


def _my_profile(user):
    record = visibility.profile_of(user)
    body = {
        "display_name": user.display_name,
        "skill_ids": [s.id for s in visibility.skills_of(user)],
        "visibility": {f: visibility.effective_level(f, record) for f in visibility.FIELDS},
    }
    for key in PROFILE_COLUMNS:
        empty = [] if isinstance(MyProfileSchema._declared_fields[key], ma.fields.List) else None
        body[key] = getattr(record, key) if record is not None else empty
    return body


@bp.route("/people")
class PeopleResource(MethodView):
    @bp.arguments(PeopleQuerySchema, location="query")
    @bp.response(200, PersonSchema(many=True))
    @error_responses(bp, 401, 422)
    def get(self, args):
        """Search the skills directory; each person shows only what they share with you."""
        return queries.search(
            api_user(), args["skill"], args["interest"], args["availability"], str(get_locale())
        )


@bp.route("/people/<int:user_id>")
class PersonResource(MethodView):
    @bp.response(200, PersonSchema)
    @error_responses(bp, 404)
    def get(self, user_id):
        """One person, as far as they share it with you."""
        from webapp.accounts.models import User

        owner = db.session.get(User, user_id)
        if owner is None or owner.erased_at is not None:
            raise NotFound("profile.not_found")
        return visibility.visible_profile(current_user, owner, locale=str(get_locale()))


@bp.route("/me/profile")
class MyProfileResource(MethodView):
    @bp.response(200, MyProfileSchema)
    @error_responses(bp, 401)
    def get(self):
        """Your own profile, with the audience of each field."""
        return _my_profile(api_user())

    @bp.arguments(MyProfileSchema)
    @bp.response(200, MyProfileSchema)
    @error_responses(bp, 401, 422)
    def put(self, data):
        """Replace your profile fields, skills and visibility choices."""
        user = api_user()
        current = _my_profile(user)
        merged = {
            **current,
            **{k: v for k, v in data.items() if k not in ("visibility", "new_skills")},
        }
        skills = None
        if "skill_ids" in data or "new_skills" in data:
            skills = (data.get("skill_ids", current["skill_ids"]), data.get("new_skills", []))
        profiles.save_profile(user, merged, skills, data.get("visibility"))
        return _my_profile(user)


@bp.route("/me/export")
class MyExportResource(MethodView):
    @bp.response(202, JobSchema)
    @error_responses(bp, 401)
    def post(self):
        """Start building a zip of all your data; follow it at /api/v1/jobs/{id}."""
        from webapp.api import job_body

        job = privacy.request_export(api_user())
        return job_body(db.session.get(type(job), job.id))


@bp.route("/skills")
class SkillsResource(MethodView):
    @bp.response(200, SkillSchema(many=True))
    def get(self):
        """The shared skills vocabulary (curated skills only)."""
        locale = str(get_locale())
        return [
            {"id": s.id, "name": s.name(locale), "curated": s.curated}
            for s in queries.vocabulary(curated_only=True)
        ]
