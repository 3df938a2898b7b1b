"""The admins' view of the outbox (registry.mail): what waits, what went, what failed and why,
with a button to try a failed message again. Sending itself is `registry mail send`'s."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import actions, mail
from ..auth import current_principal
from ..config import ConfigError
from ..db import read_session, write_session
from ..extensions import registry_of
from ..security import private

bp = Blueprint("outbox", __name__)


def _admin_only() -> None:
    if not actions.may_manage_accounts(current_principal()):
        abort(403)


@bp.get("/admin/outbox")
@private("administrators only")
@login_required
def outbox_page():
    _admin_only()
    try:
        settings, problem = mail.SmtpSettings.from_env(), None
    except ConfigError as exc:
        settings, problem = None, str(exc)
    with read_session(registry_of().engine) as session:
        messages = mail.outbox(session)
        counts = mail.counts(session)
        session.expunge_all()
    return render_template(
        "admin/outbox.html",
        messages=messages,
        counts=counts,
        smtp=settings.describe() if settings else None,
        problem=problem,
        max_attempts=mail.MAX_ATTEMPTS,
    )


@bp.post("/admin/outbox/<int:message_id>/retry")
@private("administrators only")
@login_required
def retry(message_id: int):
    _admin_only()
    with write_session(registry_of().engine) as session:
        done = actions.retry_mail(session, current_principal(), message_id)
    if done:
        flash(_("The message will be sent again by the next “registry mail send”."), "success")
    return redirect(url_for("outbox.outbox_page"))
