"""Reading and writing initiatives through the API. Who may do what is decided by
registry.permissions; every write is one service call in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request, url_for

from .. import initiatives, permissions
from ..accounts import Principal
from ..auth import SIGN_IN_FIRST, current_principal
from ..db import write_session
from ..errors import ApiError
from ..extensions import db, registry_of
from ..messages import msg
from ..models import Initiative
from ..schemas import ValidationFailed, iso
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


def _principal() -> Principal | None:
    return current_principal()


def _actor() -> Principal:
    user = _principal()
    if user is None:
        raise ApiError(401, "unauthorized", SIGN_IN_FIRST)
    return user


def _visible(
    session, initiative_id: int, user: Principal | None, *, for_update: bool = False
) -> Initiative:
    initiative = initiatives.lookup(session, initiative_id, for_update=for_update)
    if initiative is None or not permissions.can_view(user, initiative):
        raise initiatives.NotFound(initiative_id)
    return initiative


def _record_for(user: Principal | None, initiative: Initiative) -> dict[str, Any]:
    """Owners and curators see the workflow fields; everyone else the public record."""
    if permissions.is_owner(user, initiative) or (user is not None and user.is_curator):
        return with_url(initiatives.full_record(initiative))
    return with_url(initiatives.to_record(initiative))


def _optional_body() -> dict[str, Any]:
    if not request.content_length and not request.data:
        return {}
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object")]})
    return body


def _expected_version(body: dict[str, Any]) -> int | None:
    """The version the client last saw: `If-Match` or `"version"` in the body."""
    raw = body.pop("version", None)
    header = request.headers.get("If-Match")
    if header is not None:  # the header wins over the body
        raw = header.strip().removeprefix("W/").strip('"')
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ApiError(400, "bad_parameter", NOT_A_VERSION)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ApiError(
            400,
            "bad_parameter",
            NOT_A_VERSION,
            {"version": [msg("not a number")]},
        ) from None


NOT_A_VERSION = msg("the version must be a whole number")
FORBIDDEN = {
    "create": msg("you may not create this initiative in its current state"),
    "edit": msg("you may not edit this initiative in its current state"),
    "submit": msg("you may not submit this initiative in its current state"),
    "publish": msg("you may not publish this initiative in its current state"),
    "reject": msg("you may not reject this initiative in its current state"),
    "withdraw": msg("you may not withdraw this initiative in its current state"),
    "delete": msg("you may not delete this initiative in its current state"),
    "see the history of": msg(
        "you may not see the history of this initiative in its current state"
    ),
}


def _forbidden(action: str) -> ApiError:
    return ApiError(403, "forbidden", FORBIDDEN[action])


@bp.get("/initiatives/<int:initiative_id>")
@public
def get_initiative(initiative_id: int):
    user = _principal()
    return _record_for(user, _visible(db(), initiative_id, user))


@bp.post("/initiatives")
@private("signed-in users (bearer token or session)")
def create_initiative():
    user = _actor()
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the initiative's fields")]})
    status = body.pop("status", "draft")
    if status not in ("draft", "submitted"):
        raise ValidationFailed({"status": [msg('new records are "draft" or "submitted"')]})
    if not permissions.can_create(user):
        raise _forbidden("create")
    with write_session(registry_of(current_app).engine) as session:
        created = initiatives.create(
            session, body, user_id=user.id, organisation_id=user.organisation_id, status=status
        )
        record = _record_for(user, created)
    location = url_for("api.get_initiative", initiative_id=record["id"], _external=True)
    return record, 201, {"Location": location}


def _write(
    initiative_id: int,
    allowed: Callable[[Principal | None, Initiative], bool],
    action: str,
    body: dict[str, Any],
    run: Callable[..., Initiative],
):
    user = _actor()
    version = _expected_version(body)
    with write_session(registry_of(current_app).engine) as session:
        initiative = _visible(session, initiative_id, user, for_update=True)
        if not allowed(user, initiative):
            raise _forbidden(action)
        changed = run(session, initiative, user, version)
        return _record_for(user, changed)


@bp.patch("/initiatives/<int:initiative_id>")
@private("owners (draft, rejected, withdrawn, published as a pending edit) and curators")
def patch_initiative(initiative_id: int):
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the fields to change")]})
    return _write(
        initiative_id, permissions.can_edit, "edit", body,
        lambda s, i, u, v: initiatives.edit(
            s, i, body, expected_version=v, user_id=u.id, direct=u.is_curator
        ),
    )  # fmt: skip


def _transition(name: str, allowed, service):
    def view(initiative_id: int):
        body = _optional_body()
        if name == "reject":
            reason = body.pop("reason", None)
            run = lambda s, i, u, v: service(s, i, reason, user_id=u.id, expected_version=v)  # noqa: E731
        else:
            run = lambda s, i, u, v: service(s, i, user_id=u.id, expected_version=v)  # noqa: E731
        return _write(initiative_id, allowed, name, body, run)

    view.__name__ = f"{name}_initiative"
    view = private(f"as permissions.can_{name} allows")(view)
    bp.post(f"/initiatives/<int:initiative_id>/{name}")(view)


_transition("submit", permissions.can_submit, initiatives.submit)
_transition("publish", permissions.can_publish, initiatives.publish)
_transition("reject", permissions.can_reject, initiatives.reject)
_transition("withdraw", permissions.can_withdraw, initiatives.withdraw)


@bp.delete("/initiatives/<int:initiative_id>")
@private("curators")
def delete_initiative(initiative_id: int):
    _write(
        initiative_id, permissions.can_delete, "delete", {},
        lambda s, i, u, v: initiatives.delete(s, i, user_id=u.id, expected_version=v),
    )  # fmt: skip
    return "", 204


@bp.get("/initiatives/<int:initiative_id>/revisions")
@private("the owner organisation and curators")
def initiative_revisions(initiative_id: int):
    user = _actor()
    session = db()
    initiative = initiatives.lookup(session, initiative_id)
    if initiative is None or not permissions.can_view_revisions(user, initiative):
        if initiative is not None and permissions.can_view(user, initiative):
            raise _forbidden("see the history of")
        raise initiatives.NotFound(initiative_id)
    return [
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
