"""A page's button behind one action: the action in its own transaction, then a message for
the next page. Shared by the workflow buttons (web/contribute.py) and the case-record buttons
(web/records.py), so every refusal is answered the same way: the record missing or hidden is
404, an action the reader may never take is 403, and a refusal the reader can act on (the record
changed meanwhile, a move not possible now, a field, a link or translation already gone) is
flashed as an error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash
from sqlmodel import Session

from .. import initiatives
from ..actions import (
    Conflict,
    Forbidden,
    InvalidMove,
    LinkNotFound,
    StaleVersion,
    TranslationNotFound,
)
from ..db import write_session
from ..extensions import registry_of
from ..i18n import localized
from ..messages import msg
from ..schemas import ValidationFailed, whole_number

CHANGED_MEANWHILE = msg("The record changed meanwhile; nothing was done. Check it and try again.")


def form_version(form: Any) -> int:
    """The version the page was made from. A form without one (or with a malformed one) gives
    0, which no record has: the action refuses it as stale after checking the permission."""
    try:
        return whole_number(form.version.data or "", 0, initiatives.MAX_ID)
    except ValueError:
        return 0


def carry_out(
    run: Callable[[Session], Any],
    done: str,
    on_invalid: Callable[[ValidationFailed], Any] | None = None,
) -> tuple[bool, Any]:
    """(whether it was done, what `run` returned): `run` takes the write session and calls one
    action; `done` is flashed when it succeeds, the refusal otherwise (aborts: 404, 403).
    `on_invalid` may answer a field refusal with a page of its own, returned as (False, page);
    when it gives None the refusal is flashed."""
    try:
        with write_session(registry_of().engine) as session:
            result = run(session)
    except (LinkNotFound, TranslationNotFound) as exc:  # already gone: not a missing record
        flash(localized(exc.message), "error")
    except initiatives.NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except StaleVersion:
        flash(localized(CHANGED_MEANWHILE), "error")
    except (InvalidMove, Conflict) as exc:
        flash(localized(exc.message), "error")
    except ValidationFailed as exc:
        answer = on_invalid(exc) if on_invalid else None
        if answer is not None:
            return False, answer
        flash("; ".join(localized(m) for msgs in exc.fields.values() for m in msgs), "error")
    else:
        flash(done, "info")
        return True, result
    return False, None
