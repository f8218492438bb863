"""Hackathons, teams and proposals as plain dicts, for the API and the JSON exports."""

from crowdsourcing.services import proposals
from webapp.profiles import visibility


def hackathon_to_dict(hackathon):
    place = hackathon.registration_list
    return {
        "slug": hackathon.slug,
        "title": hackathon.title,
        "summary": hackathon.summary,
        "description": hackathon.description,
        "rules": hackathon.rules,
        "phase": hackathon.phase,
        "starts_at": place.starts_at,
        "ends_at": place.ends_at,
        "online": hackathon.online,
        "address": place.address,
        "lon": place.lon,
        "lat": place.lat,
        "online_url": place.online_url,
        "capacity": place.capacity,
        "seats_left": place.seats_left,
        "registration_open": place.is_open,
        "event_id": place.id,
        "team_size_max": hackathon.team_size_max,
        "results_published_at": hackathon.results_published_at,
        "source": hackathon.source,
        "challenges": [challenge_to_dict(c) for c in hackathon.challenges],
        "criteria": [
            {
                "id": c.id,
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "scale_max": c.scale_max,
            }
            for c in hackathon.criteria
        ],
    }


def challenge_to_dict(challenge):
    return {
        "id": challenge.id,
        "title": challenge.title,
        "question": challenge.question,
        "department": challenge.department.slug if challenge.department else None,
        "datasets": [d.slug for d in challenge.datasets],
        "backlog_items": [i.id for i in challenge.backlog_items],
    }


def team_to_dict(viewer, team, locale="fr"):
    return {
        "id": team.id,
        "name": team.name,
        "description": team.description,
        "capacity": team.capacity,
        "member_count": team.member_count,
        "skills_sought": [s.name(locale) for s in team.skills_sought],
        "members": [
            {
                "id": m.user_id,
                "display_name": visibility.display_name(viewer, m.user),
                "role": m.role,
            }
            for m in team.members
        ],
    }


def proposal_to_dict(proposal, supporters=None):
    submission = proposals.submission_of(proposal)
    return {
        "id": proposal.id,
        "hackathon": proposal.hackathon.slug,
        "title": proposal.title,
        "pitch": proposal.pitch,
        "problem": proposal.problem,
        "target_users": proposal.target_users,
        "team_id": proposal.team_id,
        "challenge_id": proposal.challenge_id,
        "datasets": [d.slug for d in proposal.datasets],
        "missing_data_requests": [r.id for r in proposal.missing],
        "repository_url": proposal.repository_url,
        "demo_url": proposal.demo_url,
        "licence": proposal.licence,
        "stage": proposal.stage,
        "status": submission.status if submission else None,
        "credits": list(proposal.credits or []),
        "screenshots": [f"/hackathons/screenshots/{s.id}" for s in proposal.screenshots],
        "progress": [
            {"stage": u.stage, "body": u.body, "created_at": u.created_at} for u in proposal.updates
        ],
        "supporters": proposals.supporters_count(proposal.id) if supporters is None else supporters,
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
    }
