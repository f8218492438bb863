"""Account use cases: sign-up, confirmation, log-in, password and e-mail changes, roles, tokens."""

import hashlib
import re
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp import mail
from webapp.accounts import policies
from webapp.accounts.models import (
    ADMIN,
    DATA_STEWARD,
    RESIDENT,
    ROLES,
    ApiToken,
    Department,
    User,
    UserRole,
)
from webapp.db import unit_of_work, utcnow
from webapp.errors import Conflict, NotFound, ValidationError
from webapp.extensions import db
from webapp.text import one_line

PASSWORD_MIN, PASSWORD_MAX = 10, 128
TOKEN_PREFIX = "fab_"


# --- input rules (shared by HTML forms, the API and the CLI) -------------------------------


def normalise_email(raw):
    """Return the normalised address or raise ValidationError on the `email` field."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(
            "account.email_invalid", fields={"email": [_l("Enter a valid e-mail address.")]}
        ) from None


def check_password_rules(password, field="password"):
    if not password or len(password) < PASSWORD_MIN:
        raise ValidationError(
            "account.password_too_short",
            fields={field: [_l("Use at least %(n)d characters.", n=PASSWORD_MIN)]},
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            "account.password_too_long",
            fields={field: [_l("Use at most %(n)d characters.", n=PASSWORD_MAX)]},
        )


def clean_display_name(raw):
    name = one_line(raw)
    if not 2 <= len(name) <= 80:
        raise ValidationError(
            "account.display_name_invalid",
            fields={"display_name": [_l("Between 2 and 80 characters.")]},
        )
    return name


def check_locale(locale):
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError(
            "account.locale_invalid", fields={"locale": [_l("This language is not available.")]}
        )
    return locale


def find_by_email(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _hash(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


# --- signed links ----------------------------------------------------------------------------


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user):
    # A reset link stops working once the password it was issued for has changed.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _load_token(token, salt, max_age):
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError(
            "account.link_expired", message=_l("This link has expired. Ask for a new one.")
        ) from None
    except BadSignature:
        raise ValidationError(
            "account.link_invalid", message=_l("This link is not valid. Ask for a new one.")
        ) from None


def _send_confirmation(user, address):
    token = _serializer("confirm-email").dumps({"uid": user.id, "email": address})
    mail.send_mail(
        address,
        "confirm_email",
        user.locale,
        subject=_l("Confirm your e-mail address"),
        user=user,
        link=mail.external_url("accounts.confirm_email", token=token),
    )


# --- use cases -------------------------------------------------------------------------------


def sign_up(email, password, display_name, accept_licence, locale):
    """Create an unconfirmed account and mail a confirmation link.

    If the address is taken, the owner is told by mail instead, so the form
    never reveals who has an account. Returns the new user, or None.
    """
    errors = {}
    for rule, args in (
        (normalise_email, (email,)),
        (check_password_rules, (password,)),
        (clean_display_name, (display_name,)),
    ):
        try:
            rule(*args)
        except ValidationError as exc:
            errors.update(exc.fields)
    if not accept_licence:
        errors["accept_licence"] = [_l("You must accept the contribution licence to take part.")]
    if errors:
        raise ValidationError("account.sign_up_invalid", fields=errors)
    email, display_name = normalise_email(email), clean_display_name(display_name)
    locale = check_locale(locale)
    with unit_of_work():
        existing = find_by_email(email)
        if existing is not None:
            mail.send_mail(
                existing.email,
                "already_registered",
                existing.locale,
                subject=_l("You already have an account"),
                user=existing,
                login_link=mail.external_url("accounts.login"),
                reset_link=mail.external_url("accounts.forgot_password"),
            )
            return None
        user = User(
            email=email,
            password_hash=_hash(password),
            display_name=display_name,
            locale=locale,
            licence_version=current_app.config["CONTRIBUTION_LICENCE_VERSION"],
            licence_accepted_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
        _send_confirmation(user, email)
    return user


def resend_confirmation(email):
    """Mail a new confirmation link if an unconfirmed account uses this address."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    with unit_of_work():
        user = find_by_email(email)
        if user is not None and not user.email_confirmed:
            _send_confirmation(user, user.email)


