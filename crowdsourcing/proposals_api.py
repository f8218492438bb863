"""App proposals in the JSON API: submit and edit, stage and progress, screenshots, supports,
jury scores, the ranking, exports, the showcase and the apps of a dataset."""

import marshmallow as ma
from flask import Response, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate

from crowdsourcing import hackathon_queries
from crowdsourcing.hackathon_models import STAGES
from crowdsourcing.hackathon_serializers import proposal_to_dict
from crowdsourcing.services import catalogue, hackathons, jury, proposals
from webapp.errors import ValidationError
from webapp.schemas import StrictSchema, error_responses
from webapp.security import api_user

bp = Blueprint(
    "api_proposals", __name__, url_prefix="/api/v1", description="App proposals, showcase and jury"
)


class ProgressSchema(ma.Schema):
    stage = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class ProposalSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    hackathon = ma.fields.String(required=True, metadata={"description": "Hackathon slug"})
    title = ma.fields.String(required=True)
    pitch = ma.fields.String(required=True)
    problem = ma.fields.String(required=True)
    target_users = ma.fields.String(required=True)
    team_id = ma.fields.Integer(allow_none=True)
    challenge_id = ma.fields.Integer(allow_none=True)
    datasets = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Dataset slugs"}
    )
    missing_data_requests = ma.fields.List(
        ma.fields.Integer(), required=True, metadata={"description": "Dataset request ids"}
    )
    repository_url = ma.fields.String(allow_none=True)
    demo_url = ma.fields.String(allow_none=True)
    licence = ma.fields.String(allow_none=True)
    stage = ma.fields.String(required=True, validate=validate.OneOf(STAGES))
    status = ma.fields.String(allow_none=True, metadata={"description": "Moderation status"})
    credits = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Imported teams' pseudonyms"}
    )
    screenshots = ma.fields.List(ma.fields.String(), required=True)
    progress = ma.fields.List(ma.fields.Nested(ProgressSchema), required=True)
    supporters = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


class MissingSchema(StrictSchema):
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)


class ProposalInSchema(StrictSchema):
    title = ma.fields.String(required=True)
    pitch = ma.fields.String(required=True)
    problem = ma.fields.String(load_default="")
    target_users = ma.fields.String(load_default="")
    datasets = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "At least one catalogue dataset slug"},
    )
    missing = ma.fields.List(
        ma.fields.Nested(MissingSchema),
        load_default=list,
        metadata={"description": "Each becomes a dataset request linked to the proposal"},
    )
    repository_url = ma.fields.String(load_default=None, allow_none=True)
    demo_url = ma.fields.String(load_default=None, allow_none=True)
    licence = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(proposals.CODE_LICENCES)
    )
    team = ma.fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "Your team's id"}
    )
    challenge = ma.fields.Integer(load_default=None, allow_none=True)
    stage = ma.fields.String(load_default="idea", validate=validate.OneOf(STAGES))


class StageInSchema(StrictSchema):
    stage = ma.fields.String(required=True, validate=validate.OneOf(STAGES))
    note = ma.fields.String(load_default=None, allow_none=True)


class ProgressInSchema(StrictSchema):
    body = ma.fields.String(required=True)


class SupportSchema(ma.Schema):
    supporters = ma.fields.Integer(required=True)


class ScoreInSchema(StrictSchema):
    criterion_id = ma.fields.Integer(required=True)
    value = ma.fields.Integer(
        required=True, strict=True, metadata={"description": "0 to the criterion's scale"}
    )


class ScoreSchema(ma.Schema):
    proposal_id = ma.fields.Integer(required=True)
    criterion_id = ma.fields.Integer(required=True)
    value = ma.fields.Integer(required=True)


class RankSchema(ma.Schema):
    rank = ma.fields.Integer(allow_none=True)
    proposal_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    total = ma.fields.Float(allow_none=True, metadata={"description": "Weighted score out of 100"})
    jurors = ma.fields.Integer(required=True)


