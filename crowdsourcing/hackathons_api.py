"""Hackathons in the JSON API: list, create, phases, challenges, criteria, jury,
registration, looking for a team, teams, invitations and the team finder."""

import marshmallow as ma
from flask.views import MethodView
from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate

from crowdsourcing import hackathon_queries
from crowdsourcing.hackathon_models import PHASES
from crowdsourcing.hackathon_serializers import hackathon_to_dict, team_to_dict
from crowdsourcing.services import hackathons, teams
from webapp.schemas import RegistrationSchema, StrictSchema, error_responses
from webapp.security import api_user

bp = Blueprint("api_hackathons", __name__, url_prefix="/api/v1", description="Hackathons and teams")


class ChallengeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    question = ma.fields.String(required=True)
    department = ma.fields.String(allow_none=True)
    datasets = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Dataset slugs"}
    )
    backlog_items = ma.fields.List(ma.fields.Integer(), required=True)


class CriterionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    weight = ma.fields.Integer(required=True)
    scale_max = ma.fields.Integer(
        required=True, metadata={"description": "Scores go from 0 to this"}
    )


class HackathonSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    rules = ma.fields.String(required=True)
    phase = ma.fields.String(required=True, validate=validate.OneOf(PHASES))
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    online = ma.fields.Boolean(required=True)
    address = ma.fields.String(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    online_url = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(required=True)
    registration_open = ma.fields.Boolean(required=True)
    event_id = ma.fields.Integer(required=True, metadata={"description": "Its /api/v1/events id"})
    team_size_max = ma.fields.Integer(required=True)
    results_published_at = ma.fields.DateTime(allow_none=True)
    source = ma.fields.String(required=True)
    challenges = ma.fields.List(ma.fields.Nested(ChallengeSchema), required=True)
    criteria = ma.fields.List(ma.fields.Nested(CriterionSchema), required=True)


class HackathonInSchema(StrictSchema):
    title = ma.fields.String(required=True)
    summary = ma.fields.String(load_default="")
    description = ma.fields.String(load_default="")
    rules = ma.fields.String(load_default="")
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    capacity = ma.fields.Integer(required=True)
    team_size_max = ma.fields.Integer(load_default=5)
    online = ma.fields.Boolean(load_default=False)
    online_url = ma.fields.String(load_default=None, allow_none=True)
    address = ma.fields.String(load_default=None, allow_none=True)
    lon = ma.fields.Float(load_default=None, allow_none=True)
    lat = ma.fields.Float(load_default=None, allow_none=True)


class PhaseInSchema(StrictSchema):
    phase = ma.fields.String(required=True, validate=validate.OneOf(PHASES))


class ChallengeInSchema(StrictSchema):
    title = ma.fields.String(required=True)
    question = ma.fields.String(required=True)
    department = ma.fields.String(load_default=None, allow_none=True)
    datasets = ma.fields.List(ma.fields.String(), load_default=list)
    backlog_items = ma.fields.List(ma.fields.Integer(), load_default=list)


class CriterionInSchema(StrictSchema):
    name = ma.fields.String(required=True)
    description = ma.fields.String(load_default="")
    weight = ma.fields.Integer(load_default=1)
    scale_max = ma.fields.Integer(load_default=10)


class UserRefSchema(StrictSchema):
    user_id = ma.fields.Integer(required=True)


class LookingInSchema(StrictSchema):
    note = ma.fields.String(load_default=None, allow_none=True)


class MemberSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    display_name = ma.fields.String(
        required=True, metadata={"description": "As their privacy allows"}
    )
    role = ma.fields.String(allow_none=True)


class TeamSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    capacity = ma.fields.Integer(required=True)
    member_count = ma.fields.Integer(required=True)
    skills_sought = ma.fields.List(ma.fields.String(), required=True)
    members = ma.fields.List(ma.fields.Nested(MemberSchema), required=True)


class TeamInSchema(StrictSchema):
    name = ma.fields.String(required=True)
    description = ma.fields.String(load_default="")
    skills = ma.fields.List(
        ma.fields.Integer(), load_default=list, metadata={"description": "Skill ids sought"}
    )


class RoleInSchema(StrictSchema):
    role = ma.fields.String(required=True, allow_none=True)


class InviteSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)


