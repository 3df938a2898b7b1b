"""Database tables (SQLModel). Knows nothing of Flask or Whoosh.

Multi-valued controlled fields are rows of `initiative_term` so that statistics are plain
GROUP BY queries; every write adds a `revision` and a `change_log` row (see initiatives.py).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, Relationship, SQLModel

from .vocab import MULTI_FIELDS


def utcnow() -> datetime:
    return datetime.now(UTC)


def _stamp() -> Any:
    """A required UTC timestamp, set when the row is made."""
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def _moment() -> Any:
    """An optional UTC timestamp."""
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    country: str | None = Field(default=None, max_length=2)
    created_at: datetime = _stamp()


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(default="", max_length=255)
    role: str = Field(max_length=20)  # submitter | curator | admin
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    locale: str | None = Field(default=None, max_length=10)
    # Bumped at sign-out and password change: older session cookies stop working.
    session_version: int = Field(default=1)
    active: bool = Field(default=True)
    created_at: datetime = _stamp()

    organisation: Organisation | None = Relationship()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=128, unique=True)
    label: str = Field(default="", max_length=100)
    created_at: datetime = _stamp()
    last_used_at: datetime | None = _moment()
    revoked_at: datetime | None = _moment()


class Initiative(SQLModel, table=True):
    __tablename__ = "initiative"
    __table_args__ = (
        Index("ix_initiative_status_country", "status", "country"),
        Index("ix_initiative_status_published_at", "status", "published_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # Unique within the record's scope, through `initiative_key` (live and pending values).
    slug: str = Field(max_length=220, index=True)
    external_id: str | None = Field(default=None, max_length=200, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    language: str = Field(default="en", max_length=8)
    country: str = Field(max_length=2)
    region: str = Field(default="", max_length=200)
    locality: str = Field(default="", max_length=200)
    sector: str = Field(max_length=40)
    maturity: str = Field(max_length=20)
    start_year: int | None = None
    mainstreamed_year: int | None = None
    end_year: int | None = None
    operating_status: str | None = Field(default=None, max_length=20)  # ongoing|ended|absorbed
    integrated_from_start: bool = Field(default=False)  # integrated without a pilot first
    evidence_level: str | None = Field(default=None, max_length=20)
    outcomes: str = Field(default="", sa_column=Column(Text, nullable=False))
    lead_organisation: str = Field(default="", max_length=300)
    partners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sources: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="draft", max_length=20, index=True)
    version: int = Field(default=1)  # every change; what If-Match compares
    public_version: int = Field(default=0)  # published states of the record: what visitors see
    illustrative: bool = Field(default=False)
    rejection_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # An edit of a published record waiting for review; the public keeps seeing the live fields.
    pending: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    pending_status: str | None = Field(default=None, max_length=20)
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()
    published_at: datetime | None = _moment()
    submitted_at: datetime | None = _moment()
    # --- Case record (issue 16): scale, money, context, lessons, where to learn more ---------
    # Each figure with the year it refers to; amounts in whole units of their ISO 4217 currency.
    participant_count: int | None = Field(default=None, sa_column=Column(BigInteger))
    participant_count_year: int | None = None
    population_served: int | None = Field(default=None, sa_column=Column(BigInteger))
    population_served_year: int | None = None
    volunteer_count: int | None = Field(default=None, sa_column=Column(BigInteger))
    volunteer_count_year: int | None = None
    staff_count: int | None = Field(default=None, sa_column=Column(BigInteger))
    staff_count_year: int | None = None
    annual_cost: int | None = Field(default=None, sa_column=Column(BigInteger))
    annual_cost_currency: str | None = Field(default=None, max_length=3)
    annual_cost_year: int | None = None
    savings_amount: int | None = Field(default=None, sa_column=Column(BigInteger))
    savings_currency: str | None = Field(default=None, max_length=3)
    savings_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    savings_source: str = Field(default="", max_length=2000)
    level_of_government: str | None = Field(default=None, max_length=20)
    delivery_mode: str | None = Field(default=None, max_length=20)
    initiated_by: str | None = Field(default=None, max_length=20)
    lessons: str = Field(default="", sa_column=Column(Text, nullable=False))
    challenges: str = Field(default="", sa_column=Column(Text, nullable=False))
    website: str = Field(default="", max_length=2000)
    # A public contact point: stored only with the submitter's consent, stamped when it went live.
    contact_name: str = Field(default="", max_length=200)
    contact_organisation: str = Field(default="", max_length=300)
    contact_email: str = Field(default="", max_length=254)
    contact_url: str = Field(default="", max_length=2000)
    contact_consent: bool = Field(default=False)
    contact_consent_at: datetime | None = _moment()
    # Key results: [{indicator, value, period, source_url}] (schemas.KeyResult).
    key_results: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # When an owner or a curator last confirmed the record is still accurate, and who.
    last_verified_at: datetime | None = _moment()
    last_verified_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # 0-100, from the live fields (registry.completeness), set with them.
    completeness: int = Field(default=0, index=True)
    # --- end of case record ------------------------------------------------------------------

    terms: list["InitiativeTerm"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"}
    )
    tag_rows: list["InitiativeTag"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "lazy": "selectin"}
    )
    organisation: Organisation | None = Relationship(sa_relationship_kwargs={"lazy": "selectin"})
    # Case records (issue 16): the record's texts in other languages, indexed with it.
    translation_rows: list["InitiativeTranslation"] = Relationship(
        sa_relationship_kwargs={"lazy": "selectin", "viewonly": True}
    )

    def codes(self, field: str) -> list[str]:
        """Codes of one multi-valued field, in vocabulary order."""
        have = {t.code for t in self.terms if t.field == field}
        return [c for c in MULTI_FIELDS[field].codes if c in have]

    @property
    def tags(self) -> list[str]:
        return sorted(t.tag for t in self.tag_rows)


class InitiativeLink(SQLModel, table=True):
    """A typed link between two records (issue 16): `kind` (vocab.LINK_TYPE) says what the
    `from_id` record is to the `to_id` one. Written by registry.actions.links."""

    __tablename__ = "initiative_link"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", "kind"),
        Index("ix_initiative_link_to_id", "to_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    from_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE")
    to_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE")
    kind: str = Field(max_length=20)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _stamp()
    # Review (migration 0009): `live`, `added` (waits with the edit of the record
    # `waits_with`) or `removing` (public until that edit is published).
    state: str = Field(default="live", max_length=10)
    waits_with: int | None = Field(default=None)


class InitiativeTranslation(SQLModel, table=True):
    """A record's texts in another interface language (issue 16), marked as a translation: who
    translated them (`translator`, as they sign) and when. Written by registry.actions.translations;
    shown to readers of that language with a note and a link to the original."""

    __tablename__ = "initiative_translation"
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True, ondelete="CASCADE")
    language: str = Field(max_length=8, primary_key=True)
    title: str = Field(max_length=200)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    outcomes: str = Field(default="", sa_column=Column(Text, nullable=False))
    lessons: str = Field(default="", sa_column=Column(Text, nullable=False))
    challenges: str = Field(default="", sa_column=Column(Text, nullable=False))
    translator: str = Field(max_length=200)
    translated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    translated_at: datetime = _stamp()
    # Review (migration 0009): `live`, `added` or `removing` (waiting with the record's edit),
    # and `proposed`: the texts (and translator) replacing the live ones once it is published.
    state: str = Field(default="live", max_length=10)
    proposed: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class InitiativeTerm(SQLModel, table=True):
    __tablename__ = "initiative_term"
    __table_args__ = (Index("ix_initiative_term_field_code", "field", "code"),)
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True, ondelete="CASCADE")
    field: str = Field(max_length=40, primary_key=True)
    code: str = Field(max_length=60, primary_key=True)


class InitiativeTag(SQLModel, table=True):
    __tablename__ = "initiative_tag"
    __table_args__ = (Index("ix_initiative_tag_tag", "tag"),)
    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(max_length=80, primary_key=True)


class InitiativeKey(SQLModel, table=True):
    """A slug or external id claimed by a record, live or in its pending edit.

    Unique within a scope (the record's organisation, else its creator, else the registry's own
    records), so what one organisation is told about a taken value never depends on records it
    cannot see, and an edit waiting for review keeps its values until it is published.
    """

    __tablename__ = "initiative_key"
    # An import looks values up in every scope at once (`kind = … AND value IN (…)`).
    __table_args__ = (
        UniqueConstraint("scope", "kind", "value"),
        Index("ix_initiative_key_kind_value", "kind", "value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True, ondelete="CASCADE")
    scope: str = Field(max_length=40)
    kind: str = Field(max_length=20)  # slug | external_id
    value: str = Field(max_length=220)


class Revision(SQLModel, table=True):
    """The full record as it was after one change, with who made it and what changed."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("initiative_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    number: int
    action: str = Field(max_length=20)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _stamp()
    snapshot: dict = Field(sa_column=Column(JSON, nullable=False))
    changes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class ChangeLog(SQLModel, table=True):
    """Append-only: the search index follows it by sequence number."""

    __tablename__ = "change_log"
    seq: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(index=True)
    action: str = Field(max_length=20)
    created_at: datetime = _stamp()