def confirm_email(token):
    """Confirm an address from a mailed link (sign-up or change of address)."""
    data = _load_token(token, "confirm-email", current_app.config["EMAIL_TOKEN_MAX_AGE"])
    with unit_of_work():
        user = db.session.get(User, data.get("uid"))
        if user is None:
            raise NotFound("account.not_found")
        if data.get("email") == user.pending_email:
            if find_by_email(user.pending_email) is not None:
                raise Conflict(
                    "account.email_taken",
                    message=_l("Another account uses this address now."),
                )
            user.email, user.pending_email = user.pending_email, None
        elif data.get("email") != user.email:
            raise ValidationError(
                "account.link_invalid", message=_l("This link is not valid. Ask for a new one.")
            )
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
    return user


def authenticate(email, password):
    """Return the user for these credentials, or raise one generic error."""
    invalid = ValidationError(
        "account.credentials_invalid", message=_l("Wrong e-mail address or password.")
    )
    try:
        email = normalise_email(email)
    except ValidationError:
        raise invalid from None
    user = find_by_email(email)
    if user is None or not check_password_hash(user.password_hash, password or ""):
        raise invalid
    if not user.is_active:
        raise ValidationError(
            "account.disabled", message=_l("This account is disabled. Contact the team.")
        )
    if not user.email_confirmed:
        raise ValidationError(
            "account.unconfirmed",
            message=_l("Confirm your e-mail address first: follow the link we sent you."),
        )
    with unit_of_work():
        user.last_login_at = utcnow()
    return user


def request_password_reset(email):
    """Mail a reset link if an account uses this address; say nothing either way."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    with unit_of_work():
        user = find_by_email(email)
        if user is None or not user.is_active:
            return
        token = _serializer("reset-password").dumps(
            {"uid": user.id, "fp": _password_fingerprint(user)}
        )
        mail.send_mail(
            user.email,
            "reset_password",
            user.locale,
            subject=_l("Reset your password"),
            user=user,
            link=mail.external_url("accounts.reset_password", token=token),
        )


def reset_password(token, new_password):
    """Set a new password from a mailed link; every session is logged out."""
    data = _load_token(token, "reset-password", current_app.config["PASSWORD_RESET_MAX_AGE"])
    check_password_rules(new_password)
    with unit_of_work():
        user = db.session.get(User, data.get("uid"))
        if user is None or data.get("fp") != _password_fingerprint(user):
            raise ValidationError(
                "account.link_invalid", message=_l("This link is not valid. Ask for a new one.")
            )
        _set_password(user, new_password)
        # The link proves the address works.
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
    return user


def _set_password(user, new_password):
    user.password_hash = _hash(new_password)
    user.session_token = secrets.token_hex(16)


def _check_current_password(user, password):
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(
            "account.password_wrong",
            fields={"current_password": [_l("This is not your current password.")]},
        )


def change_password(actor, current_password, new_password):
    """Change the actor's password; other sessions are logged out."""
    _check_current_password(actor, current_password)
    check_password_rules(new_password, field="new_password")
    with unit_of_work():
        _set_password(actor, new_password)
    return actor


def change_email(actor, current_password, new_email):
    """Start a change of address: it takes effect when the new address is confirmed."""
    _check_current_password(actor, current_password)
    new_email = normalise_email(new_email)
    if new_email == actor.email:
        raise ValidationError(
            "account.email_unchanged", fields={"email": [_l("This is already your address.")]}
        )
    with unit_of_work():
        actor.pending_email = new_email
        if find_by_email(new_email) is None:
            _send_confirmation(actor, new_email)
        mail.send_mail(
            actor.email,
            "email_change_requested",
            actor.locale,
            subject=_l("Your e-mail address is being changed"),
            user=actor,
            new_email=new_email,
        )
    return actor


def set_locale(actor, locale):
    check_locale(locale)
    with unit_of_work():
        actor.locale = locale


def logout_everywhere(actor):
    with unit_of_work():
        actor.session_token = secrets.token_hex(16)