class FinderQuerySchema(ma.Schema):
    skill = ma.fields.Integer(load_default=None, metadata={"description": "Skill id"})
    availability = ma.fields.String(
        load_default=None, validate=validate.OneOf(["unavailable", "occasionally", "available"])
    )


class FinderPersonSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    display_name = ma.fields.String(required=True)
    fields = ma.fields.Dict(required=True, metadata={"description": "Only the fields you may see"})
    looking = ma.fields.Boolean(required=True)
    note = ma.fields.String(allow_none=True)


def _locale():
    return str(get_locale())


@bp.route("/hackathons")
class HackathonsResource(MethodView):
    @bp.response(200, HackathonSchema(many=True))
    def get(self):
        """Every hackathon, the most recent first."""
        return [hackathon_to_dict(x) for x in hackathon_queries.hackathons()]

    @bp.arguments(HackathonInSchema)
    @bp.response(201, HackathonSchema)
    @error_responses(bp, 401, 403, 422)
    def post(self, data):
        """Create a hackathon (organisers); it opens in registration."""
        return hackathon_to_dict(hackathons.create(api_user(), data))


@bp.route("/hackathons/<slug>")
class HackathonResource(MethodView):
    @bp.response(200, HackathonSchema)
    @error_responses(bp, 404)
    def get(self, slug):
        """One hackathon with its challenges and criteria."""
        return hackathon_to_dict(hackathons.get(slug))


@bp.route("/hackathons/<slug>/phase")
class PhaseResource(MethodView):
    @bp.arguments(PhaseInSchema)
    @bp.response(200, HackathonSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, slug):
        """Move to another phase (its organisers): registration, building, submission_closed,
        judging, results."""
        return hackathon_to_dict(
            hackathons.set_phase(api_user(), hackathons.get(slug).id, data["phase"])
        )


@bp.route("/hackathons/<slug>/challenges")
class ChallengesResource(MethodView):
    @bp.arguments(ChallengeInSchema)
    @bp.response(201, ChallengeSchema)
    @error_responses(bp, 401, 403, 404, 422)
    def post(self, data, slug):
        """Add a department's challenge, with its datasets and backlog items (organisers)."""
        from crowdsourcing.hackathon_serializers import challenge_to_dict

        return challenge_to_dict(
            hackathons.add_challenge(api_user(), hackathons.get(slug).id, data)
        )


@bp.route("/hackathons/<slug>/criteria")
class CriteriaResource(MethodView):
    @bp.arguments(CriterionInSchema)
    @bp.response(201, CriterionSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, slug):
        """Add a scoring criterion before judging (organisers)."""
        return hackathons.add_criterion(api_user(), hackathons.get(slug).id, data)


@bp.route("/hackathons/<slug>/jury")
class JuryResource(MethodView):
    @bp.arguments(UserRefSchema)
    @bp.response(201, HackathonSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, slug):
        """Name a juror (organisers)."""
        return hackathon_to_dict(
            hackathons.add_juror(api_user(), hackathons.get(slug).id, data["user_id"])
        )


@bp.route("/hackathons/<slug>/registration")
class RegistrationResource(MethodView):
    @bp.response(201, RegistrationSchema)
    @error_responses(bp, 401, 404, 409, 422)
    def post(self, slug):
        """Register (or join the waitlist); the invitation with its .ics file is e-mailed."""
        return hackathons.register(api_user(), hackathons.get(slug).id)

    @bp.response(200, RegistrationSchema)
    @error_responses(bp, 401, 404)
    def delete(self, slug):
        """Cancel one's registration (one leaves one's team while teams can change)."""
        return hackathons.cancel(api_user(), hackathons.get(slug).id)


