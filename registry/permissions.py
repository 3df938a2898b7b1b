"""Who may do what to an initiative: one plain function per action, for pages and API alike.

`user` is an accounts.Principal or None (anonymous). Owners are the users of the record's
organisation (or its creator when it has none); curators and admins review everything.
An edit of a published record by its owners waits in `pending` (see initiatives.edit).
"""

from __future__ import annotations

from .accounts import Principal
from .models import Initiative

EDITABLE_BY_OWNER = ("draft", "rejected", "withdrawn")


def is_owner(user: Principal | None, initiative: Initiative) -> bool:
    if user is None:
        return False
    if initiative.organisation_id is not None:
        return user.organisation_id == initiative.organisation_id
    return initiative.created_by_id is not None and initiative.created_by_id == user.id


def _curator(user: Principal | None) -> bool:
    return user is not None and user.is_curator


def _pending_in_review(initiative: Initiative) -> bool:
    return initiative.pending is not None and initiative.pending_status == "submitted"


def can_create(user: Principal | None) -> bool:
    return user is not None


def can_view(user: Principal | None, initiative: Initiative) -> bool:
    if initiative.status == "deleted":
        return False
    if initiative.status == "published":
        return True
    return _curator(user) or is_owner(user, initiative)


def can_edit(user: Principal | None, initiative: Initiative) -> bool:
    if initiative.status == "deleted":
        return False
    if _curator(user):
        return True
    if not is_owner(user, initiative):
        return False
    if initiative.status == "published":
        return not _pending_in_review(initiative)
    return initiative.status in EDITABLE_BY_OWNER


def can_submit(user: Principal | None, initiative: Initiative) -> bool:
    if not (_curator(user) or is_owner(user, initiative)):
        return False
    if initiative.status == "published":
        return initiative.pending is not None and not _pending_in_review(initiative)
    return initiative.status in EDITABLE_BY_OWNER


def _in_review(initiative: Initiative) -> bool:
    return initiative.status == "submitted" or (
        initiative.status == "published" and _pending_in_review(initiative)
    )


def can_publish(user: Principal | None, initiative: Initiative) -> bool:
    return _curator(user) and _in_review(initiative)


def can_reject(user: Principal | None, initiative: Initiative) -> bool:
    return _curator(user) and _in_review(initiative)


def can_withdraw(user: Principal | None, initiative: Initiative) -> bool:
    """Take a submission back (or take a published record off the catalogue)."""
    if not (_curator(user) or is_owner(user, initiative)):
        return False
    return initiative.status in ("submitted", "published")


def can_delete(user: Principal | None, initiative: Initiative) -> bool:
    return _curator(user) and initiative.status != "deleted"


def can_view_revisions(user: Principal | None, initiative: Initiative) -> bool:
    if _curator(user):
        return True
    return initiative.status != "deleted" and is_owner(user, initiative)


def can_import(user: Principal | None) -> bool:
    """Bulk import writes many records at once, past the review queue: curators and admins."""
    return _curator(user)
