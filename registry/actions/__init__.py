"""The action layer: every change to the registry's records and accounts, one function each.

Web pages, the JSON API, the command line and the importer call these and nothing else that
writes (docs/architecture.md, "The action layer"). Each action locks the record, checks the
principal may see it, looks its move up in the state table (`workflow.TABLE`) for the
principal's roles, checks the version, and then writes one revision and one change-log entry;
a refused action writes nothing.
"""

from ..schemas import ValidationFailed
from .authority import (
    SYSTEM,
    allowed,
    available,
    can_view,
    can_view_history,
    is_manager,
    may_import,
    may_manage_accounts,
)
from .errors import Conflict, Forbidden, InvalidMove, StaleVersion
from .guard import ACTIONS
from .importing import ImportOptions, import_rows
from .links import link_records, unlink_records  # case records (issue 16)
from .media import MediaNotFound, add_media, remove_media, update_media
from .people import (
    change_password,
    create_token,
    create_user,
    end_sessions,
    revoke_token,
    set_locale,
    sign_out_everywhere,
)
from .records import create, delete, edit, publish, reject, restore, submit, withdraw
from .translations import remove_translation, translate_record  # case records (issue 16)
from .verification import confirm_accurate  # case records (issue 16)
from .workflow import TABLE, State, state_of

__all__ = [
    "ACTIONS",
    "SYSTEM",
    "TABLE",
    "Conflict",
    "Forbidden",
    "ImportOptions",
    "InvalidMove",
    "MediaNotFound",
    "StaleVersion",
    "State",
    "ValidationFailed",
    "add_media",
    "allowed",
    "available",
    "can_view",
    "can_view_history",
    "change_password",
    "confirm_accurate",
    "create",
    "create_token",
    "create_user",
    "delete",
    "edit",
    "end_sessions",
    "import_rows",
    "is_manager",
    "link_records",
    "may_import",
    "may_manage_accounts",
    "publish",
    "reject",
    "remove_media",
    "remove_translation",
    "restore",
    "revoke_token",
    "set_locale",
    "sign_out_everywhere",
    "state_of",
    "submit",
    "translate_record",
    "unlink_records",
    "update_media",
    "withdraw",
]