class ExportQuerySchema(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


def _body(proposal):
    return proposal_to_dict(proposal)


@bp.route("/hackathons/<slug>/proposals")
class ProposalsResource(MethodView):
    @bp.response(200, ProposalSchema(many=True))
    @error_responses(bp, 404)
    def get(self, slug):
        """The published proposals of a hackathon."""
        return [_body(p) for p in hackathon_queries.public_proposals(hackathons.get(slug))]

    @bp.arguments(ProposalInSchema)
    @bp.response(201, ProposalSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, slug):
        """Submit a proposal (participants): public once a moderator approves it."""
        return _body(proposals.submit(api_user(), hackathons.get(slug).id, data))


@bp.route("/proposals/<int:proposal_id>")
class ProposalResource(MethodView):
    @bp.response(200, ProposalSchema)
    @error_responses(bp, 404)
    def get(self, proposal_id):
        """One proposal: published, or yours, or as organiser, juror or moderator."""
        return _body(proposals.get_visible(current_user, proposal_id))

    @bp.arguments(ProposalInSchema)
    @bp.response(200, ProposalSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def put(self, data, proposal_id):
        """Edit a proposal while submissions are open (its team)."""
        return _body(proposals.update(api_user(), proposal_id, data))


@bp.route("/proposals/<int:proposal_id>/stage")
class StageResource(MethodView):
    @bp.arguments(StageInSchema)
    @bp.response(200, ProposalSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, proposal_id):
        """Move forward: idea, prototype, released (logged)."""
        return _body(proposals.set_stage(api_user(), proposal_id, data["stage"], data["note"]))


@bp.route("/proposals/<int:proposal_id>/progress")
class ProgressResource(MethodView):
    @bp.arguments(ProgressInSchema)
    @bp.response(201, ProgressSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def post(self, data, proposal_id):
        """Add a line to the progress log (its team)."""
        return proposals.log_progress(api_user(), proposal_id, data["body"])


@bp.route("/proposals/<int:proposal_id>/screenshots")
class ScreenshotsResource(MethodView):
    @bp.response(201, ProposalSchema)
    @error_responses(bp, 401, 403, 404, 409, 413, 422)
    def post(self, proposal_id):
        """Add a screenshot (multipart field `file`, optional `caption`): PNG, JPEG or WebP,
        under 5 MB, re-encoded without metadata."""
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError("screenshot.invalid", fields={"file": [_l("Choose an image.")]})
        proposals.add_screenshot(
            api_user(), proposal_id, upload.read(), request.form.get("caption")
        )
        return _body(proposals.get(proposal_id))


@bp.route("/proposals/<int:proposal_id>/support")
class SupportResource(MethodView):
    @bp.response(200, SupportSchema)
    @error_responses(bp, 401, 404, 409)
    def post(self, proposal_id):
        """Support a published proposal (once per member)."""
        return {"supporters": proposals.support(api_user(), proposal_id)}

    @bp.response(200, SupportSchema)
    @error_responses(bp, 401, 404)
    def delete(self, proposal_id):
        """Withdraw your support."""
        return {"supporters": proposals.withdraw_support(api_user(), proposal_id)}


@bp.route("/proposals/<int:proposal_id>/scores")
class ScoresResource(MethodView):
    @bp.arguments(ScoreInSchema)
    @bp.response(200, ScoreSchema)
    @error_responses(bp, 401, 403, 404, 409, 422)
    def put(self, data, proposal_id):
        """Score a proposal on one criterion (jurors, during judging); again to change it."""
        return jury.score(api_user(), proposal_id, data["criterion_id"], data["value"])


@bp.route("/hackathons/<slug>/ranking")
class RankingResource(MethodView):
    @bp.response(200, RankSchema(many=True))
    @error_responses(bp, 403, 404)
    def get(self, slug):
        """The weighted ranking: organisers during judging, everyone once published."""
        _hackathon, rows = jury.ranking(current_user, hackathons.get(slug).id)
        return [
            {
                "rank": r["rank"],
                "proposal_id": r["proposal"].id,
                "title": r["proposal"].title,
                "total": r["total"],
                "jurors": r["jurors"],
            }
            for r in rows
        ]


@bp.route("/hackathons/<slug>/results")
class ResultsResource(MethodView):
    @bp.response(204)
    @error_responses(bp, 401, 403, 404, 409)
    def post(self, slug):
        """Publish the results (organisers): judging ends, scores are final."""
        jury.publish_results(api_user(), hackathons.get(slug).id)


@bp.route("/hackathons/<slug>/export/<any(proposals, scores):what>")
class ExportResource(MethodView):
    @bp.arguments(ExportQuerySchema, location="query")
    @bp.response(200, content_type="application/json")
    @bp.alt_response(200, content_type="text/csv", success=True, description="With format=csv")
    @error_responses(bp, 401, 403, 404, 422)
    def get(self, args, slug, what):
        """Export the proposals or the scores with the ranking, as JSON or CSV (organisers)."""
        export = jury.export_proposals if what == "proposals" else jury.export_scores
        body = export(api_user(), hackathons.get(slug).id, args["format"])
        mimetype = "text/csv" if args["format"] == "csv" else "application/json"
        filename = f"{slug}-{what}.{args['format']}"
        return Response(
            body,
            mimetype=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


@bp.route("/showcase")
class ShowcaseResource(MethodView):
    @bp.response(200, ProposalSchema(many=True))
    def get(self):
        """Released apps, approved, with the datasets they use."""
        return [_body(p) for p in hackathon_queries.showcase()]


@bp.route("/datasets/<slug>/apps")
class DatasetAppsResource(MethodView):
    @bp.response(200, ProposalSchema(many=True))
    @error_responses(bp, 404)
    def get(self, slug):
        """Published app proposals built on a catalogue dataset."""
        return [_body(p) for p in hackathon_queries.apps_of_dataset(catalogue.get(slug).id)]
