"""Contributing and moderation pages: my initiatives, the submission form, workflow buttons,
the curators' review queue and the history page. Every change is one action of
registry.actions in one transaction; the pages only ask it what to offer."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import actions, initiatives
from ..actions import Conflict, Forbidden, InvalidMove, StaleVersion
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..i18n import localized
from ..messages import msg
from ..models import Initiative
from ..schemas import ValidationFailed, whole_number
from ..security import private
from . import buttons, forms, review
from .forms import SECTIONS, ActionForm, InitiativeForm, RejectForm, RestoreForm

bp = Blueprint("contribute", __name__)
STALE = msg(
    "Someone else changed this record while you were editing it. "
    "Open it again to see their change, then reapply yours."
)


def _visible(initiative_id: int) -> Initiative:
    initiative = initiatives.lookup(db(), initiative_id)
    if initiative is None or not actions.can_view(current_principal(), initiative):
        abort(404)
    return initiative


def _page_of(initiative: Initiative):
    return redirect(
        url_for("browse.initiative_page", initiative_id=initiative.id, slug=initiative.slug)
    )


@bp.get("/my/initiatives")
@private("signed-in users: their organisation's records")
@login_required
def mine():
    user = current_principal()
    return render_template(
        "contribute/mine.html",
        records=initiatives.of_organisation(db(), user.organisation_id, user.id),
    )


def _render_form(form, initiative=None, errors=None, similar=(), status=200, **context):
    errors = errors or {}
    words = forms.reader_errors(form, errors)
    sections = [
        (f"s-{number}", heading, names, forms.section_status(form, names, errors))
        for number, (heading, names) in enumerate(SECTIONS, 1)
    ]
    user = current_principal()
    return (
        render_template(
            "contribute/form.html",
            form=form,
            initiative=initiative,
            errors=words,
            sections=sections,
            kind_of=lambda name: forms.field_kind(form, name),
            anchor_of=lambda name: forms.field_anchor(form, name),
            need=forms.need,
            multi_vocab_of=forms.MULTI_VOCAB.get,
            previewed=forms.PREVIEWED,
            preview=context.pop("preview", None),
            input_attrs=lambda name: forms.input_attrs(form, name, name in words),
            hints=forms.HINTS,
            max_lengths=forms.MAX_LENGTHS,
            can_delete=initiative is not None and actions.allowed(user, initiative, "delete"),
            autosave_url=_autosave_url(initiative),
            similar=similar,
            **context,
        ),
        status,
    )


def _autosave_url(initiative: Initiative | None) -> str | None:
    """Where the form's script saves as the writer types: a new record, or a draft (a record
    sent back or withdrawn) the principal may edit; None for the rest (published records and
    their edits, records in review: saved with the buttons only)."""
    if initiative is None:
        return url_for(".autosave_new")
    if actions.saved_as_you_type(current_principal(), initiative):
        return url_for(".autosave", initiative_id=initiative.id)
    return None


def edit_page(initiative: Initiative, status: int = 200, errors=None, **context):
    """The edit page as first shown; `errors` and `context` add to it (what the media section
    of the page reports after a refused upload)."""
    values = InitiativeForm.form_values(initiatives.proposed_fields(initiative))
    form = InitiativeForm(formdata=None, data={**values, "version": initiative.version})
    return _render_form(form, initiative, errors=errors, status=status, **context)


def _similar(data: dict, errors: dict, exclude: int | None = None) -> list[Initiative]:
    """Possible duplicates of a refused submission, looked for only when its title and country
    passed validation: the comparison runs over every record of the country."""
    if "title" in errors or "country" in errors:
        return []
    return initiatives.similar(
        db(),
        str(data.get("title") or ""),
        str(data.get("country") or ""),
        organisation_id=current_principal().organisation_id,
        exclude=exclude,
    )


@bp.route("/my/initiatives/new", methods=["GET", "POST"])
@private("signed-in users")
@login_required
def new():
    user = current_principal()
    form = InitiativeForm()
    if request.method == "GET":
        return _render_form(form)
    if request.form.get("preview") in forms.PREVIEWED:  # nothing saved: the text rendered
        return _render_form(form, preview=request.form["preview"])
    data = form.to_data()
    submit = "submit" in request.form
    try:
        with write_session(registry_of().engine) as s:
            created = actions.create(s, user, data, submit=submit)
            target = (created.id, created.slug)
    except ValidationFailed as exc:
        return _render_form(form, errors=exc.fields, similar=_similar(data, exc.fields), status=422)
    except Conflict as exc:
        return _render_form(form, errors={exc.field: [exc.message]}, status=409)
    flash(_("Submitted for review.") if submit else _("Draft saved."), "info")
    return redirect(url_for("browse.initiative_page", initiative_id=target[0], slug=target[1]))


def _whole(raw: str | None) -> int | None:
    """A form's whole number (a version, a revision), or None."""
    try:
        return whole_number(raw or "", 0, initiatives.MAX_ID)
    except ValueError:
        return None


