"""Personal lists: the owner's pages (make, fill, share, revoke, delete), the read-only page
behind a share link, and both as CSV and as citations (BibTeX, RIS, CSL-JSON)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from .. import actions, citations, lists
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..models import Initiative, UserList
from ..schemas import ValidationFailed, whole_number
from ..security import private, public
from ..transfer import exporting
from . import discovery
from .citations import current_cited
from .media import external_urls
from .opendata import LICENCE_LINK, page_url

bp = Blueprint("lists", __name__)
discovery.UNLISTED_ENDPOINTS.update(
    {"lists.shared_page", "lists.shared_csv", "lists.shared_citations"}
)


def _csl(cited: list[citations.Cited]) -> str:
    return json.dumps([citations.csl(c) for c in cited], ensure_ascii=False, indent=2) + "\n"


CITATION_FORMATS = {
    "bib": ("application/x-bibtex", lambda cs: "\n".join(citations.bibtex(c) for c in cs)),
    "ris": ("application/x-research-info-systems", lambda cs: "".join(map(citations.ris, cs))),
    "json": ("application/vnd.citationstyles.csl+json", _csl),
}


def _me() -> int:
    return current_principal().id


def _own(list_id: int) -> UserList:
    try:
        return lists.own(db(), _me(), list_id)
    except lists.ListNotFound:
        abort(404)


def _shared(token: str) -> UserList:
    try:
        return lists.shared(db(), token)
    except lists.ListNotFound:
        abort(404)


def _flash_errors(exc: ValidationFailed) -> None:
    for messages in exc.fields.values():
        for message in messages:
            flash(message, "error")


def my_lists_for(initiative: Initiative) -> dict | None:
    """For the initiative page: the signed-in person's lists, and which hold this record."""
    me = current_principal()
    if me is None or me.id is None or initiative.status != "published":
        return None
    return {"lists": lists.of_user(db(), me.id),
            "holding": lists.lists_holding(db(), me.id, initiative.id)}  # fmt: skip


HELPERS = {"my_lists_for": my_lists_for}


@bp.get("/my/lists")
@private("the account holder")
@login_required
def my_lists():
    return render_template("lists/mine.html", lists=lists.of_user(db(), _me()))


@bp.post("/my/lists")
@private("the account holder")
@login_required
def create():
    form = request.form
    try:
        with write_session(registry_of().engine) as session:
            made = actions.create_list(session, current_principal(), form.get("name", ""),
                                       form.get("description", ""))  # fmt: skip
            made_id = made.id
            initiative = form.get("initiative")
            if initiative:
                actions.add_to_list(session, current_principal(), made_id,
                                    whole_number(initiative, 1, 2**31 - 1))  # fmt: skip
    except (ValidationFailed, ValueError) as exc:
        if isinstance(exc, ValidationFailed):
            _flash_errors(exc)
        return redirect(url_for(".my_lists"))
    flash(_("The list is made. Only you can see it until you share it."), "success")
    return redirect(url_for(".list_page", list_id=made_id))


@bp.get("/my/lists/<int:list_id>")
@private("the list's owner")
@login_required
def list_page(list_id: int):
    user_list = _own(list_id)
    return render_template(
        "lists/list.html", user_list=user_list, items=lists.public_items(db(), user_list),
        owner=True,
        share_url=url_for(".shared_page", token=user_list.share_token, _external=True)
        if user_list.share_token else None,
    )  # fmt: skip


def _run(list_id: int, run, done: str):
    try:
        with write_session(registry_of().engine) as session:
            run(session, current_principal())
    except lists.ListNotFound:
        abort(404)
    except ValidationFailed as exc:
        _flash_errors(exc)
    else:
        flash(done, "success")
    target = request.form.get("next", "")
    if target.startswith("/initiatives/") and "//" not in target:
        return redirect(target)
    return redirect(url_for(".list_page", list_id=list_id))


@bp.post("/my/lists/<int:list_id>")
@private("the list's owner")
@login_required
def update(list_id: int):
    form = request.form
    return _run(list_id, lambda s, p: actions.update_list(
        s, p, list_id, form.get("name", ""), form.get("description", "")),
        _("The list is saved."))  # fmt: skip