class LoginFailure(SQLModel, table=True):
    """One failed sign-in, counted per account and per address by every worker alike
    (the database is shared; Flask-Limiter's in-memory storage is per process)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_created_at", "key", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=320)
    created_at: datetime = _stamp()


class Media(SQLModel, table=True):
    """An image or a PDF document attached to an initiative (registry.media).

    `state` says how it stands to the record's published version: `live` (part of it), `added`
    (waits with the record's edit for review), `removing` (part of it until the edit is
    published). `proposed` holds changes of its texts waiting with the edit. Alt text, caption
    and title are the record's text, in its language.
    """

    __tablename__ = "media"
    __table_args__ = (Index("ix_media_initiative_id_position", "initiative_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", ondelete="CASCADE")
    kind: str = Field(max_length=10)  # image | document
    state: str = Field(default="live", max_length=10)  # live | added | removing
    position: int = Field(default=0)
    content_type: str = Field(max_length=40)
    size: int  # bytes of the stored file
    sha256: str = Field(max_length=64)  # of the stored file: its ETag
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    filename: str = Field(max_length=120)  # the download's name
    alt: str = Field(default="", sa_column=Column(Text, nullable=False))
    caption: str = Field(default="", sa_column=Column(Text, nullable=False))
    credit: str = Field(default="", max_length=300)
    licence: str | None = Field(default=None, max_length=20)
    title: str = Field(default="", max_length=300)
    proposed: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()


class MediaFile(SQLModel, table=True):
    """The bytes of a media item: `file` (the re-encoded image or the PDF) and, for images,
    `thumbnail`. In the database, so every server sees them and one backup holds them."""

    __tablename__ = "media_file"
    media_id: int = Field(foreign_key="media.id", primary_key=True, ondelete="CASCADE")
    variant: str = Field(max_length=10, primary_key=True)  # file | thumbnail
    content_type: str = Field(max_length=40)
    size: int
    sha256: str = Field(max_length=64)
    width: int | None = None
    height: int | None = None
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# --- Mail (issue 18): the outbox ------------------------------------------------------------


class OutboxMessage(SQLModel, table=True):
    """An e-mail to send, written in the same transaction as what caused it (an invitation, a
    password reset, a digest) and delivered later by `registry mail send` (registry.mail).

    `status`: waiting (to send, not before `next_attempt_at`), sending (claimed by a sender
    since `last_attempt_at`), sent, failed (gave up after `registry.mail.MAX_ATTEMPTS`).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)  # invitation | password_reset | digest | test …
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    headers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="waiting", max_length=10)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    message_id: str = Field(default="", max_length=300)
    created_at: datetime = _stamp()
    next_attempt_at: datetime = _stamp()
    last_attempt_at: datetime | None = _moment()
    sent_at: datetime | None = _moment()


