"""iCalendar invitations for registration lists."""

from datetime import UTC

from icalendar import Calendar, Event, vCalAddress, vText

from webapp.db import utcnow


def calendar_for(registration_list, url=None, method="PUBLISH"):
    """Return an .ics document (str) for one event."""
    cal = Calendar()
    cal.add("prodid", "-//Fabrique//Registrations//FR")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", f"registration-list-{registration_list.id}@fabrique")
    event.add("dtstamp", utcnow())
    event.add("dtstart", registration_list.starts_at.astimezone(UTC))
    event.add("dtend", registration_list.ends_at.astimezone(UTC))
    event.add("summary", registration_list.title)
    if registration_list.description:
        event.add("description", registration_list.description)
    location = registration_list.address or registration_list.online_url
    if location:
        event["location"] = vText(location)
    if registration_list.lat is not None and registration_list.lon is not None:
        # RFC 5545 GEO is latitude first.
        event.add("geo", (registration_list.lat, registration_list.lon))
    if url:
        event.add("url", url)
    event.add("organizer", vCalAddress("mailto:noreply@fabrique.invalid"))
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")
