"""Team pages: create a team, a team's page with its finder, join, leave, role, invitations."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crowdsourcing import hackathon_forms as forms
from crowdsourcing import policies
from crowdsourcing.services import hackathons, teams
from crowdsourcing.views import _int, _user, bp
from webapp.accounts.forms import EmptyForm, flash_errors
from webapp.errors import NotFound, ValidationError
from webapp.profiles import queries as directory
from webapp.profiles.services import AVAILABILITY


def _skill_choices(form_field):
    locale = str(get_locale())
    form_field.choices = [
        (str(s.id), s.name(locale)) for s in directory.vocabulary(curated_only=False)
    ]


def _team_of_hackathon(slug, team_id):
    hack = hackathons.get(slug)
    team = teams.get(team_id)
    if team.hackathon_id != hack.id:
        raise NotFound("team.not_found")
    return hack, team


@bp.route("/hackathons/<slug>/teams/new", methods=["GET", "POST"])
@login_required
def team_new(slug):
    hack = hackathons.get(slug)
    form = forms.TeamForm()
    _skill_choices(form.skills)
    if form.validate_on_submit():
        data = {
            "name": form.name.data,
            "description": form.description.data,
            "skills": form.skills.data,
        }
        try:
            team = teams.create(_user(), hack.id, data)
        except ValidationError as error:
            flash_errors(form, error)
        else:
            flash(_("Your team is created."), "success")
            return redirect(url_for(".team", slug=slug, team_id=team.id))
    status = 422 if request.method == "POST" else 200
    return render_template("crowdsourcing/hackathons/team_form.html", hack=hack, form=form), status


def _finder(hack, team):
    form = forms.FinderForm(formdata=request.args)
    _skill_choices(form.skill)
    form.skill.choices.insert(0, ("", _("Any skill")))
    labels = {
        "unavailable": _("Not available"),
        "occasionally": _("Occasionally"),
        "available": _("Available"),
    }
    form.availability.choices = [("", _("Any availability"))] + [
        (a, labels[a]) for a in AVAILABILITY
    ]
    if not policies.is_team_member(current_user, team):
        return form, None
    skill = _int(form.skill.data, "skill", _("Choose a skill from the list."))
    people = teams.find_people(
        _user(), hack, skill, form.availability.data or None, str(get_locale())
    )
    return form, people


@bp.get("/hackathons/<slug>/teams/<int:team_id>")
def team(slug, team_id):
    hack, row = _team_of_hackathon(slug, team_id)
    finder_form, people = _finder(hack, row)
    return render_template(
        "crowdsourcing/hackathons/team.html",
        hack=hack,
        team=row,
        member=policies.is_team_member(current_user, row),
        my_team=teams.team_of(current_user, hack),
        participant=hackathons.is_participant(current_user, hack),
        invitations=[
            i for i in teams.pending_invitations(current_user, hack) if i.team_id == row.id
        ],
        finder_form=finder_form,
        people=people,
        role_form=forms.RoleForm(),
        empty_form=EmptyForm(),
        locale=str(get_locale()),
    )


def _back_to_team(slug, team_id):
    return redirect(url_for(".team", slug=slug, team_id=team_id))


@bp.post("/hackathons/<slug>/teams/<int:team_id>/join")
@login_required
def team_join(slug, team_id):
    _team_of_hackathon(slug, team_id)
    teams.join(_user(), team_id)
    flash(_("You joined the team."), "success")
    return _back_to_team(slug, team_id)


@bp.post("/hackathons/<slug>/teams/<int:team_id>/leave")
@login_required
def team_leave(slug, team_id):
    _team_of_hackathon(slug, team_id)
    teams.leave(_user(), team_id)
    flash(_("You left the team."), "success")
    return redirect(url_for(".hackathon", slug=slug))


@bp.post("/hackathons/<slug>/teams/<int:team_id>/role")
@login_required
def team_role(slug, team_id):
    _team_of_hackathon(slug, team_id)
    teams.set_role(_user(), team_id, request.form.get("role"))
    flash(_("Your role is saved."), "success")
    return _back_to_team(slug, team_id)


@bp.post("/hackathons/<slug>/teams/<int:team_id>/invite")
@login_required
def team_invite(slug, team_id):
    _team_of_hackathon(slug, team_id)
    user_id = _int(request.form.get("user_id"), "user", _("Choose a person."))
    teams.invite(_user(), team_id, user_id)
    flash(_("The invitation is sent."), "success")
    return redirect(url_for(".team", slug=slug, team_id=team_id, **request.args))


@bp.post("/hackathons/<slug>/invitations/<int:invite_id>/<any(accept, decline):answer>")
@login_required
def team_answer(slug, invite_id, answer):
    if answer == "accept":
        row = teams.accept(_user(), invite_id)
        flash(_("Welcome to the team."), "success")
        return _back_to_team(slug, row.id)
    teams.decline(_user(), invite_id)
    flash(_("The invitation is declined."), "success")
    return redirect(url_for(".hackathon", slug=slug))