@bp.route("/hackathons/<slug>/looking")
class LookingResource(MethodView):
    @bp.arguments(LookingInSchema)
    @bp.response(204)
    @error_responses(bp, 401, 403, 404, 422)
    def put(self, data, slug):
        """Say you are looking for a team (participants)."""
        hackathons.set_looking(api_user(), hackathons.get(slug).id, True, data["note"])

    @bp.response(204)
    @error_responses(bp, 401, 403, 404)
    def delete(self, slug):
        """Stop saying you are looking for a team."""
        hackathons.set_looking(api_user(), hackathons.get(slug).id, False)


@bp.route("/hackathons/<slug>/teams")
class TeamsResource(MethodView):
    @bp.response(200, TeamSchema(many=True))
    @error_responses(bp, 404)
    def get(self, slug):
        """The teams, their members (as each one's privacy allows) and the skills they seek."""
        hackathon = hackathons.get(slug)
        return [
            team_to_dict(current_user, t, _locale()) for t in hackathon_queries.teams(hackathon)
        ]

    @bp.arguments(TeamInSchema)
    @bp.response(201, TeamSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, slug):
        """Create a team (participants); you are its first member."""
        team = teams.create(api_user(), hackathons.get(slug).id, data)
        return team_to_dict(current_user, team, _locale())


@bp.route("/hackathons/<slug>/finder")
class FinderResource(MethodView):
    @bp.arguments(FinderQuerySchema, location="query")
    @bp.response(200, FinderPersonSchema(many=True))
    @error_responses(bp, 401, 403, 404, 422)
    def get(self, args, slug):
        """People without a team by skill and availability (only what their privacy shows);
        without criteria, the people looking for a team."""
        hackathon = hackathons.get(slug)
        return teams.find_people(
            api_user(), hackathon, args["skill"], args["availability"], _locale()
        )


@bp.route("/teams/<int:team_id>")
class TeamResource(MethodView):
    @bp.arguments(TeamInSchema)
    @bp.response(200, TeamSchema)
    @error_responses(bp, 401, 403, 404, 422)
    def patch(self, data, team_id):
        """Edit the team's name, description and skills sought (members)."""
        return team_to_dict(current_user, teams.update(api_user(), team_id, data), _locale())


@bp.route("/teams/<int:team_id>/members")
class MembersResource(MethodView):
    @bp.response(201, TeamSchema)
    @error_responses(bp, 401, 403, 404, 409)
    def post(self, team_id):
        """Join a team that has room (participants without a team)."""
        return team_to_dict(current_user, teams.join(api_user(), team_id), _locale())

    @bp.response(204)
    @error_responses(bp, 401, 404, 409)
    def delete(self, team_id):
        """Leave the team."""
        teams.leave(api_user(), team_id)


@bp.route("/teams/<int:team_id>/role")
class RoleResource(MethodView):
    @bp.arguments(RoleInSchema)
    @bp.response(200, MemberSchema)
    @error_responses(bp, 401, 403, 404, 422)
    def put(self, data, team_id):
        """Say what you do in the team."""
        member = teams.set_role(api_user(), team_id, data["role"])
        return {"id": member.user_id, "display_name": member.user.display_name, "role": member.role}


@bp.route("/teams/<int:team_id>/invites")
class InvitesResource(MethodView):
    @bp.arguments(UserRefSchema)
    @bp.response(201, InviteSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, team_id):
        """Invite someone to the team (members); they are notified."""
        return teams.invite(api_user(), team_id, data["user_id"])


@bp.route("/invites/<int:invite_id>/<any(accept, decline):answer>")
class InviteAnswerResource(MethodView):
    @bp.response(200, InviteSchema)
    @error_responses(bp, 401, 403, 404, 409)
    def post(self, invite_id, answer):
        """Accept or decline an invitation addressed to you."""
        if answer == "accept":
            team = teams.accept(api_user(), invite_id)
            return next(i for i in _invites(team) if i.id == invite_id)
        return teams.decline(api_user(), invite_id)


def _invites(team):
    from sqlalchemy import select

    from crowdsourcing.hackathon_models import TeamInvite
    from webapp.extensions import db

    return db.session.scalars(select(TeamInvite).where(TeamInvite.team_id == team.id)).all()