@bp.route("/my/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@private("owners and curators, as the state table allows")
@login_required
def edit(initiative_id: int):
    user = current_principal()
    initiative = _visible(initiative_id)
    if not actions.allowed(user, initiative, "edit"):
        abort(403)
    if request.method == "GET":
        return edit_page(initiative)
    form = InitiativeForm()
    if request.form.get("preview") in forms.PREVIEWED:  # nothing saved: the text rendered
        return _render_form(form, initiative, preview=request.form["preview"])
    data = form.to_data()
    version = buttons.form_version(form)
    submit = "submit" in request.form
    try:
        with write_session(registry_of().engine) as s:
            target = actions.edit(
                s, user, initiative_id, data, expected_version=version, for_review=submit
            )
            submitted = submit and actions.allowed(user, target, "submit")
            if submitted:
                actions.submit(s, user, initiative_id)
    except StaleVersion:
        form.version.data = str(version)
        return _render_form(form, initiative, errors={"_": [localized(STALE)]}, status=409)
    except ValidationFailed as exc:
        return _render_form(form, initiative, errors=exc.fields, status=422)
    except Conflict as exc:
        return _render_form(form, initiative, errors={exc.field: [exc.message]}, status=409)
    except Forbidden:
        abort(403)
    except InvalidMove as exc:
        return _render_form(form, initiative, errors={"_": [exc.message]}, status=409)
    flash(_("Submitted for review.") if submitted else _("Changes saved."), "info")
    return _page_of(initiatives.lookup(db(), initiative_id))


# --- Saved as you type (static/js/autosave.js) ----------------------------------------------
# The form's script posts the whole form (with its CSRF token and version) after the writer
# pauses; a draft is saved through the same actions as the "Save draft" button, never
# submitted, and a published record or one in review is never touched (draft_only). Answers
# are JSON: {"version", "saved_at"} or {"message", "errors"} in the reader's words.


def _autosave_refusal(status: int, message, errors: dict | None = None):
    return jsonify({"message": localized(message), "errors": errors or {}}), status


@bp.post("/my/initiatives/autosave")
@private("signed-in users")
@login_required
def autosave_new():
    """A new record's first background save: the draft is created once its required fields
    are valid; until then the answer says what a draft still needs (nothing is written)."""
    form = InitiativeForm()
    try:
        with write_session(registry_of().engine) as s:
            created = actions.create(s, current_principal(), form.to_data())
            answer = _saved(created)
    except ValidationFailed as exc:
        return _autosave_refusal(422, NOT_YET, forms.reader_errors(form, exc.fields))
    except Conflict as exc:
        return _autosave_refusal(409, exc.message, {exc.field: [localized(exc.message)]})
    return jsonify(answer), 201


@bp.post("/my/initiatives/<int:initiative_id>/autosave")
@private("owners and curators of a draft, as the state table allows")
@login_required
def autosave(initiative_id: int):
    """A draft's background save: the edit action with the version the page holds; a stale
    version is refused (409, nothing written) and the writer told."""
    form = InitiativeForm()
    try:
        with write_session(registry_of().engine) as s:
            version = buttons.form_version(form)
            saved = actions.edit(s, current_principal(), initiative_id, form.to_data(),
                                 expected_version=version, draft_only=True)  # fmt: skip
            answer = _saved(saved)
    except initiatives.NotFound:
        return _autosave_refusal(404, msg("This initiative cannot be found."))
    except Forbidden as exc:
        return _autosave_refusal(403, exc.message)
    except StaleVersion:
        return jsonify({"message": localized(STALE), "errors": {}, "stale": True}), 409
    except (InvalidMove, Conflict) as exc:
        return _autosave_refusal(409, exc.message)
    except ValidationFailed as exc:
        return _autosave_refusal(422, NOT_SAVED, forms.reader_errors(form, exc.fields))
    return jsonify(answer)


def _saved(initiative: Initiative) -> dict:
    return {
        "id": initiative.id,
        "version": initiative.version,
        "saved_at": initiative.updated_at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
        "edit_url": url_for(".edit", initiative_id=initiative.id),
        "autosave_url": url_for(".autosave", initiative_id=initiative.id),
    }


NOT_YET = msg("Not saved yet: a draft needs the required fields.")
NOT_SAVED = msg("Not saved: some fields need attention.")


def _action(initiative_id: int, run: Callable, done: str, form_class=ActionForm, refused=None):
    """One workflow button: the action with the version the page showed, then back.
    `refused(exc)` may answer a ValidationFailed itself (None: the usual message)."""
    user = current_principal()
    form = form_class()
    version = buttons.form_version(form)
    done_it, result = buttons.carry_out(
        lambda s: getattr(run(s, user, version, form), "status", None), done, refused
    )
    if not done_it and result is not None:  # the refusal answered with a page of its own
        return result
    gone = result == "deleted"
    if request.form.get("back") == "queue":
        return redirect(url_for(".review_queue"))
    refreshed = initiatives.lookup(db(), initiative_id)
    if gone or refreshed is None or not actions.can_view(user, refreshed):
        return redirect(url_for(".mine"))
    return _page_of(refreshed)


@bp.post("/my/initiatives/<int:initiative_id>/submit")
@private("owners, as the state table allows")
@login_required
def submit(initiative_id: int):
    initiative = _visible(initiative_id)

    def on_form(exc: ValidationFailed):
        """What the record lacks for its review, on its form, each field linked (for those who
        may edit it; others get the message on the record's page)."""
        if actions.allowed(current_principal(), initiative, "edit"):
            return edit_page(initiative, status=422, errors=exc.fields)
        return None

    return _action(
        initiative_id,
        lambda s, u, v, f: actions.submit(s, u, initiative_id, expected_version=v),
        _("Submitted for review."),
        refused=on_form,
    )


@bp.post("/my/initiatives/<int:initiative_id>/publish")
@private("curators, as the state table allows")
@login_required
def publish(initiative_id: int):
    return _action(
        initiative_id,
        lambda s, u, v, f: actions.publish(s, u, initiative_id, expected_version=v),
        _("Published."),
    )


def _field_notes() -> dict[str, str]:
    """A curator's notes on single fields of a record sent back (note-<field> boxes)."""
    return {
        name: request.form.get(f"note-{name}", "")
        for name in forms.FIELD_LABELS
        if request.form.get(f"note-{name}", "").strip()
    }


@bp.post("/my/initiatives/<int:initiative_id>/reject")
@private("curators, as the state table allows")
@login_required
def reject(initiative_id: int):
    return _action(
        initiative_id,
        lambda s, u, v, f: actions.reject(
            s,
            u,
            initiative_id,
            review.reason_with_notes(f.reason.data or "", _field_notes()),
            expected_version=v,
        ),
        _("Sent back to the submitter with your reason."),
        RejectForm,
    )


@bp.post("/my/initiatives/<int:initiative_id>/withdraw")
@private("owners and curators, as the state table allows")
@login_required
def withdraw(initiative_id: int):
    return _action(
        initiative_id,
        lambda s, u, v, f: actions.withdraw(s, u, initiative_id, expected_version=v),
        _("Withdrawn."),
    )


@bp.get("/my/initiatives/<int:initiative_id>/delete")
@private("owners of unpublished records, and curators, as the state table allows")
@login_required
def confirm_delete(initiative_id: int):
    """Are you sure? The delete button of the edit page leads here (works without script)."""
    initiative = _visible(initiative_id)
    if not actions.allowed(current_principal(), initiative, "delete"):
        abort(403)
    return render_template("contribute/delete.html", initiative=initiative)


@bp.post("/my/initiatives/<int:initiative_id>/delete")
@private("owners of unpublished records, and curators, as the state table allows")
@login_required
def delete(initiative_id: int):
    return _action(
        initiative_id,
        lambda s, u, v, f: actions.delete(s, u, initiative_id, expected_version=v),
        _("Removed from the catalogue (kept in the history)."),
    )


@bp.post("/my/initiatives/<int:initiative_id>/restore")
@private("owners and curators, as the state table allows")
@login_required
def restore(initiative_id: int):
    return _action(
        initiative_id,
        lambda s, u, v, f: actions.restore(
            s, u, initiative_id, _whole(f.revision.data) or 0, expected_version=v
        ),
        _("The version you chose is back."),
        RestoreForm,
    )


@bp.get("/review")
@private("curators")
@login_required
def review_queue():
    user = current_principal()
    if not user.is_curator:
        abort(403)
    session = db()
    queue = initiatives.review_queue(session)
    who = review.submissions(session, queue)
    return render_template(
        "contribute/review.html",
        queue=[(i, review.changes(initiatives.review_diff(session, i)), who[i.id]) for i in queue],
    )


@bp.get("/my/initiatives/<int:initiative_id>/history")
@private("owners and curators")
@login_required
def history(initiative_id: int):
    user = current_principal()
    session = db()
    initiative = initiatives.lookup(session, initiative_id)
    if initiative is None or not actions.can_view_history(user, initiative):
        abort(404)
    revisions = initiatives.revisions(session, initiative)
    return render_template(
        "contribute/history.html",
        initiative=initiative,
        revisions=revisions,
        authors=initiatives.revision_authors(session, revisions),
        can_restore=actions.allowed(user, initiative, "restore"),
    )


def manage_context(initiative: Initiative) -> dict:
    """What the initiative page shows its owners and curators: status, actions, forms."""
    user = current_principal()
    can = dict.fromkeys(actions.available(user, initiative), True)
    can["history"] = actions.can_view_history(user, initiative)
    return {
        "user": user,
        "can": can,
        "diff": review.changes(initiatives.review_diff(db(), initiative))
        if initiative.pending
        else [],
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
    return actions.is_manager(current_principal(), initiative)
