"""Loading the illustrative seed records of `seeds/` (as an import through the action layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import actions, initiatives
from .db import write_session
from .models import InitiativeKey, InitiativeLink, InitiativeTranslation
from .paths import SEEDS
from .schemas import ValidationFailed, validate_initiative
from .survey import SeedError, read_json, survey_reference
from .transfer.importing import Row

SEED_FILE = "initiatives.json"


def load_records(path: Path) -> list[dict[str, Any]]:
    """The seed records, each validated; SeedError names the first failing record."""
    data = read_json(path)
    records = data.get("initiatives") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise SeedError(f"{path}: expected an object with a list under 'initiatives'")
    for n, record in enumerate(records, start=1):
        name = record.get("slug") if isinstance(record, dict) else None
        try:
            validate_initiative(record)
        except ValidationFailed as exc:
            raise SeedError(f"{path}: record {n} ({name or 'no slug'}): {exc}") from None
        if not name:
            raise SeedError(f"{path}: record {n}: a seed record needs a slug")
    return records


def seed(engine: Engine, folder: Path = SEEDS) -> tuple[int, int]:
    """Publish, as the registry's own illustrative records, every seed record whose slug is
    not among them yet (an import by the command line, through the action layer).

    Idempotent: a second run adds nothing, and never overwrites a curator's later edit of a
    seed record. Returns (added, already present).
    """
    records = load_records(folder / SEED_FILE)
    survey_reference(folder)  # a malformed reference file fails the seed, not a page later
    options = actions.ImportOptions(publish=True, source=f"seeds/{SEED_FILE}", illustrative=True)
    with write_session(engine) as session:
        present = initiatives.claimed_slugs(session, initiatives.REGISTRY_SCOPE)
        rows = [
            Row(f"{SEED_FILE} record {n}", record)
            for n, record in enumerate(records, start=1)
            if record["slug"] not in present
        ]
        if rows:
            actions.import_rows(session, actions.SYSTEM, rows, options)
        add_links_and_translations(session, read_json(folder / SEED_FILE))
    return len(rows), len(records) - len(rows)


# --- Case records (issue 16): links between seed records and translations of them ----------


def add_links_and_translations(session: Session, data: dict) -> None:
    """The seed file's `links` ({from, to, kind}: slugs) and `translations` ({slug, language,
    translator, title, summary, …}) that are not there yet, through the actions. A seed that
    names a missing record fails the seed, as a malformed record does."""
    slugs = dict(
        session.execute(
            select(InitiativeKey.value, InitiativeKey.initiative_id).where(
                InitiativeKey.scope == initiatives.REGISTRY_SCOPE, InitiativeKey.kind == "slug"
            )
        ).all()
    )

    def record(slug: Any) -> int:
        if slug not in slugs:
            raise SeedError(f"{SEED_FILE}: no seed record with the slug {slug!r}")
        return slugs[slug]

    for link in data.get("links") or []:
        source, target = record(link.get("from")), record(link.get("to"))
        taken = session.scalar(
            select(InitiativeLink.id).where(
                InitiativeLink.from_id == source, InitiativeLink.to_id == target,
                InitiativeLink.kind == link.get("kind"),
            )
        )  # fmt: skip
        if taken is None:
            actions.link_records(session, actions.SYSTEM, source, target, link.get("kind"))
    for translation in data.get("translations") or []:
        texts = {k: v for k, v in translation.items() if k not in ("slug", "language")}
        initiative_id = record(translation.get("slug"))
        if session.get(InitiativeTranslation, (initiative_id, translation.get("language"))):
            continue
        actions.translate_record(
            session, actions.SYSTEM, initiative_id, translation.get("language"), texts
        )
