"""Job functions used by the job tests; a worker imports this module on demand."""

from sqlalchemy import select

from webapp import jobs
from webapp.accounts.models import User
from webapp.extensions import db


@jobs.job
def count_users_with_progress(steps):
    """Report progress `steps` times, then return the number of users."""
    for step in range(1, steps + 1):
        jobs.report_progress(step, steps, message=f"step {step}")
    return {"users": len(db.session.scalars(select(User)).all()), "job": jobs.current_job_id()}


@jobs.job
def rename_user(user_id, name):
    user = db.session.get(User, user_id)
    if user is not None:
        user.display_name = name
    return {"renamed": user is not None}


@jobs.job
def fail_on_purpose(user_id):
    rename_user(user_id, "should be rolled back")
    raise ValueError("job failed on purpose")
