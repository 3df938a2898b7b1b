"""Case records on pages (issue 16): figures and amounts in the reader's language; confirming a
record is still accurate, and the curators' list of unconfirmed and least complete records."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import actions, completeness, curation, initiatives
from ..actions import Forbidden, InvalidMove, StaleVersion
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..i18n import current_locale, localized
from ..models import Initiative
from ..schemas import whole_number
from ..security import private
from .forms import ActionForm


def number(value: int | None) -> str:
    """A whole number as the reader writes it (12,500 or 12 500)."""
    return "" if value is None else format_decimal(value, locale=current_locale())


def money(amount: int | None, currency: str | None) -> str:
    """An amount with its ISO 4217 code (1,250,000 EUR; 1 250 000 EUR in French)."""
    if amount is None:
        return ""
    return f"{number(amount)}\u00a0{currency or ''}".strip()


HELPERS = {"case_number": number, "case_money": money}


# --- Last verified and completeness (slice 3) ------------------------------------------------

bp = Blueprint("records", __name__)


def verification(initiative: Initiative) -> tuple[datetime | None, bool]:
    """(when the record was last known accurate, whether that is over two years ago)."""
    return curation.verified_on(initiative), curation.is_stale(initiative)


def missing(initiative: Initiative) -> list[str]:
    """What the record does not state yet, in the reader's language."""
    return [localized(m) for m in completeness.missing(initiatives.to_record(initiative))]


@bp.post("/my/initiatives/<int:initiative_id>/confirm")
@private("owners and curators of a published record")
@login_required
def confirm(initiative_id: int):
    user = current_principal()
    form = ActionForm()
    raw = (form.version.data or "").strip()
    try:
        version = whole_number(raw, 0, 2**31) if raw else None
    except ValueError:
        version = -1  # never current: reported as a change meanwhile
    try:
        with write_session(registry_of().engine) as s:
            initiative = actions.confirm_accurate(s, user, initiative_id, expected_version=version)
            target = url_for(
                "browse.initiative_page", initiative_id=initiative.id, slug=initiative.slug
            )
    except initiatives.NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except StaleVersion:
        flash(_("The record changed meanwhile; nothing was done. Check it and try again."),
              "error")  # fmt: skip
        return redirect(url_for("browse.initiative_page", initiative_id=initiative_id, slug="-"))
    except InvalidMove as exc:
        flash(localized(exc.message), "error")
        return redirect(url_for("browse.initiative_page", initiative_id=initiative_id, slug="-"))
    flash(_("Thank you: the record is marked as confirmed accurate today."), "info")
    return redirect(target)


@bp.get("/curate/records")
@private("curators")
@login_required
def curate():
    """The curators' list: records not confirmed for two years, and the least complete."""
    if not current_principal().is_curator:
        abort(403)
    session = db()
    return render_template(
        "records/curate.html",
        unverified=curation.unverified(session),
        least_complete=curation.least_complete(session),
    )


HELPERS.update(case_verification=verification, case_missing=missing)
