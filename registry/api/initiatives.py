"""Reading and changing initiatives through the API: every change is one action of
registry.actions in one transaction; who may do what is the action layer's to decide. Every
record goes out through its shape (registry.shapes)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from .. import actions, initiatives, shapes
from ..accounts import Principal
from ..auth import SIGN_IN_FIRST, current_principal
from ..db import write_session
from ..errors import ApiError
from ..extensions import db, registry_of
from ..messages import msg
from ..models import Initiative
from ..schemas import ValidationFailed, iso, whole_number
from ..security import private, public
from .blueprint import bp, json_body


def with_url(record: dict) -> dict:
    """The contract's record: the stored fields plus the page's absolute address."""
    return {
        **record,
        "url": url_for(
            "browse.initiative_page",
            initiative_id=record["id"],
            slug=record["slug"],
            _external=True,
        ),
    }


def actor() -> Principal:
    user = current_principal()
    if user is None:
        raise ApiError(401, "unauthorized", SIGN_IN_FIRST)
    return user


def _record_for(user: Principal | None, initiative: Initiative) -> dict[str, Any]:
    """Owners and curators see the workflow fields; everyone else the public record."""
    if actions.is_manager(user, initiative):
        record = initiatives.full_record(initiative)
    else:
        record = initiatives.to_record(initiative)
    return shapes.dump(shapes.Initiative, with_url(record))


def _optional_body() -> dict[str, Any]:
    if not request.content_length and not request.data:
        return {}
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object")]})
    return body


NOT_A_VERSION = msg("the version must be a whole number")


def expected_version(body: dict[str, Any]) -> int | None:
    """The version the client last saw: `If-Match` (wins) or `"version"` in the body; a whole
    number, never a fraction or a boolean."""
    raw = body.pop("version", None)
    header = request.headers.get("If-Match")
    if header is not None:
        raw = header.strip().removeprefix("W/").strip('"')
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= initiatives.MAX_ID:
        return raw
    try:
        if isinstance(raw, str):
            return whole_number(raw, 0, initiatives.MAX_ID)
    except ValueError:
        pass
    raise ApiError(400, "bad_parameter", NOT_A_VERSION, {"version": [msg("not a whole number")]})


@bp.get("/initiatives/<int:initiative_id>")
@public
def get_initiative(initiative_id: int):
    user = current_principal()
    initiative = initiatives.lookup(db(), initiative_id)
    if initiative is None or not actions.can_view(user, initiative):
        raise initiatives.NotFound(initiative_id)
    return _record_for(user, initiative)


@bp.post("/initiatives")
@private("signed-in users (bearer token or session)")
def create_initiative():
    user = actor()
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the initiative's fields")]})
    status = body.pop("status", "draft")
    if status not in ("draft", "submitted"):
        raise ValidationFailed({"status": [msg('new records are "draft" or "submitted"')]})
    with write_session(registry_of().engine) as session:
        created = actions.create(session, user, body, submit=status == "submitted")
        record = _record_for(user, created)
    location = url_for("api.get_initiative", initiative_id=record["id"], _external=True)
    return record, 201, {"Location": location}


def _run(run, initiative_id: int, version: int | None) -> dict[str, Any]:
    """One action on one record in one transaction; the record as the actor now sees it."""
    user = actor()
    with write_session(registry_of().engine) as session:
        changed = run(session, user, initiative_id, version)
        return _record_for(user, changed)


@bp.patch("/initiatives/<int:initiative_id>")
@private("owners and curators, as the state table allows (registry.actions.workflow)")
def patch_initiative(initiative_id: int):
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the fields to change")]})
    version = expected_version(body)
    return _run(
        lambda s, u, i, v: actions.edit(s, u, i, body, expected_version=v), initiative_id, version
    )


def _transition(name: str):
    def view(initiative_id: int):
        body = _optional_body()
        version = expected_version(body)
        if name == "reject":
            reason = body.pop("reason", None)
            run = lambda s, u, i, v: actions.reject(s, u, i, reason, expected_version=v)  # noqa: E731
        elif name == "restore":
            number = body.pop("revision", None)
            if isinstance(number, bool) or not isinstance(number, int):
                raise ValidationFailed({"revision": [msg("give the revision's number")]})
            run = lambda s, u, i, v: actions.restore(s, u, i, number, expected_version=v)  # noqa: E731
        else:
            act = getattr(actions, name)
            run = lambda s, u, i, v: act(s, u, i, expected_version=v)  # noqa: E731
        if body:
            raise ValidationFailed({k: [msg("unknown field")] for k in body})
        return _run(run, initiative_id, version)

    view.__name__ = f"{name}_initiative"
    view = private("owners and curators, as the state table allows")(view)
    bp.post(f"/initiatives/<int:initiative_id>/{name}")(view)


for _name in ("submit", "publish", "reject", "withdraw", "restore"):
    _transition(_name)


@bp.delete("/initiatives/<int:initiative_id>")
@private("owners of unpublished records, and curators")
def delete_initiative(initiative_id: int):
    body = _optional_body()
    version = expected_version(body)
    if body:
        raise ValidationFailed({k: [msg("unknown field")] for k in body})
    _run(lambda s, u, i, v: actions.delete(s, u, i, expected_version=v), initiative_id, version)
    return "", 204


@bp.get("/initiatives/<int:initiative_id>/revisions")
@private("the owner organisation and curators")
def initiative_revisions(initiative_id: int):
    user = actor()
    session = db()
    initiative = initiatives.lookup(session, initiative_id)
    if initiative is None or not actions.can_view_history(user, initiative):
        if initiative is not None and actions.can_view(user, initiative):
            raise actions.Forbidden(
                "history", msg("you may not see the history of this initiative")
            )
        raise initiatives.NotFound(initiative_id)
    history = [
        {
            "number": r.number,
            "action": r.action,
            "user_id": r.user_id,
            "created_at": iso(r.created_at),
            "changes": r.changes,
            "note": r.note,
            "snapshot": with_url(r.snapshot),
        }
        for r in initiatives.revisions(session, initiative)
    ]
    return shapes.dump(list[shapes.Revision], history)
