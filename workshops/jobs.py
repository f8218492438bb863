"""Background jobs of workshops."""

from webapp import jobs
from workshops.services import participation


@jobs.job
def purge_answers():
    """Delete the registration answers of workshops that are over (safe to run twice)."""
    report = participation.purge_answers()
    return {"deleted": report, "total": sum(report.values())}
