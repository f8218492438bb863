"""API schemas of the kernel (marshmallow): they document and parse, services decide."""

import marshmallow as ma
from marshmallow import validate

import webapp.validation  # noqa: F401  (translated messages, before any field is declared)


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable dotted code"})
    message = ma.fields.String(required=True, metadata={"description": "Translated message"})
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={"description": "Messages per invalid field"},
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


class JobSchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True, validate=validate.OneOf(["queued", "started", "finished", "failed"])
    )
    progress = ma.fields.Integer(required=True, metadata={"description": "0 to 100"})
    message = ma.fields.String(allow_none=True)
    result = ma.fields.Raw(allow_none=True)
    failed = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    started_at = ma.fields.DateTime(allow_none=True)
    ended_at = ma.fields.DateTime(allow_none=True)


class DepartmentSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    locale = ma.fields.String(allow_none=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    department = ma.fields.Nested(DepartmentSchema, allow_none=True)
    unread_notifications = ma.fields.Integer(required=True)


class TokenCreateSchema(StrictSchema):
    name = ma.fields.String(required=True)


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = ma.fields.String(required=True, metadata={"description": "Shown once"})


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    link = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    read_at = ma.fields.DateTime(allow_none=True)


class EventSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(allow_none=True)
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    address = ma.fields.String(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    capacity = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(required=True)
    is_open = ma.fields.Boolean(required=True)


class RegistrationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_id = ma.fields.Integer(required=True, attribute="list_id")
    status = ma.fields.String(
        required=True, validate=validate.OneOf(["confirmed", "waitlisted", "cancelled"])
    )
    waitlist_position = ma.fields.Integer(allow_none=True)
    confirmed_at = ma.fields.DateTime(allow_none=True)
    waitlisted_at = ma.fields.DateTime(allow_none=True)


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True)
    database = ma.fields.String(required=True)


def error_responses(blueprint, *statuses):
    """Document the error statuses an endpoint may answer, all with the one error shape."""

    def decorate(view):
        for status in statuses:
            view = blueprint.alt_response(status, schema=ErrorSchema)(view)
        return view

    return decorate
