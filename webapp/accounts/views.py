"""Sign-up, confirmation, log-in/out, password reset, and the account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from webapp.accounts import forms
from webapp.accounts import services as accounts
from webapp.accounts.models import ApiToken
from webapp.errors import ValidationError
from webapp.extensions import db, limiter
from webapp.urls import is_local

bp = Blueprint("accounts", __name__)


def _auth_limit():
    return current_app.config["AUTH_RATE_LIMIT"]


def _safe_next(default="web.home"):
    target = request.args.get("next") or request.form.get("next") or ""
    if is_local(target):
        return target
    return url_for(default)


def _render_with_errors(template, form, error, status=422, **context):
    forms.flash_errors(form, error)
    return render_template(template, form=form, **context), status


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def signup():
    form = forms.SignUpForm()
    if form.validate_on_submit():
        from webapp.i18n import select_locale

        try:
            accounts.sign_up(
                form.email.data,
                form.password.data,
                form.display_name.data,
                form.accept_licence.data,
                select_locale(),
            )
        except ValidationError as error:
            return _render_with_errors("accounts/signup.html", form, error)
        return render_template("accounts/check_mail.html", email=form.email.data)
    status = 422 if form.errors else 200
    return render_template("accounts/signup.html", form=form), status


@bp.get("/confirm/<token>")
def confirm_email(token):
    try:
        user = accounts.confirm_email(token)
    except ValidationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("accounts.resend_confirmation"))
    flash(_("Your e-mail address is confirmed."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def resend_confirmation():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        accounts.resend_confirmation(form.email.data)
        return render_template("accounts/check_mail.html", email=form.email.data)
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next())
    form = forms.LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except ValidationError as error:
            return _render_with_errors("accounts/login.html", form, error, status=401)
        login_user(user, remember=form.remember.data)
        flash(_("Welcome, %(name)s.", name=user.display_name), "success")
        return redirect(_safe_next())
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    forms.EmptyForm()  # CSRF is checked globally; the form only renders the token
    if current_user.is_authenticated:
        # The session lives in a signed cookie, not on the server: a copy taken before
        # log-out would keep working unless the token it carries changes.
        accounts.logout_everywhere(current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("web.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def forgot_password():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("accounts/check_mail.html", email=form.email.data, reset=True)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_password(token):
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ValidationError as error:
            return _render_with_errors("accounts/reset_password.html", form, error)
        logout_user()
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _account_page(status=200, **forms_override):
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    context = {
        "password_form": forms.ChangePasswordForm(prefix="pw"),
        "email_form": forms.ChangeEmailForm(prefix="em"),
        "token_form": forms.TokenForm(prefix="tk"),
        "empty_form": forms.EmptyForm(),
        "tokens": tokens,
    }
    context.update(forms_override)
    return render_template("accounts/account.html", **context), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password():
    form = forms.ChangePasswordForm(prefix="pw")
    if not form.validate_on_submit():
        return _account_page(422, password_form=form)
    try:
        # The real object, not the proxy: login_user stores it as the current user.
        user = accounts.change_password(
            current_user._get_current_object(), form.current_password.data, form.new_password.data
        )
    except ValidationError as error:
        forms.apply_errors(form, error)
        return _account_page(422, password_form=form)
    login_user(user)  # this session carries the new session token; the others end
    flash(_("Your password is changed. Your other sessions are logged out."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/email")
@login_required
def change_email():
    form = forms.ChangeEmailForm(prefix="em")
    if not form.validate_on_submit():
        return _account_page(422, email_form=form)
    try:
        accounts.change_email(current_user, form.current_password.data, form.email.data)
    except ValidationError as error:
        forms.apply_errors(form, error)
        return _account_page(422, email_form=form)
    flash(_("Follow the link we sent to your new address to finish the change."), "info")
    return redirect(url_for("accounts.account"))


@bp.post("/account/tokens")
@login_required
def create_token():
    form = forms.TokenForm(prefix="tk")
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    try:
        _token, plaintext = accounts.create_api_token(current_user, form.name.data)
    except ValidationError as error:
        forms.apply_errors(form, error)
        return _account_page(422, token_form=form)
    return _account_page(201, new_token=plaintext)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    accounts.revoke_api_token(current_user, token_id)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    accounts.logout_everywhere(current_user)
    logout_user()
    flash(_("You are logged out on every device."), "success")
    return redirect(url_for("accounts.login"))