@bp.post("/my/lists/<int:list_id>/delete")
@private("the list's owner")
@login_required
def delete(list_id: int):
    try:
        with write_session(registry_of().engine) as session:
            actions.delete_list(session, current_principal(), list_id)
    except lists.ListNotFound:
        abort(404)
    flash(_("The list is deleted."), "success")
    return redirect(url_for(".my_lists"))


@bp.post("/my/lists/<int:list_id>/items")
@private("the list's owner")
@login_required
def add(list_id: int):
    try:
        initiative_id = whole_number(request.form.get("initiative", ""), 1, 2**31 - 1)
    except ValueError:
        abort(400)
    note = request.form.get("note", "")
    return _run(list_id, lambda s, p: actions.add_to_list(s, p, list_id, initiative_id, note),
                _("Added to the list."))  # fmt: skip


@bp.post("/my/lists/<int:list_id>/items/<int:initiative_id>/remove")
@private("the list's owner")
@login_required
def remove(list_id: int, initiative_id: int):
    return _run(list_id, lambda s, p: actions.remove_from_list(s, p, list_id, initiative_id),
                _("Removed from the list."))  # fmt: skip


@bp.post("/my/lists/<int:list_id>/share")
@private("the list's owner")
@login_required
def share(list_id: int):
    return _run(list_id, lambda s, p: actions.share_list(s, p, list_id),
                _("Anyone with the link below can now see the list (read-only)."))  # fmt: skip


@bp.post("/my/lists/<int:list_id>/unshare")
@private("the list's owner")
@login_required
def unshare(list_id: int):
    return _run(list_id, lambda s, p: actions.unshare_list(s, p, list_id),
                _("The link no longer works: the list is private again."))  # fmt: skip


def _csv(user_list: UserList) -> Response:
    items = lists.public_items(db(), user_list)
    notes = {it.initiative.id: it.note for it in items}
    records = exporting.records([it.initiative for it in items], page_url, external_urls, db())
    body = "".join(exporting.csv_chunks({**r, "note": notes.get(r["id"], "")} for r in records))
    response = Response(body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="list-{user_list.id}.csv"'
    response.headers["Link"] = LICENCE_LINK
    return response


def _citations(user_list: UserList, fmt: str) -> Response:
    if fmt not in CITATION_FORMATS:
        abort(404)
    mimetype, write = CITATION_FORMATS[fmt]
    cited = [c for it in lists.public_items(db(), user_list)
             if (c := current_cited(it.initiative)) is not None]  # fmt: skip
    response = Response(write(cited), mimetype=mimetype)
    filename = f"list-{user_list.id}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Link"] = LICENCE_LINK
    return response


@bp.get("/my/lists/<int:list_id>/export.csv")
@private("the list's owner")
@login_required
def export_csv(list_id: int):
    return _csv(_own(list_id))


@bp.get("/my/lists/<int:list_id>/citations.bib")
@private("the list's owner")
@login_required
def citations_bib(list_id: int):
    return _citations(_own(list_id), "bib")


@bp.get("/my/lists/<int:list_id>/citations.ris")
@private("the list's owner")
@login_required
def citations_ris(list_id: int):
    return _citations(_own(list_id), "ris")


@bp.get("/my/lists/<int:list_id>/citations.json")
@private("the list's owner")
@login_required
def citations_json(list_id: int):
    return _citations(_own(list_id), "json")


@bp.get("/lists/<token>")
@public
def shared_page(token: str):
    user_list = _shared(token)
    response = Response(render_template(
        "lists/list.html", user_list=user_list, items=lists.public_items(db(), user_list),
        owner=False, token=token))  # fmt: skip
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/lists/<token>/export.csv")
@public
def shared_csv(token: str):
    return _csv(_shared(token))


@bp.get("/lists/<token>/citations.<fmt>")
@public
def shared_citations(token: str, fmt: str):
    return _citations(_shared(token), fmt)
