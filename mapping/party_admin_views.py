"""Organisers' pages of a mapping party: create and edit it, split its area into task
cells, name its validators. Permissions are checked by the services; these pages only
hide what a visitor may not use."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mapping import party_maps, policies
from mapping.party_forms import DrawnTasksForm, GridForm, PartyForm, ValidatorsForm
from mapping.party_views import bp
from mapping.services import parties, party_pages
from webapp.accounts.forms import flash_errors
from webapp.errors import Conflict, ValidationError


def _user():
    return current_user._get_current_object()


def _managed(slug):
    """The party if the viewer organises it, else 403 before any form is shown."""
    party = party_pages.party_of(slug)
    if not policies.can_manage_party(current_user, party):
        abort(403)
    return party


def _form_page(form, party=None):
    status = 422 if request.method == "POST" else 200
    area = form.area.data or None
    fmap = party_maps.edit_map(party, area=area, lon=form.lon.data, lat=form.lat.data)
    return (
        render_template(
            "mapping/parties/form.html", form=form, party=party, map=party_maps.render(fmap)
        ),
        status,
    )


def _save(form, action):
    """Run the service with the form's data; False (errors on the form) when refused."""
    if not form.validate_on_submit():
        return False
    data = form.data_for_service()
    if data is None:
        return False
    try:
        return action(data)
    except ValidationError as error:
        if "location" in error.fields:
            error.fields.setdefault("lon", error.fields.pop("location"))
        flash_errors(form, error)
        return False


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not policies.can_organise(current_user):
        abort(403)
    form = PartyForm()
    form.inventories.choices = party_pages.inventory_choices()
    party = _save(form, lambda data: parties.create(_user(), data))
    if party:
        flash(_("The mapping party is created. Now split its area into cells."), "success")
        return redirect(url_for("mapping_parties.tasks_page", slug=party.slug))
    return _form_page(form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    party = _managed(slug)
    form = PartyForm()
    form.inventories.choices = party_pages.inventory_choices()
    if request.method == "GET":
        form.fill(party)
    if _save(form, lambda data: parties.update(_user(), party.id, data)):
        flash(_("The mapping party is saved."), "success")
        return redirect(url_for("mapping_parties.detail", slug=slug))
    return _form_page(form, party)


def _tasks_page(party, grid=None, drawn=None, status=200):
    rows = party_pages.task_rows(current_user, party)
    return (
        render_template(
            "mapping/parties/tasks.html",
            party=party,
            event=party.registration_list,
            rows=rows,
            progress=party_pages.progress(rows),
            grid=grid or GridForm(formdata=None),
            drawn=drawn or DrawnTasksForm(formdata=None),
            map=party_maps.render(party_maps.cells_map(party, rows)),
        ),
        status,
    )


@bp.get("/<slug>/tasks")
@login_required
def tasks_page(slug):
    return _tasks_page(_managed(slug))


@bp.post("/<slug>/tasks/grid")
@login_required
def split_grid(slug):
    party = _managed(slug)
    form = GridForm()
    if form.validate_on_submit():
        try:
            cells = parties.split_grid(_user(), party.id, form.cell_m.data)
        except ValidationError as error:
            flash_errors(form, error)
        except Conflict as error:
            flash(str(error.message), "error")
        else:
            flash(_("The area is split into %(num)d cells.", num=len(cells)), "success")
            return redirect(url_for("mapping_parties.tasks_page", slug=slug))
    return _tasks_page(party, grid=form, status=422)


@bp.post("/<slug>/tasks/draw")
@login_required
def draw_tasks(slug):
    party = _managed(slug)
    form = DrawnTasksForm()
    geometries = form.geometries() if form.validate_on_submit() else None
    if geometries is not None:
        try:
            shapes = parties.add_tasks(_user(), party.id, geometries)
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(_("%(num)d cells added.", num=len(shapes)), "success")
            return redirect(url_for("mapping_parties.tasks_page", slug=slug))
    return _tasks_page(party, drawn=form, status=422)


@bp.route("/<slug>/validators", methods=["GET", "POST"])
@login_required
def validators(slug):
    party = _managed(slug)
    form = ValidatorsForm()
    form.people.choices = party_pages.participant_choices(current_user, party)
    if request.method == "GET":
        form.people.data = [v.user_id for v in party.validators]
    elif form.validate_on_submit():
        parties.set_validators(_user(), party.id, form.people.data)
        flash(_("The validators are saved."), "success")
        return redirect(url_for("mapping_parties.detail", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "mapping/parties/validators.html", form=form, party=party, event=party.registration_list
    ), status
