"""Why an action was refused. Each is raised before anything is written; the web pages and the
API turn them into their own answers (403, 409, the form's errors)."""

from __future__ import annotations

from ..messages import Message, msg

_FORBIDDEN = {
    "create": msg("you may not create this initiative in its current state"),
    "create_submitted": msg("you may not create this initiative in its current state"),
    "edit": msg("you may not edit this initiative in its current state"),
    "restore": msg("you may not restore this initiative in its current state"),
    "submit": msg("you may not submit this initiative in its current state"),
    "publish": msg("you may not publish this initiative in its current state"),
    "reject": msg("you may not reject this initiative in its current state"),
    "withdraw": msg("you may not withdraw this initiative in its current state"),
    "delete": msg("you may not delete this initiative in its current state"),
    "import": msg("only the initiative's owners can submit it; an import may not change it"),
    "import_publish": msg(
        "only the initiative's owners can submit it; an import may not change or publish it"
    ),
}
_INVALID = {
    "edit": msg("a deleted initiative cannot be edited; restore a revision first"),
    "restore": msg("this initiative has no revision to restore in its current state"),
    "submit": msg(
        "only a draft, a record sent back or withdrawn, or an edit not yet submitted can be "
        "submitted"
    ),
    "publish": msg("only an initiative or an edit waiting for review can be published"),
    "reject": msg("only an initiative or an edit waiting for review can be sent back"),
    "withdraw": msg("only a submitted or published initiative can be withdrawn"),
    "delete": msg("this initiative is deleted already"),
    "autosave": msg(
        "only a draft, a record sent back or a withdrawn record is saved as you type; save "
        "this one with the form's buttons"
    ),
    "import": msg("matches a deleted initiative"),
    "import_publish": msg("matches a deleted initiative"),
}


class Forbidden(Exception):
    """The principal may not take this action on this record (403)."""

    def __init__(self, action: str, message: Message | None = None):
        self.action = action
        self.message = message or _FORBIDDEN[action]
        super().__init__(str(self.message))


class InvalidMove(Exception):
    """The state table has no such move from the record's state (409)."""

    def __init__(self, action: str, state: str):
        self.action, self.state = action, state
        self.message = _INVALID[action]
        super().__init__(f"{action} from {state}: {self.message}")


class StaleVersion(Exception):
    """The record changed since the caller read it (409)."""

    def __init__(self, current: int):
        super().__init__(f"the record is at version {current}")
        self.current = current


class Conflict(Exception):
    """A slug or external id is already claimed in the record's scope (409)."""

    def __init__(self, field: str, message: Message):
        super().__init__(str(message))
        self.field, self.message = field, message
