"""Registrations for anything with a capacity: parties, workshop sessions, hackathons."""
