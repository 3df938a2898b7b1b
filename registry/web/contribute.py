"""Contributing and moderation pages: my initiatives, the submission form, workflow buttons,
the curators' review queue and the history page. Permissions come from registry.permissions;
writes go through registry.initiatives, one transaction each."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from .. import initiatives, permissions
from ..auth import current_principal
from ..db import write_session
from ..extensions import db
from ..extensions import registry_of as registry_of_current
from ..i18n import localized
from ..models import Initiative, User
from ..schemas import ValidationFailed
from ..security import private
from .forms import MULTI_VOCAB, SECTIONS, ActionForm, InitiativeForm, RejectForm

bp = Blueprint("contribute", __name__)


def _visible(initiative_id: int) -> Initiative:
    initiative = initiatives.lookup(db(), initiative_id)
    if initiative is None or not permissions.can_view(current_principal(), initiative):
        abort(404)
    return initiative


def _page_of(initiative: Initiative):
    return redirect(
        url_for("browse.initiative_page", initiative_id=initiative.id, slug=initiative.slug)
    )


@bp.get("/my/initiatives")
@private("owners and curators, as registry.permissions decides")
@login_required
def mine():
    user = current_principal()
    return render_template(
        "contribute/mine.html",
        records=initiatives.of_organisation(db(), user.organisation_id, user.id),
    )


def _render_form(form, initiative=None, errors=None, similar=(), status=200):
    return (
        render_template(
            "contribute/form.html",
            form=form,
            initiative=initiative,
            errors=errors or {},
            sections=SECTIONS,
            multi_vocab=MULTI_VOCAB,
            similar=similar,
        ),
        status,
    )


def _similar(data: dict, exclude: int | None = None) -> list[Initiative]:
    user = current_principal()
    return initiatives.similar(
        db(),
        str(data.get("title") or ""),
        str(data.get("country") or ""),
        organisation_id=user.organisation_id,
        exclude=exclude,
    )


@bp.route("/my/initiatives/new", methods=["GET", "POST"])
@private("owners and curators, as registry.permissions decides")
@login_required
def new():
    user = current_principal()
    form = InitiativeForm()
    if request.method == "GET":
        return _render_form(form)
    data = form.to_data()
    submit = "submit" in request.form
    try:
        with write_session(registry_of_current().engine) as s:
            created = initiatives.create(
                s,
                data,
                user_id=user.id,
                organisation_id=user.organisation_id,
                status="submitted" if submit else "draft",
            )
            target = (created.id, created.slug)
    except ValidationFailed as exc:
        return _render_form(form, errors=exc.fields, similar=_similar(data), status=422)
    except initiatives.Conflict as exc:
        return _render_form(form, errors={exc.field: [exc.message]}, status=409)
    flash(_("Submitted for review.") if submit else _("Draft saved."), "info")
    return redirect(url_for("browse.initiative_page", initiative_id=target[0], slug=target[1]))


@bp.route("/my/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@private("owners and curators, as registry.permissions decides")
@login_required
def edit(initiative_id: int):
    user = current_principal()
    initiative = _visible(initiative_id)
    if not permissions.can_edit(user, initiative):
        abort(403)
    if request.method == "GET":
        values = InitiativeForm.form_values(initiatives.proposed_fields(initiative))
        form = InitiativeForm(data={**values, "version": initiative.version})
        return _render_form(form, initiative)
    form = InitiativeForm()
    data = form.to_data()
    submit = "submit" in request.form
    try:
        version = int(form.version.data or "")
    except ValueError:
        version = -1
    try:
        with write_session(registry_of_current().engine) as s:
            target = initiatives.lookup(s, initiative_id, for_update=True)
            initiatives.edit(s, target, data, expected_version=version, user_id=user.id,
                             direct=user.is_curator)  # fmt: skip
            submitted = submit and permissions.can_submit(user, target)
            if submitted:
                initiatives.submit(s, target, user_id=user.id)
    except initiatives.StaleVersion:
        form.version.data = str(version)
        return _render_form(
            form,
            initiative,
            errors={"_": [_("Someone else changed this record while you were editing it. "
                            "Open it again to see their change, then reapply yours.")]},
            status=409,
        )  # fmt: skip
    except ValidationFailed as exc:
        return _render_form(form, initiative, errors=exc.fields, status=422)
    except initiatives.Conflict as exc:
        return _render_form(form, initiative, errors={exc.field: [exc.message]}, status=409)
    flash(_("Submitted for review.") if submitted else _("Changes saved."), "info")
    return _page_of(db().get(Initiative, initiative_id))


def _action(
    initiative_id: int,
    allowed: Callable,
    run: Callable,
    done: str,
    form_class=ActionForm,
):
    user = current_principal()
    initiative = _visible(initiative_id)
    if not allowed(user, initiative):
        abort(403)
    form = form_class()
    try:
        version = int(form.version.data or "")
    except ValueError:
        version = None
    try:
        with write_session(registry_of_current().engine) as s:
            locked = initiatives.lookup(s, initiative_id, for_update=True)
            if locked is None or not allowed(user, locked):  # it changed since the check above
                abort(403)
            run(s, locked, user, version, form)
    except initiatives.StaleVersion:
        flash(_("The record changed meanwhile; nothing was done. Check it and try again."),
              "error")  # fmt: skip
    except ValidationFailed as exc:
        flash("; ".join(localized(m) for msgs in exc.fields.values() for m in msgs), "error")
    else:
        flash(done, "info")
    if request.form.get("back") == "queue":
        return redirect(url_for(".review_queue"))
    refreshed = db().get(Initiative, initiative_id)
    if refreshed is None or not permissions.can_view(user, refreshed):
        return redirect(url_for(".mine"))
    return _page_of(refreshed)


@bp.post("/my/initiatives/<int:initiative_id>/submit")
@private("owners and curators, as registry.permissions decides")
@login_required
def submit(initiative_id: int):
    return _action(
        initiative_id, permissions.can_submit,
        lambda s, i, u, v, f: initiatives.submit(s, i, user_id=u.id, expected_version=v),
        _("Submitted for review."),
    )  # fmt: skip


@bp.post("/my/initiatives/<int:initiative_id>/publish")
@private("owners and curators, as registry.permissions decides")
@login_required
def publish(initiative_id: int):
    return _action(
        initiative_id, permissions.can_publish,
        lambda s, i, u, v, f: initiatives.publish(s, i, user_id=u.id, expected_version=v),
        _("Published."),
    )  # fmt: skip


@bp.post("/my/initiatives/<int:initiative_id>/reject")
@private("owners and curators, as registry.permissions decides")
@login_required
def reject(initiative_id: int):
    return _action(
        initiative_id, permissions.can_reject,
        lambda s, i, u, v, f: initiatives.reject(
            s, i, f.reason.data, user_id=u.id, expected_version=v
        ),
        _("Sent back to the submitter with your reason."),
        RejectForm,
    )  # fmt: skip


@bp.post("/my/initiatives/<int:initiative_id>/withdraw")
@private("owners and curators, as registry.permissions decides")
@login_required
def withdraw(initiative_id: int):
    return _action(
        initiative_id, permissions.can_withdraw,
        lambda s, i, u, v, f: initiatives.withdraw(s, i, user_id=u.id, expected_version=v),
        _("Withdrawn."),
    )  # fmt: skip


@bp.post("/my/initiatives/<int:initiative_id>/delete")
@private("owners and curators, as registry.permissions decides")
@login_required
def delete(initiative_id: int):
    return _action(
        initiative_id, permissions.can_delete,
        lambda s, i, u, v, f: initiatives.delete(s, i, user_id=u.id, expected_version=v),
        _("Removed from the catalogue (kept in the history)."),
    )  # fmt: skip


@bp.get("/review")
@private("owners and curators, as registry.permissions decides")
@login_required
def review_queue():
    user = current_principal()
    if not user.is_curator:
        abort(403)
    session = db()
    queue = initiatives.review_queue(session)
    return render_template(
        "contribute/review.html",
        queue=[(i, initiatives.review_diff(session, i)) for i in queue],
    )


@bp.get("/my/initiatives/<int:initiative_id>/history")
@private("owners and curators, as registry.permissions decides")
@login_required
def history(initiative_id: int):
    user = current_principal()
    session = db()
    initiative = initiatives.lookup(session, initiative_id)
    if initiative is None or not permissions.can_view_revisions(user, initiative):
        abort(404)
    revisions = initiatives.revisions(session, initiative)
    authors = {
        u.id: u.email
        for u in session.scalars(select(User).where(User.id.in_({r.user_id for r in revisions})))
    }
    return render_template(
        "contribute/history.html", initiative=initiative, revisions=revisions, authors=authors
    )


def manage_context(initiative: Initiative) -> dict:
    """What the initiative page shows its owners and curators: status, actions, forms."""
    user = current_principal()
    return {
        "user": user,
        "can": {
            name: check(user, initiative)
            for name, check in (
                ("edit", permissions.can_edit),
                ("submit", permissions.can_submit),
                ("publish", permissions.can_publish),
                ("reject", permissions.can_reject),
                ("withdraw", permissions.can_withdraw),
                ("delete", permissions.can_delete),
                ("history", permissions.can_view_revisions),
            )
        },
        "diff": initiatives.review_diff(db(), initiative) if initiative.pending else [],
        "similar": initiatives.similar(
            db(),
            initiative.title,
            initiative.country,
            organisation_id=user.organisation_id,
            exclude=initiative.id,
        )
        if initiative.status != "published"
        else [],
    }


def viewable(initiative_id: int) -> Initiative:
    """The published initiative, or a non-public one its owners or a curator may see; else 404."""
    try:
        return initiatives.get_public(db(), initiative_id)
    except initiatives.NotFound:
        return _visible(initiative_id)


def is_manager(initiative: Initiative) -> bool:
    user = current_principal()
    return user is not None and (user.is_curator or permissions.is_owner(user, initiative))
