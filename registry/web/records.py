"""Case records on pages (issue 16): figures and amounts in the reader's language; confirming a
record is still accurate, and the curators' list of unconfirmed and least complete records."""

from __future__ import annotations

import re
from datetime import datetime

from babel.numbers import format_decimal
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from .. import actions, completeness, curation, initiatives, links, translations, vocab
from ..actions import Forbidden, StaleVersion
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..i18n import current_locale, language_name, localized
from ..messages import LANGUAGES
from ..models import Initiative
from ..schemas import ValidationFailed
from ..security import private
from . import buttons
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
    version = buttons.form_version(ActionForm())
    done, slug = buttons.carry_out(
        lambda s: actions.confirm_accurate(s, user, initiative_id, expected_version=version).slug,
        _("Thank you: the record is marked as confirmed accurate today."),
    )
    return redirect(
        url_for("browse.initiative_page", initiative_id=initiative_id, slug=slug if done else "-")
    )


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


# --- Typed links between records (slice 4) ---------------------------------------------------

ADDRESS = re.compile(r"/initiatives/([0-9]{1,10})(?:/|$)")


class LinkForm(ActionForm):
    """Link this record to another: what this record is to it, and its number or address."""

    kind = SelectField(_l("This initiative is"))
    target = StringField(_l("The other initiative (its number or its page's address)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(t.code, t.label(current_locale())) for t in vocab.LINK_TYPE.terms]

    def pre_validate(self, form) -> None:  # the action reports unknown codes
        pass


def related(initiative: Initiative) -> list[links.Related]:
    """The record's links both ways, to the records the reader may see."""
    user = current_principal()
    return links.related(db(), initiative, lambda other: actions.can_view(user, other),
                         waiting=actions.is_manager(user, initiative))  # fmt: skip


def can_link(initiative: Initiative) -> bool:
    """Whether the reader may change the record's links now: a manager, and not an owner whose
    edit of the published record is in review (the action would refuse them)."""
    user = current_principal()
    return actions.is_manager(user, initiative) and not links_paused(initiative)


def links_paused(initiative: Initiative) -> bool:
    """An owner's links wait while their edit of the published record is in review."""
    user = current_principal()
    return (
        actions.is_manager(user, initiative)
        and actions.waits_for_review(user, initiative)
        and not actions.allowed(user, initiative, "edit")
    )


def _target(raw: str) -> str:
    """A record's number from a number or a page address (as typed, for the action to judge)."""
    found = ADDRESS.search(raw or "")
    return found.group(1) if found else (raw or "").strip()


LINKS_SAVED = _l("The links are saved.")
TRANSLATION_SAVED = _l("The translation is saved.")
TRANSLATION_REMOVED = _l("The translation is removed.")
WAITS = _l("The change is saved; it waits for a curator's review before the public sees it.")


def _saved(initiative_id: int, done) -> str:
    """What a saved change of links or translations says: done, or waiting for review (an
    owner's change of a published record)."""
    initiative = initiatives.lookup(db(), initiative_id)
    waits = initiative is not None and actions.waits_for_review(current_principal(), initiative)
    return str(WAITS if waits else done)


def _change_links(initiative_id: int, run) -> object:
    user = current_principal()
    form = LinkForm()
    version = buttons.form_version(form)
    buttons.carry_out(lambda s: run(s, user, version, form), _saved(initiative_id, LINKS_SAVED))
    return redirect(url_for("browse.initiative_page", initiative_id=initiative_id, slug="-"))


@bp.post("/my/initiatives/<int:initiative_id>/links")
@private("owners and curators")
@login_required
def add_link(initiative_id: int):
    return _change_links(
        initiative_id,
        lambda s, u, v, f: actions.link_records(
            s, u, initiative_id, _target(f.target.data), f.kind.data, expected_version=v
        ),
    )


@bp.post("/my/initiatives/<int:initiative_id>/links/<int:link_id>/remove")
@private("owners and curators")
@login_required
def remove_link(initiative_id: int, link_id: int):
    return _change_links(
        initiative_id,
        lambda s, u, v, f: actions.unlink_records(s, u, initiative_id, link_id, expected_version=v),
    )


HELPERS.update(
    case_links=related, case_can_link=can_link, case_links_paused=links_paused,
    case_link_form=LinkForm,
)  # fmt: skip


# --- Translations of a record's texts (slice 5) ----------------------------------------------


class TranslationForm(FlaskForm):
    version = HiddenField()
    language = SelectField(_l("Language of the translation"))
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary (at most 600 characters)"))
    description = TextAreaField(_l("Description (Markdown)"))
    outcomes = TextAreaField(_l("Outcomes"))
    lessons = TextAreaField(_l("Lessons learned (Markdown)"))
    challenges = TextAreaField(_l("Challenges (Markdown)"))
    translator = StringField(_l("Translated by (your name, or the service that translated it)"))

    def pre_validate(self, form) -> None:  # the action reports unknown languages
        pass


def texts(initiative: Initiative) -> translations.Texts:
    """The record's texts for this reader: a translation into the reader's language where there
    is one, unless the reader asked for the original."""
    if request.args.get("original"):
        return translations.of(initiative)
    return translations.for_reader(db(), initiative, current_locale())


def _translatable(initiative_id: int) -> Initiative:
    initiative = initiatives.lookup(db(), initiative_id)
    user = current_principal()
    if initiative is None or not actions.can_view(user, initiative):
        abort(404)
    if not actions.is_manager(user, initiative):
        abort(403)
    return initiative


@bp.route("/my/initiatives/<int:initiative_id>/translation", methods=["GET", "POST"])
@private("owners and curators")
@login_required
def translation(initiative_id: int):
    initiative = _translatable(initiative_id)
    others = [c for c in LANGUAGES if c != initiative.language]
    form = TranslationForm()
    form.language.choices = [(c, language_name(c, standalone=True)) for c in others]
    errors: dict = {}
    status = 200
    if request.method == "POST":
        data = {n: form[n].data or "" for n in (*translations.TEXTS, "translator")}
        version = buttons.form_version(form)
        try:
            with write_session(registry_of().engine) as s:
                actions.translate_record(
                    s, current_principal(), initiative_id, form.language.data, data,
                    expected_version=version,
                )  # fmt: skip
        except StaleVersion:
            errors, status = {"_": [buttons.CHANGED_MEANWHILE]}, 409
        except Forbidden as exc:  # an owner while the record's edit is in review
            errors, status = {"_": [exc.message]}, 403
        except ValidationFailed as exc:
            errors, status = exc.fields, 422
        else:
            flash(_saved(initiative_id, TRANSLATION_SAVED), "info")
            return redirect(
                url_for("browse.initiative_page", initiative_id=initiative.id, slug=initiative.slug)
            )
    else:
        language = request.args.get("language") or (others[0] if others else "")
        found = (
            translations.find(db(), initiative, language, waiting=True)
            if language in others
            else None
        )
        form.language.data = language
        form.version.data = str(initiative.version)
        proposed = (found.proposed or {}) if found is not None else {}
        for name in (*translations.TEXTS, "translator"):
            live = getattr(found, name) if found is not None else ""
            form[name].data = proposed.get(name, live)
        if found is None:
            form.translator.data = current_principal().name or ""
    return render_template(
        "records/translation.html", form=form, initiative=initiative, errors=errors,
        existing=translations.languages(db(), initiative),
    ), status  # fmt: skip


@bp.post("/my/initiatives/<int:initiative_id>/translation/remove")
@private("owners and curators")
@login_required
def remove_translation(initiative_id: int):
    version = buttons.form_version(TranslationForm())
    buttons.carry_out(
        lambda s: actions.remove_translation(
            s, current_principal(), initiative_id, request.form.get("language"),
            expected_version=version,
        ),
        _saved(initiative_id, TRANSLATION_REMOVED),
    )  # fmt: skip
    return redirect(url_for("browse.initiative_page", initiative_id=initiative_id, slug="-"))


def waiting(initiative: Initiative) -> tuple[list[links.Related], list]:
    """The link and translation changes waiting with the record's edit (its owners' page and
    the review desk)."""
    user = current_principal()
    pending = [
        r
        for r in links.related(db(), initiative, lambda other: actions.can_view(user, other),
                               waiting=True)
        if r.link.state != "live" and r.link.waits_with == initiative.id
    ]  # fmt: skip
    texts = [
        t
        for t in translations.every(db(), initiative, waiting=True)
        if t.state != "live" or t.proposed
    ]
    return pending, texts


HELPERS.update(case_texts=texts, case_waiting=waiting)
