"""The requirements document of a workshop, as one viewer may read it.

Contributors are credited through the one access rule (`visibility.display_name`): a person
who keeps their name from this viewer is counted, not named.
"""

from webapp.profiles import visibility
from workshops import labels, queries
from workshops.models import PRIORITIES


def _name(viewer, person):
    return visibility.display_name(viewer, person) if person is not None else None


def build(viewer, workshop):
    """Everything the page, the Markdown and the printable HTML show."""
    totals = queries.dots_by_idea(workshop.id)
    ideas = queries.ranked(queries.visible_ideas(workshop.id), totals)
    visible_ids = {idea.id for idea in ideas}
    requirements = queries.requirements_of(workshop.id)
    priority_labels = labels.priority_labels()
    sections = []
    for priority in PRIORITIES:
        rows = [
            {
                "requirement": r,
                "ideas": [i for i in r.ideas if i.id in visible_ids],
            }
            for r in requirements
            if r.priority == priority
        ]
        if rows:
            sections.append(
                {"priority": priority, "label": priority_labels[priority], "rows": rows}
            )
    themes = [
        {"theme": theme, "ideas": [i for i in ideas if i.theme_id == theme.id]}
        for theme in queries.themes_of(workshop.id)
    ]
    return {
        "workshop": workshop,
        "sections": sections,
        "themes": themes,
        "unthemed": [i for i in ideas if i.theme_id is None],
        "totals": totals,
        "authors": {i.id: _name(viewer, i.author) for i in ideas},
        **_credits(viewer, workshop, ideas),
    }


def _credits(viewer, workshop, ideas):
    """Named contributors (ideas' authors and facilitators) and how many are not named."""
    people = {i.author.id: i.author for i in ideas if i.author is not None}
    people.update({f.user.id: f.user for f in workshop.facilitators})
    named, hidden = [], 0
    for person in people.values():
        if visibility.can_see(viewer, person, "display_name", visibility.profile_of(person)):
            named.append(person.display_name)
        else:
            hidden += 1
    return {"contributors": sorted(named, key=str.lower), "hidden_contributors": hidden}
