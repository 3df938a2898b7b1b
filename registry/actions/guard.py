"""What makes a forgotten permission check fail loudly (CKAN's `check_access`, here enforced).

Every action function is wrapped by `action`: inside it, the guarded tables
(`registry.db.GUARDED_TABLES`) can be written only once the action's own check has called
`permit`. A write before the check, or in an action that never checks, raises
`registry.db.UnguardedWrite` at the flush; so does any write outside an action.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlmodel import Session

from ..db import WRITE_PERMIT

P = ParamSpec("P")
R = TypeVar("R")

# Every action by name (docs/architecture.md lists them; a test checks the list).
ACTIONS: dict[str, Callable] = {}
_running: ContextVar[str | None] = ContextVar("registry_action", default=None)


def action(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register `fn` as the action `name`; its first argument is the write session."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            session = args[0]
            assert isinstance(session, Session), f"{name}: the first argument is the session"
            running, permit_ = _running.set(name), WRITE_PERMIT.set(None)
            try:
                result = fn(*args, **kwargs)
                session.flush()  # while permitted: nothing is left for a later, unguarded flush
                return result
            finally:
                WRITE_PERMIT.reset(permit_)
                _running.reset(running)

        ACTIONS[name] = run
        return run

    return wrap


def permit(check: str) -> None:
    """Called by a permission check that passed: the running action may now write."""
    running = _running.get()
    if running is None:
        raise RuntimeError(f"{check}: a permission check outside an action permits nothing")
    WRITE_PERMIT.set(running)
