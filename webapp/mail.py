"""Outgoing mail: rendered in the recipient's language, delivered by a job.

The "file" backend (development, tests) writes each message as an .eml file under
MAIL_FILE_DIR so it can be read; the "smtp" backend sends it.
"""

import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from webapp import jobs


def external_url(endpoint, **values):
    """Build an absolute URL, inside or outside a request (jobs, CLI)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["SERVER_NAME_FOR_MAIL"]
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def send_mail(to, template, locale, subject, attachments=(), actor=None, **context):
    """Render `mail/<template>.txt` in `locale` and enqueue its delivery after commit."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        rendered_subject = str(subject)
        body = render_template(f"mail/{template}.txt", **context)
    return jobs.enqueue_after_commit(
        deliver,
        to=to,
        subject=rendered_subject,
        body=body,
        attachments=list(attachments),
        actor=actor,
    )


def _build(to, subject, body, attachments):
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="fabrique")
    msg.set_content(body)
    for item in attachments:
        content_type, *extra = (p.strip() for p in item["content_type"].split(";"))
        maintype, subtype = content_type.split("/")
        # Keep parameters such as method=REQUEST (calendar clients need it), and say the
        # charset of text parts, or clients read accented titles as ASCII or Latin-1.
        params = dict(p.split("=", 1) for p in extra if "=" in p)
        if maintype == "text":
            params.setdefault("charset", "utf-8")
        data = item["content"].encode("utf-8")
        msg.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=item["filename"], params=params
        )
    return msg


@jobs.job(forget_args=True)
def deliver(to, subject, body, attachments=()):
    """Deliver one message through the configured backend, at most once per job.

    The delivery is recorded on the job as soon as the backend took the message, so an
    attempt retried after a crash sends nothing again. The Message-ID is derived from the
    job, so a receiving server can also spot the one resend a crash at the very moment of
    delivery could cause.
    """
    done = jobs.checkpoint()
    if done and done.get("delivered"):
        return done
    msg = _build(to, subject, body, attachments)
    job_id = jobs.current_job_id()
    if job_id:
        msg.replace_header("Message-ID", f"<{job_id}@fabrique>")
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "file":
        folder = current_app.config["MAIL_FILE_DIR"]
        os.makedirs(folder, exist_ok=True)
        name = f"{formatdate_for_file()}-{(job_id or uuid.uuid4().hex)[:8]}.eml"
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(msg.as_bytes())
        result = {"backend": "file", "file": name, "delivered": True}
    else:
        cfg = current_app.config
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        result = {"backend": "smtp", "delivered": True}
    jobs.record_checkpoint(result)
    return result


def formatdate_for_file():
    from webapp.db import utcnow

    return utcnow().strftime("%Y%m%dT%H%M%S%f")