def create_user(email, password, display_name, roles=(), department_slug=None, locale="fr"):
    """Create a confirmed account directly (CLI, demo data); no mail is sent."""
    email = normalise_email(email)
    check_password_rules(password)
    display_name = clean_display_name(display_name)
    with unit_of_work():
        if find_by_email(email) is not None:
            raise Conflict(
                "account.email_taken", message=_l("An account already uses this address.")
            )
        department = _department_by_slug(department_slug)
        user = User(
            email=email,
            password_hash=_hash(password),
            display_name=display_name,
            locale=check_locale(locale),
            licence_version=current_app.config["CONTRIBUTION_LICENCE_VERSION"],
            licence_accepted_at=utcnow(),
            email_confirmed_at=utcnow(),
            department=department,
        )
        db.session.add(user)
        _apply_roles(user, roles, department)
    return user


def _department_by_slug(slug):
    if not slug:
        return None
    department = db.session.scalar(select(Department).where(Department.slug == slug))
    if department is None:
        raise ValidationError(
            "account.department_unknown",
            fields={"department": [_l("This department does not exist.")]},
        )
    return department


def _apply_roles(user, roles, department):
    roles = set(roles) - {RESIDENT}
    unknown = roles - set(ROLES)
    if unknown:
        raise ValidationError("account.role_unknown", fields={"roles": [_l("Unknown role.")]})
    if DATA_STEWARD in roles and department is None:
        raise ValidationError(
            "account.steward_needs_department",
            fields={"department": [_l("A data steward must belong to a department.")]},
        )
    current = {row.role: row for row in user.role_rows}
    for role in set(current) - roles:
        user.role_rows.remove(current[role])
    for role in roles - set(current):
        user.role_rows.append(UserRole(role=role))


def update_user(actor, user_id, roles, department_slug, active, is_manager=False):
    """Admin: set a user's roles, department, management and whether the account is active."""
    policies.require(actor, "users.manage")
    with unit_of_work():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound("account.not_found")
        if user.id == actor.id and (ADMIN not in set(roles) or not active):
            raise ValidationError(
                "account.cannot_demote_self",
                message=_l("You cannot remove your own admin role or disable your own account."),
            )
        if user.erased_at is not None:
            raise Conflict("account.erased", message=_l("This account was erased."))
        department = _department_by_slug(department_slug)
        if is_manager and department is None:
            raise ValidationError(
                "account.manager_needs_department",
                fields={"department": [_l("A manager must belong to a department.")]},
            )
        user.department = department
        user.is_manager = bool(is_manager)
        _apply_roles(user, roles, department)
        if user.is_active_account and not active:
            user.session_token = secrets.token_hex(16)
        user.is_active_account = bool(active)
    return user


def create_department(actor, slug, name_fr, name_en):
    """Admin: add one of the institution's services."""
    policies.require(actor, "departments.manage")
    slug = (slug or "").strip().lower()
    errors = {}
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or len(slug) > 80:
        errors["slug"] = [_l("Lower-case letters, digits and hyphens only (e.g. espaces-verts).")]
    names = {}
    for field, value in (("name_fr", name_fr), ("name_en", name_en)):
        names[field] = one_line(value)
        if not 2 <= len(names[field]) <= 200:
            errors[field] = [_l("Between 2 and 200 characters.")]
    if errors:
        raise ValidationError("department.invalid", fields=errors)
    with unit_of_work():
        if db.session.scalar(select(Department).where(Department.slug == slug)) is not None:
            raise ValidationError(
                "department.slug_taken", fields={"slug": [_l("This identifier is already used.")]}
            )
        department = Department(slug=slug, **names)
        db.session.add(department)
    return department


# --- API tokens --------------------------------------------------------------------------------


def _hash_token(plaintext):
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_token(actor, name):
    """Create a personal API token; the plaintext is returned once and never stored."""
    name = one_line(name)
    if not 1 <= len(name) <= 80:
        raise ValidationError(
            "token.name_invalid", fields={"name": [_l("Between 1 and 80 characters.")]}
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        token = ApiToken(
            user_id=actor.id, name=name, prefix=plaintext[:10], token_hash=_hash_token(plaintext)
        )
        db.session.add(token)
    return token, plaintext


def revoke_api_token(actor, token_id):
    with unit_of_work():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != actor.id:
            raise NotFound("token.not_found")
        token.revoked_at = token.revoked_at or utcnow()
    return token


def user_for_token(plaintext):
    """Return the active user owning this unrevoked token, or None."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(plaintext)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token.user