# --- Curated collections (issue 18) ---------------------------------------------------------


class Collection(SQLModel, table=True):
    """A curators' public selection of published initiatives, in both languages
    (registry.collections). Its items that are not published are never shown."""

    __tablename__ = "collection"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=220)
    title_en: str = Field(default="", max_length=200)
    title_fr: str = Field(default="", max_length=200)
    introduction_en: str = Field(default="", sa_column=Column(Text, nullable=False))  # Markdown
    introduction_fr: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()


class CollectionItem(SQLModel, table=True):
    __tablename__ = "collection_item"
    collection_id: int = Field(foreign_key="collection.id", primary_key=True, ondelete="CASCADE")
    initiative_id: int = Field(
        foreign_key="initiative.id", primary_key=True, ondelete="CASCADE", index=True
    )
    position: int = Field(default=0)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))  # the curator's
    added_at: datetime = _stamp()


# --- Saved searches and alerts (issue 18) -------------------------------------------------


class SavedSearch(SQLModel, table=True):
    """A signed-in person's search (its filters as a query string), with its private Atom feed
    (`feed_token`, unguessable) and an optional e-mail digest (registry.alerts)."""

    __tablename__ = "saved_search"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=200)
    query: str = Field(sa_column=Column(Text, nullable=False))  # e.g. "country=FR&sector=health"
    feed_token: str = Field(max_length=64, unique=True)
    digest: str = Field(default="none", max_length=10)  # none | daily | weekly
    last_digest_at: datetime | None = _moment()  # the end of the period the last digest covered
    created_at: datetime = _stamp()


# --- Personal lists (issue 18) ------------------------------------------------------------


class UserList(SQLModel, table=True):
    """A person's list of published initiatives (registry.lists): private, or shared read-only
    with whoever holds the link made from `share_token` (revoked by clearing it)."""

    __tablename__ = "user_list"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    share_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()


class UserListItem(SQLModel, table=True):
    __tablename__ = "user_list_item"
    list_id: int = Field(foreign_key="user_list.id", primary_key=True, ondelete="CASCADE")
    initiative_id: int = Field(
        foreign_key="initiative.id", primary_key=True, ondelete="CASCADE", index=True
    )
    position: int = Field(default=0)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    added_at: datetime = _stamp()
