"""Loading the illustrative seed records of `seeds/` (as an import through the action layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from . import actions, initiatives
from .db import write_session
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
    return len(rows), len(records) - len(rows)
