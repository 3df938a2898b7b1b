"""How complete a case record is: the one place its score is computed (issue 16).

A record scores the share of the things a practitioner looks for that it states, from 0 to
100. The score is kept on the record (`initiative.completeness`, set with its live fields by
`actions.storage.set_live`) so that search, filters and the curators' list read it without
recomputing; the migration that added it computes it here too. Pure: it reads a record's fields
as a dict (the editable fields, or `initiatives.to_record`), and knows no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .messages import Message, msg

# A description shorter than this says too little to learn from.
DESCRIPTION_CHARACTERS = 300
# The buckets of the search facet: (code, lowest score).
BUCKETS = (("high", 70), ("medium", 40), ("low", 0))


def _has(*names: str) -> Callable[[Mapping[str, Any]], bool]:
    """True when any of `names` is stated (not None, empty text or an empty list)."""
    return lambda r: any(r.get(n) not in (None, "", [], False) for n in names)


# (what it checks, as the reader reads it; the check)
CHECKS: tuple[tuple[Message, Callable[[Mapping[str, Any]], bool]], ...] = (
    (msg("a description of some length"),
     lambda r: len(r.get("description") or "") >= DESCRIPTION_CHARACTERS),
    (msg("where it happens (locality or region)"), _has("locality", "region")),
    (msg("the start year"), _has("start_year")),
    (msg("whether it still runs"), _has("operating_status")),
    (msg("the lead organisation"), _has("lead_organisation")),
    (msg("who takes part"), _has("participants")),
    (msg("what they contribute"), _has("contributions")),
    (msg("its context (level of government, delivery mode, who started it)"),
     _has("level_of_government", "delivery_mode", "initiated_by")),
    (msg("its scale (people taking part, population, volunteers or staff)"),
     _has("participant_count", "population_served", "volunteer_count", "staff_count")),
    (msg("its cost"), _has("annual_cost")),
    (msg("who pays for it"), _has("funding_sources")),
    (msg("the evidence level"), _has("evidence_level")),
    (msg("its outcomes"), _has("outcomes")),
    (msg("key results"), _has("key_results")),
    (msg("sources"), _has("sources")),
    (msg("lessons learned"), _has("lessons")),
    (msg("challenges"), _has("challenges")),
    (msg("a website or a contact point"), _has("website", "contact_email", "contact_url")),
)  # fmt: skip


def score(record: Mapping[str, Any]) -> int:
    """0 to 100: the share of CHECKS the record passes, rounded."""
    passed = sum(1 for _, check in CHECKS if check(record))
    return round(100 * passed / len(CHECKS))


def missing(record: Mapping[str, Any]) -> list[Message]:
    """What the record does not state yet, in CHECKS order."""
    return [what for what, check in CHECKS if not check(record)]


def bucket(value: int | None) -> str:
    """The facet's code for a score: low, medium or high."""
    return next(code for code, lowest in BUCKETS if (value or 0) >= lowest)


def bounds(code: str) -> tuple[int, int]:
    """The scores (lowest, highest) of a facet code."""
    lowest = dict(BUCKETS)[code]
    above = [low for _, low in BUCKETS if low > lowest]
    return lowest, (min(above) - 1 if above else 100)
