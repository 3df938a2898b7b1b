"""The action layer: every change to the registry's records and accounts, one function each.

Web pages, the JSON API, the command line and the importer call these and nothing else that
writes (docs/architecture.md, "The action layer"). Each action locks the record, checks the
principal may see it, looks its move up in the state table (`workflow.TABLE`) for the
principal's roles, checks the version, and then writes one revision and one change-log entry;
a refused action writes nothing.
"""

from ..schemas import ValidationFailed
from .alerts import (
    SavedSearchNotFound,
    delete_saved_search,
    save_search,
    send_digest,
    stop_digest,
    update_saved_search,
)
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
from .collections import create_collection, delete_collection, update_collection
from .errors import Conflict, Forbidden, InvalidMove, StaleVersion
from .guard import ACTIONS
from .importing import ImportOptions, import_rows
from .invites import (  # accounts on the web (issue 19)
    add_organisation,
    change_role,
    invite_user,
    request_password_reset,
    set_active,
    set_password,
    use_password_link,
)
from .links import (  # case records (issue 16)
    LinkNotFound,
    link_records,
    unlink_records,
    waits_for_review,
)
from .lists import (
    add_to_list,
    create_list,
    delete_list,
    remove_from_list,
    share_list,
    unshare_list,
    update_list,
)
from .mail import claim_mail, queue_test_mail, record_delivery, retry_mail
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
from .records import (
    create,
    delete,
    edit,
    publish,
    reject,
    restore,
    saved_as_you_type,
    submit,
    withdraw,
)
from .translations import (  # case records (issue 16)
    TranslationNotFound,
    remove_translation,
    translate_record,
)
from .verification import confirm_accurate  # case records (issue 16)
from .workflow import TABLE, State, state_of

__all__ = [  # noqa: RUF022 (accounts on the web, issue 19, listed last)
    "ACTIONS",
    "SYSTEM",
    "TABLE",
    "Conflict",
    "Forbidden",
    "ImportOptions",
    "InvalidMove",
    "LinkNotFound",
    "MediaNotFound",
    "SavedSearchNotFound",
    "StaleVersion",
    "TranslationNotFound",
    "State",
    "ValidationFailed",
    "add_media",
    "add_to_list",
    "allowed",
    "available",
    "can_view",
    "can_view_history",
    "change_password",
    "claim_mail",
    "confirm_accurate",
    "create",
    "create_collection",
    "create_list",
    "create_token",
    "create_user",
    "delete",
    "delete_collection",
    "delete_list",
    "delete_saved_search",
    "edit",
    "end_sessions",
    "import_rows",
    "is_manager",
    "link_records",
    "may_import",
    "may_manage_accounts",
    "publish",
    "queue_test_mail",
    "record_delivery",
    "reject",
    "remove_from_list",
    "remove_media",
    "remove_translation",
    "restore",
    "retry_mail",
    "revoke_token",
    "save_search",
    "saved_as_you_type",
    "send_digest",
    "set_locale",
    "share_list",
    "sign_out_everywhere",
    "state_of",
    "stop_digest",
    "submit",
    "translate_record",
    "unlink_records",
    "unshare_list",
    "update_collection",
    "update_list",
    "update_media",
    "update_saved_search",
    "waits_for_review",
    "withdraw",
    "add_organisation",
    "change_role",
    "invite_user",
    "request_password_reset",
    "set_active",
    "set_password",
    "use_password_link",
]
