"""The curators' review desk (issue 19): how many records wait, who submitted each for which
organisation and when, and a word-level diff of the rendered text with clean field labels."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from typing import Any

from flask import g
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from ..auth import current_principal
from ..extensions import db
from ..markdown import render as render_markdown
from ..models import Initiative, Organisation, Revision, User
from .forms import field_label
from .labels import field_value

# The revisions that put a record in front of the curators.
SUBMITTING = ("submit", "create_submitted", "import")
MARKDOWN_FIELDS = ("description", "outcomes")
WAITING = or_(
    Initiative.status == "submitted",
    and_(Initiative.status == "published", Initiative.pending_status == "submitted"),
)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"^\s+|\S+\s*")


def waiting_count() -> int | None:
    """How many records wait for review, for the header of a curator's pages (once a request);
    None for everyone else."""
    user = current_principal()
    if user is None or not user.is_curator:
        return None
    if "waiting_count" not in g:
        g.waiting_count = db().scalar(select(func.count()).select_from(Initiative).where(WAITING))
    return g.waiting_count


@dataclass(frozen=True)
class Submission:
    who: User | None  # None: the registry itself (the command line, an import by the system)
    organisation: str
    when: datetime | None
    edit: bool  # an edit of a published record, not a new record


def submissions(session: Session, queue: list[Initiative]) -> dict[int, Submission]:
    """Who submitted each waiting record, for which organisation, when."""
    ids = [i.id for i in queue]
    if not ids:
        return {}
    latest = (
        select(Revision.initiative_id, func.max(Revision.number).label("number"))
        .where(Revision.initiative_id.in_(ids), Revision.action.in_(SUBMITTING))
        .group_by(Revision.initiative_id)
        .subquery()
    )
    rows = session.execute(
        select(Revision.initiative_id, Revision.user_id, Revision.created_at).join(
            latest,
            and_(
                Revision.initiative_id == latest.c.initiative_id,
                Revision.number == latest.c.number,
            ),
        )
    ).all()
    by_id = {row.initiative_id: row for row in rows}
    user_ids = {row.user_id for row in rows if row.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    org_ids = {i.organisation_id for i in queue if i.organisation_id is not None}
    orgs = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        ).all()
    )
    found = {}
    for i in queue:
        row = by_id.get(i.id)
        found[i.id] = Submission(
            who=users.get(row.user_id) if row is not None else None,
            organisation=orgs.get(i.organisation_id, ""),
            when=i.submitted_at or (row.created_at if row is not None else None),
            edit=i.status == "published",
        )
    return found


def readable(field: str, value: Any) -> str:
    """A field's value as a reader sees it: labels for codes, Markdown rendered to its text."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field in MARKDOWN_FIELDS and isinstance(value, str) and value:
        html = str(render_markdown(value))
        html = re.sub(r"</(p|li|h[3-6]|tr|blockquote|pre)>", "\n", html)
        return unescape(_TAG.sub("", html)).strip()
    return field_value(field, value)


def word_diff(before: str, after: str) -> tuple[Markup, Markup]:
    """Both texts with the words removed from the first in <del> and those added in <ins>."""
    old, new = _WORD.findall(before), _WORD.findall(after)
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        gone, came = "".join(old[a1:a2]), "".join(new[b1:b2])
        if op == "equal":
            left.append(str(escape(gone)))
            right.append(str(escape(came)))
            continue
        if gone:
            left.append(f"<del>{escape(gone)}</del>")
        if came:
            right.append(f"<ins>{escape(came)}</ins>")
    return Markup("".join(left)), Markup("".join(right))


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Markup
    after: Markup


def changes(diff: list[tuple[str, Any, Any]]) -> list[Change]:
    """initiatives.review_diff's rows as labelled word-level changes."""
    rows = []
    for field, before, after in diff:
        old = readable(field, before) if before not in (None, "", [], False) else ""
        new = readable(field, after) if after not in (None, "", [], False) else ""
        if not old and not new:  # empty before and after (a new record's unfilled fields)
            continue
        if not old:  # nothing to compare with: the text as it is, not all underlined
            left, right = Markup(""), Markup(escape(new))
        else:
            left, right = word_diff(old, new)
        rows.append(Change(field, field_label(field), left, right))
    return rows


def reason_with_notes(reason: str, notes: dict[str, str]) -> str:
    """The curator's reason followed by one line per field that has a note."""
    lines = [reason.strip()] if reason.strip() else []
    lines += [f"{field_label(f)}: {n.strip()}" for f, n in notes.items() if n.strip()]
    return "\n".join(lines)
