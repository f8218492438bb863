"""Notification centre: the list, open one (marks it read), mark all as read."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.notifications import queries
from webapp.notifications import services as notifications
from webapp.urls import is_local

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    before = request.args.get("before", type=int)
    rows, next_before = queries.page_for(current_user, before_id=before)
    return render_template(
        "notifications/index.html",
        notifications=rows,
        next_before=next_before,
        render=notifications.render,
    )


@bp.post("/<int:notification_id>/open")
@login_required
def open(notification_id):
    notification = notifications.mark_read(current_user, notification_id)
    link = notification.link or url_for("notifications.index")
    if not is_local(link):
        link = url_for("notifications.index")
    return redirect(link)


@bp.post("/read-all")
@login_required
def read_all():
    notifications.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
