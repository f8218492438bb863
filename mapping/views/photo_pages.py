"""Photos of features, served only to those who may see them; their removal."""

from flask import flash, redirect, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import login_required

from mapping.models import Photo
from mapping.services import browse
from mapping.services import photos as photo_services
from mapping.views import bp, user
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db


def _send(photo_id, thumb):
    folder, relative = browse.photo_file(user(), photo_id, thumb=thumb)
    response = send_from_directory(folder, relative, mimetype="image/jpeg", max_age=0)
    # Who may see a photo depends on the viewer: never let a shared cache keep it.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/photos/<int:photo_id>")
def photo(photo_id):
    return _send(photo_id, thumb=False)


@bp.get("/photos/<int:photo_id>/thumb")
def photo_thumb(photo_id):
    return _send(photo_id, thumb=True)


@bp.post("/photos/<int:photo_id>/delete")
@login_required
def delete_photo(photo_id):
    row = db.session.get(Photo, photo_id)
    if row is None:
        raise NotFound("photo.not_found")
    feature_id = row.feature_id
    try:
        photo_services.delete(user(), photo_id)
    except ValidationError as error:
        for messages in error.fields.values():
            for message in messages:
                flash(str(message), "error")
    else:
        flash(_("The photo is deleted."), "success")
    return redirect(url_for(".feature", feature_id=feature_id))
