"""Posting a comment from a dataset request, backlog item or dataset page."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crowdsourcing import forms
from crowdsourcing.services import comments
from crowdsourcing.views import _back, _user, bp
from webapp.accounts.forms import flash_errors
from webapp.errors import ValidationError


def comment_context(target_type, target_id):
    """What the comments block of a page needs: the visible comments and an empty form."""
    return {
        "comments": comments.visible(current_user, target_type, target_id),
        "comment_form": forms.CommentForm(formdata=None),
        "comment_action": url_for(
            "crowdsourcing.post_comment", target_type=target_type, target_id=target_id
        ),
    }


@bp.post("/comments/<target_type>/<int:target_id>")
@login_required
def post_comment(target_type, target_id):
    form = forms.CommentForm()
    back = _back(url_for("web.home"))
    try:
        comment = comments.create(_user(), target_type, target_id, form.body.data)
    except ValidationError as error:
        flash_errors(form, error)
        return render_template(
            "crowdsourcing/comment_form.html",
            form=form,
            back=back,
            action=url_for(".post_comment", target_type=target_type, target_id=target_id),
        ), 422
    flash(_("Your comment is published."), "success")
    return redirect(f"{back}#comment-{comment.id}")
