"""Statistics over published initiatives: per-country figures, pilots versus integrated
initiatives, and the pathways from pilot to mainstream.

Every figure is a GROUP BY over published rows (architecture.md): one scan of `initiative`
grouped by its controlled columns and one of `initiative_term`, whatever the number of fields.
Marginals and medians are computed here from those grouped counts, so SQLite and PostgreSQL
give the same figures to the last digit. Knows nothing of Flask.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, and_, bindparam, distinct, func, or_, select
from sqlmodel import Session

from . import vocab
from .catalogue import apply_filters
from .estimates import Curve, fisher_exact, holm, kaplan_meier, wilson
from .filters import BadParameter, Filters
from .initiatives import PUBLIC_STATUS, latest_change
from .messages import msg
from .models import Initiative, InitiativeTerm
from .search import SearchIndex, matching_ids
from .survey import survey_reference

# Below this many initiatives a group's shares say more about chance than about the group.
SMALL_GROUP = 5
MATURITIES = vocab.MATURITY.codes
# The controlled fields compared between groups (api.md names), each with its vocabulary.
COMPARED: dict[str, vocab.Vocabulary] = {
    "stages": vocab.STAGE,
    "sectors": vocab.SECTOR,
    "participants": vocab.PARTICIPANTS,
    "contributions": vocab.CONTRIBUTIONS,
    "motives": vocab.MOTIVES,
    "obstacles": vocab.OBSTACLES,
    "success_factors": vocab.SUCCESS_FACTORS,
    "evidence_level": vocab.EVIDENCE_LEVEL,
}
# Fields the 2010 survey gives reference shares for.
SURVEYED = ("motives", "obstacles", "success_factors")
SURVEY_RESPONDENTS = (
    "senior central-government officials in 20 OECD countries and 4 others (Brazil, Egypt, the "
    "Russian Federation, Ukraine)"
)
SURVEY_DENOMINATOR = (
    "share of respondents, except where a caveat says otherwise (lack of evidence of benefits: "
    "share of countries)"
)

Number = int | float
T = TypeVar("T")


def median(counts: Counter[int]) -> Number | None:
    """The median of values given as value → how many times; x.5 when it falls between two."""
    total = sum(counts.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    result = (found[0] + found[1]) / 2
    return int(result) if result.is_integer() else result


def share(count: int, n: int) -> float:
    """count / n rounded to three decimals (0.0 for an empty group)."""
    return round(count / n, 3) if n else 0.0


def interval(count: int, n: int) -> list[float] | None:
    """The Wilson 95 % interval of count / n, rounded to three decimals (None when n is 0)."""
    found = wilson(count, n)
    return None if found is None else [round(found[0], 3), round(found[1], 3)]


def share_json(count: int, n: int) -> dict[str, Any]:
    return {"count": count, "share": share(count, n), "interval": interval(count, n),
            "small_group": n < SMALL_GROUP}  # fmt: skip


# A difference between pilots and integrated initiatives is called out only when this test
# finds one: two-sided, at ALPHA, after Holm's adjustment for every comparison of the page.
ALPHA = 0.05
TEST_NAME = "Fisher's exact test (two-sided), Holm-adjusted over every row compared"


@dataclass(frozen=True)
class Test:
    p: float
    different: bool

    def as_json(self) -> dict[str, Any]:
        return {"p": round(self.p, 4), "different": self.different}


# --- Selections ------------------------------------------------------------------------------

ILLUSTRATIVE_CHOICES = ("include", "exclude")


def has_real_records(session: Session) -> bool:
    """Whether any published record is a real one (not an illustrative example)."""
    query = select(Initiative.id).where(
        Initiative.status == PUBLIC_STATUS, Initiative.illustrative.is_(False)
    )
    return session.scalar(query.limit(1)) is not None


def default_illustrative(session: Session) -> bool:
    """Illustrative records count by default only while the registry holds no real record."""
    return not has_real_records(session)


def illustrative_choice(session: Session, raw: str | None, default: bool | None = None) -> bool:
    """Whether the statistics count illustrative records: `include`, `exclude`, or the
    default (given, or read) when the parameter is absent or empty. BadParameter for anything
    else."""
    value = (raw or "").strip().lower()
    if not value:
        return default_illustrative(session) if default is None else default
    if value not in ILLUSTRATIVE_CHOICES:
        raise BadParameter(
            {"illustrative": [msg("unknown value %(value)s; expected include or exclude",
                                  value=repr(value[:40]))]}
        )  # fmt: skip
    return value == "include"


# Cohorts within each group: pilots by operating status, integrated initiatives by pathway.
PILOT_COHORTS = ("ongoing", "ended", "absorbed", "not_stated")
INTEGRATED_COHORTS = ("after_pilot", "from_start")
COHORT_DEFINITIONS = {
    "pilot.ongoing": "maturity pilot, operating_status ongoing",
    "pilot.ended": "maturity pilot, operating_status ended",
    "pilot.absorbed": "maturity pilot, operating_status absorbed",
    "pilot.not_stated": "maturity pilot, no operating_status",
    "integrated.after_pilot": "maturity integrated, integrated_from_start false",
    "integrated.from_start": "maturity integrated, integrated_from_start true",
}
INTERVAL_METHOD = "Wilson score interval, 95 %, without continuity correction"


@dataclass(frozen=True)
class Cohorts:
    """Which cohorts of each group are compared (empty: all of them)."""

    pilot: tuple[str, ...] = ()
    integrated: tuple[str, ...] = ()

    def to_args(self) -> list[tuple[str, str]]:
        return [("pilot_cohort", c) for c in self.pilot] + [
            ("integrated_cohort", c) for c in self.integrated
        ]

    def as_dict(self) -> dict[str, list[str]]:
        return {"pilot": list(self.pilot or PILOT_COHORTS),
                "integrated": list(self.integrated or INTEGRATED_COHORTS)}  # fmt: skip

    @property
    def chosen(self) -> bool:
        return bool(self.pilot or self.integrated)


ALL_COHORTS = Cohorts()


def parse_cohorts(pilot: list[str], integrated: list[str]) -> Cohorts:
    """Cohorts from the `pilot_cohort` and `integrated_cohort` parameters (repeatable or
    comma-separated); BadParameter names an unknown one."""
    errors: dict[str, list] = {}
    chosen: dict[str, tuple[str, ...]] = {}
    for name, raw, known in (("pilot_cohort", pilot, PILOT_COHORTS),
                             ("integrated_cohort", integrated, INTEGRATED_COHORTS)):  # fmt: skip
        values = [v.strip().lower() for item in raw for v in item.split(",") if v.strip()]
        unknown = [v[:40] for v in values if v not in known][:5]  # a short message
        if unknown:
            errors[name] = [msg("unknown %(name)s %(values)s; expected one of %(expected)s",
                                name=name, values=", ".join(unknown),
                                expected=", ".join(known))]  # fmt: skip
        chosen[name] = tuple(c for c in known if c in values)
    if errors:
        raise BadParameter(errors)
    return Cohorts(chosen["pilot_cohort"], chosen["integrated_cohort"])


def definitions() -> dict[str, Any]:
    """How the figures are defined, for an analyst's export."""
    return {"cohorts": COHORT_DEFINITIONS, "interval": INTERVAL_METHOD,
            "small_group": SMALL_GROUP, "same_years_gap": SAME_YEARS_GAP}  # fmt: skip


def _cohort_clause(cohorts: Cohorts) -> Any:
    clauses = []
    if cohorts.pilot:
        statuses = [c for c in cohorts.pilot if c != "not_stated"]
        within = [Initiative.operating_status.in_(statuses)] if statuses else []
        if "not_stated" in cohorts.pilot:
            within.append(Initiative.operating_status.is_(None))
        clauses.append(or_(Initiative.maturity != "pilot", or_(*within)))
    if len(cohorts.integrated) == 1:
        from_start = cohorts.integrated[0] == "from_start"
        clauses.append(
            or_(
                Initiative.maturity != "integrated",
                Initiative.integrated_from_start.is_(from_start),
            )
        )
    return and_(*clauses) if clauses else None


def _restrict(
    query: Select,
    filters: Filters,
    ids: Sequence[int] | None,
    illustrative: bool = True,
    cohorts: Cohorts = ALL_COHORTS,
) -> Select:
    """Published rows matching the structured filters and, when given, the text query's ids;
    without the illustrative records when `illustrative` is false; of the chosen cohorts."""
    query = apply_filters(query.where(Initiative.status == PUBLIC_STATUS), filters)
    if not illustrative:
        query = query.where(Initiative.illustrative.is_(False))
    clause = _cohort_clause(cohorts)
    if clause is not None:
        query = query.where(clause)
    if ids is not None:
        # Rendered inline: a text query can match more ids than a driver takes as parameters.
        query = query.where(
            Initiative.id.in_(bindparam("ids", list(ids), expanding=True, literal_execute=True))
        )
    return query


@dataclass(frozen=True)
class _Cell:
    maturity: str
    sector: str
    country: str
    evidence_level: str | None
    start_year: int | None
    mainstreamed_year: int | None
    end_year: int | None
    operating_status: str | None
    integrated_from_start: bool
    illustrative: bool
    count: int


def _cube(
    session: Session,
    filters: Filters,
    ids: Sequence[int] | None,
    illustrative: bool = True,
    cohorts: Cohorts = ALL_COHORTS,
) -> list[_Cell]:
    """Counts of published initiatives per combination of their single-valued fields."""
    columns = (Initiative.maturity, Initiative.sector, Initiative.country,
               Initiative.evidence_level, Initiative.start_year, Initiative.mainstreamed_year,
               Initiative.end_year, Initiative.operating_status,
               Initiative.integrated_from_start, Initiative.illustrative)  # fmt: skip
    query = _restrict(select(*columns, func.count()), filters, ids, illustrative, cohorts)
    return [
        _Cell(*row[:8], bool(row[8]), bool(row[9]), row[10])
        for row in session.execute(query.group_by(*columns))
    ]


def _term_counts(
    session: Session,
    filters: Filters,
    ids: Sequence[int] | None,
    fields: Iterable[str],
    illustrative: bool = True,
    cohorts: Cohorts = ALL_COHORTS,
) -> dict[tuple[str, str, str], int]:
    """(maturity, field, code) → number of published initiatives carrying that code.

    Grouped by (field, code) with one filtered count per maturity: a third of the time of
    grouping by maturity too on SQLite (a smaller temporary B-tree).
    """
    counts = [func.count().filter(Initiative.maturity == m) for m in MATURITIES]
    query = (
        select(InitiativeTerm.field, InitiativeTerm.code, *counts)
        .join_from(InitiativeTerm, Initiative, InitiativeTerm.initiative_id == Initiative.id)
        .where(InitiativeTerm.field.in_(list(fields)))
        .group_by(InitiativeTerm.field, InitiativeTerm.code)
    )
    found = {}
    rows = session.execute(_restrict(query, filters, ids, illustrative, cohorts))
    for field_name, code, *by_maturity in rows:
        for maturity, count in zip(MATURITIES, by_maturity, strict=True):
            found[(maturity, field_name, code)] = count
    return found


def _any_of_counts(
    session: Session,
    filters: Filters,
    ids: Sequence[int] | None,
    field_name: str,
    codes: list,
    illustrative: bool = True,
    cohorts: Cohorts = ALL_COHORTS,
) -> dict[str, int]:
    """maturity → initiatives carrying at least one of `codes` (for the survey's grouped rows)."""
    query = (
        select(Initiative.maturity, func.count(distinct(Initiative.id)))
        .join_from(InitiativeTerm, Initiative, InitiativeTerm.initiative_id == Initiative.id)
        .where(InitiativeTerm.field == field_name, InitiativeTerm.code.in_(codes))
        .group_by(Initiative.maturity)
    )
    return dict(session.execute(_restrict(query, filters, ids, illustrative, cohorts)).all())


# --- Pilot versus integrated -----------------------------------------------------------------


@dataclass
class Group:
    """One maturity's initiatives: how many, and how often each code of each field occurs."""

    maturity: str
    n: int
    counts: dict[str, dict[str, int]]  # field → code → count, every code of the vocabulary
    start_years: Counter[int] = field(default_factory=Counter)
    cohorts: dict[str, int] = field(default_factory=dict)  # cohort → count (see cohort_of)

    @property
    def small(self) -> bool:
        return self.n < SMALL_GROUP

    @property
    def undated(self) -> int:
        """Initiatives of the group without a start year."""
        return self.n - sum(self.start_years.values())

    @property
    def median_start_year(self) -> Number | None:
        return median(self.start_years)

    def not_stated(self, field_name: str) -> int:
        """Initiatives of the group with no code for a single-valued optional field."""
        return self.n - sum(self.counts[field_name].values())

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            **{
                name: {c: share_json(k, self.n) for c, k in codes.items()}
                for name, codes in self.counts.items()
            },
            "median_start_year": self.median_start_year,
            "cohorts": {c: share_json(k, self.n) for c, k in self.cohorts.items()},
        }


def cohort_of(cell: _Cell) -> str:
    """A pilot's cohort is its operating status (or not_stated); an integrated initiative's,
    whether it was mainstreamed after a pilot or integrated from the start."""
    if cell.maturity == "integrated":
        return "from_start" if cell.integrated_from_start else "after_pilot"
    return cell.operating_status or "not_stated"


# Median start years further apart than this: the comparison offers the years both share.
SAME_YEARS_GAP = 5


@dataclass(frozen=True)
class SameYears:
    """The start years both groups have, offered when the groups' ages differ widely."""

    low: int
    high: int
    medians: dict[str, Number]  # the whole groups' median start years
    within: dict[str, int]  # initiatives of each group started within low..high

    def as_json(self) -> dict[str, Any]:
        return {"year_from": self.low, "year_to": self.high, "median_start_years": self.medians,
                "within": self.within, "gap": SAME_YEARS_GAP}  # fmt: skip


def same_years(groups: dict[str, Group]) -> SameYears | None:
    """When the groups' median start years are SAME_YEARS_GAP or more apart, the span of
    years both groups started initiatives in (from the later first year to the earlier last
    year); None when the ages are close, a group has no start year, or no year is shared."""
    years = {m: g.start_years for m, g in groups.items()}
    if not all(years.values()):
        return None
    medians = {m: median(y) for m, y in years.items()}
    if abs(medians["pilot"] - medians["integrated"]) < SAME_YEARS_GAP:
        return None
    low, high = max(min(y) for y in years.values()), min(max(y) for y in years.values())
    if low > high:
        return None
    within = {m: sum(k for year, k in y.items() if low <= year <= high) for m, y in years.items()}
    return SameYears(low, high, medians, within)


@dataclass
class Spread:
    """How many years initiatives took from start to mainstreaming."""

    years: Counter[int]

    @property
    def n(self) -> int:
        return sum(self.years.values())

    @property
    def median(self) -> Number | None:
        return median(self.years)

    @property
    def min(self) -> int | None:
        return min(self.years) if self.years else None

    @property
    def max(self) -> int | None:
        return max(self.years) if self.years else None

    def as_json(self) -> dict[str, Any]:
        return {"n": self.n, "median_years": self.median, "min_years": self.min,
                "max_years": self.max}  # fmt: skip


@dataclass
class Pathways:
    """Integrated initiatives whose start and mainstreaming years are both known."""

    overall: Spread
    by_sector: dict[str, Spread]  # sectors with at least one such initiative, vocabulary order
    undated: int  # integrated initiatives missing one of the two years

    def as_json(self) -> dict[str, Any]:
        return {
            **self.overall.as_json(),
            "years": {str(y): k for y, k in sorted(self.overall.years.items())},
            "undated": self.undated,
            "by_sector": {s: spread.as_json() for s, spread in self.by_sector.items()},
        }


# --- Time to mainstreaming ---------------------------------------------------------------------

# A sector's or country's curve is drawn only from this many initiatives on.
MIN_CURVE = 10
NEVER = math.inf  # the censoring time of a pilot that ended: never mainstreamed


def _observation(cell: _Cell, now: int) -> tuple[float, bool] | str:
    """(years, mainstreamed) of one initiative for the survival curve, or why it is left out.

    - Mainstreamed after a pilot: an event, mainstreamed_year − start_year years after start.
    - A pilot that ended or was absorbed (or gives an end year): never mainstreamed. It stays
      in the risk set to the end (censored at infinity), so the curve estimates the share of
      all pilots started that were mainstreamed within t years (the competing outcome's
      subdistribution, as in Fine and Gray 1999). Censoring it when it ended would assume it
      could still be mainstreamed, and overstate mainstreaming.
    - Any other pilot (ongoing, or no status and no end year) has not been mainstreamed yet:
      censored at the current year − start_year.
    - Integrated from the start (never a pilot), no start year, or an integrated initiative
      without its mainstreaming year: left out, and counted as such.
    """
    if cell.start_year is None:
        return "no_start_year"
    if cell.maturity == "integrated":
        if cell.integrated_from_start:
            return "integrated_from_start"
        if cell.mainstreamed_year is None:
            return "no_mainstreamed_year"
        return max(0, cell.mainstreamed_year - cell.start_year), True
    if cell.operating_status in ("ended", "absorbed") or (
        cell.operating_status is None and cell.end_year is not None
    ):
        return NEVER, False
    return max(0, now - cell.start_year), False


def curve_json(curve: Curve) -> dict[str, Any]:
    """A curve for the API: the median with its interval, and every step (finite times)."""
    return {
        "n": curve.n,
        "mainstreamed": curve.events,
        "never_mainstreamed": sum(s.censored for s in curve.steps if math.isinf(s.time)),
        "median_years": curve.median,
        "median_interval": [curve.median_low, curve.median_high],
        "small_group": curve.n < SMALL_GROUP,
        "steps": [
            {"years": int(s.time), "at_risk": s.at_risk, "mainstreamed": s.events,
             "censored": s.censored, "not_yet_mainstreamed": round(s.survival, 4),
             "interval": [round(s.low, 4), round(s.high, 4)]}
            for s in curve.steps
            if not math.isinf(s.time)
        ],
    }  # fmt: skip


@dataclass
class Survival:
    """Kaplan–Meier estimate of the years from start to mainstreaming (see _observation)."""

    overall: Curve
    by_sector: dict[str, Curve]  # vocabulary order; every sector with an observation
    by_country: dict[str, Curve]  # busiest first
    left_out: dict[str, int]  # reason → initiatives
    now: int  # the year pilots still running are censored at

    def as_json(self) -> dict[str, Any]:
        def listed(curves: dict[str, Curve]) -> dict[str, Any]:
            return {
                key: curve_json(c) if c.n >= MIN_CURVE else {
                    "n": c.n, "small_group": c.n < SMALL_GROUP, "too_few": True}
                for key, c in curves.items()
            }  # fmt: skip

        return {
            "method": "Kaplan-Meier; pilots still running censored at the current year; ended or "
            "absorbed pilots never mainstreamed (kept at risk); Greenwood log interval; median "
            "interval by Brookmeyer-Crowley",
            "censored_at_year": self.now,
            "min_group": MIN_CURVE,
            "left_out": self.left_out,
            "overall": curve_json(self.overall),
            "by_sector": listed(self.by_sector),
            "by_country": listed(self.by_country),
        }


def survival(cells: list[_Cell], now: int | None = None) -> Survival:
    now = date.today().year if now is None else now
    overall: list[tuple[float, bool, int]] = []
    by_sector: dict[str, list] = {}
    by_country: dict[str, list] = {}
    left_out: Counter[str] = Counter()
    for cell in cells:
        found = _observation(cell, now)
        if isinstance(found, str):
            left_out[found] += cell.count
            continue
        item = (*found, cell.count)
        overall.append(item)
        by_sector.setdefault(cell.sector, []).append(item)
        by_country.setdefault(cell.country, []).append(item)
    countries = sorted(by_country, key=lambda c: (-sum(k for *_, k in by_country[c]), c))
    return Survival(
        overall=kaplan_meier(overall),
        by_sector={s: kaplan_meier(by_sector[s]) for s in vocab.SECTOR.codes if s in by_sector},
        by_country={c: kaplan_meier(by_country[c]) for c in countries},
        left_out={
            r: left_out[r]
            for r in ("no_start_year", "integrated_from_start", "no_mainstreamed_year")
        },
        now=now,
    )


@dataclass
class Comparison:
    groups: dict[str, Group]
    # Survey rows that group several codes: key → maturity → initiatives with any of them.
    grouped: dict[str, dict[str, dict[str, int]]]
    pathways: Pathways
    illustrative_included: bool = True
    illustrative: int = 0  # how many of the counted initiatives are illustrative
    cohorts: Cohorts = ALL_COHORTS  # the cohorts compared
    survival: Survival | None = None
    _tests: dict[str, dict[str, Test]] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return sum(g.n for g in self.groups.values())

    def grouped_share(self, field_name: str, key: str, maturity: str) -> tuple[int, float]:
        count = self.grouped[field_name][key][maturity]
        return count, share(count, self.groups[maturity].n)

    def rows(self) -> dict[str, dict[str, tuple[int, int]]]:
        """field → code (or survey key, or "not_stated") → (pilot count, integrated count)."""
        out: dict[str, dict[str, tuple[int, int]]] = {}
        pilot, integrated = self.groups["pilot"], self.groups["integrated"]
        for name in COMPARED:
            mine = out.setdefault(name, {})
            for key, by_maturity in self.grouped.get(name, {}).items():
                mine[key] = (by_maturity["pilot"], by_maturity["integrated"])
            for code in pilot.counts[name]:
                mine[code] = (pilot.counts[name][code], integrated.counts[name][code])
            if name not in vocab.MULTI_FIELDS and name != "sectors":
                mine["not_stated"] = (pilot.not_stated(name), integrated.not_stated(name))
        return out

    def tests(self) -> dict[str, dict[str, Test]]:
        """Fisher's exact test, pilots against integrated initiatives, on every row where
        either group has the code; `different` where Holm's procedure over all of them
        rejects at ALPHA. Rows no group has are not tested (and not counted)."""
        if self._tests is not None:
            return self._tests
        n_pilot, n_integrated = self.groups["pilot"].n, self.groups["integrated"].n
        tested: list[tuple[str, str, float]] = []
        if n_pilot and n_integrated:
            for name, rows in self.rows().items():
                for key, (a, c) in rows.items():
                    if a or c:
                        p = fisher_exact(a, n_pilot - a, c, n_integrated - c)
                        tested.append((name, key, p))
        rejected = holm([p for _, _, p in tested], ALPHA)
        found: dict[str, dict[str, Test]] = {}
        for (name, key, p), different in zip(tested, rejected, strict=True):
            found.setdefault(name, {})[key] = Test(p, different)
        self._tests = found
        return found

    @property
    def same_years(self) -> SameYears | None:
        return same_years(self.groups)

    @property
    def test_count(self) -> int:
        return sum(len(rows) for rows in self.tests().values())

    def as_json(self) -> dict[str, Any]:
        grouped = {
            name: {
                key: {
                    m: share_json(self.grouped[name][key][m], self.groups[m].n) for m in MATURITIES
                }
                for key in keys
            }
            for name, keys in self.grouped.items()
        }
        return {
            "illustrative": {"included": self.illustrative_included, "counted": self.illustrative},
            "cohorts": self.cohorts.as_dict(),
            "definitions": definitions(),
            "same_years": None if self.same_years is None else self.same_years.as_json(),
            "groups": {m: g.as_json() for m, g in self.groups.items()},
            "grouped": grouped,
            "tests": {
                "name": TEST_NAME,
                "alpha": ALPHA,
                "count": self.test_count,
                "results": {
                    name: {key: t.as_json() for key, t in rows.items()}
                    for name, rows in self.tests().items()
                },
            },
            "pathways": self.pathways.as_json(),
            "survival": None if self.survival is None else self.survival.as_json(),
        }


def _pathways(cells: list[_Cell]) -> Pathways:
    overall: Counter[int] = Counter()
    by_sector: dict[str, Counter[int]] = {}
    undated = 0
    for cell in cells:
        if cell.maturity != "integrated":
            continue
        if cell.start_year is None or cell.mainstreamed_year is None:
            undated += cell.count
            continue
        years = cell.mainstreamed_year - cell.start_year
        overall[years] += cell.count
        by_sector.setdefault(cell.sector, Counter())[years] += cell.count
    ordered = {s: Spread(by_sector[s]) for s in vocab.SECTOR.codes if s in by_sector}
    return Pathways(Spread(overall), ordered, undated)


def compare(
    session: Session,
    filters: Filters,
    ids: Sequence[int] | None = None,
    illustrative: bool = True,
    cohorts: Cohorts = ALL_COHORTS,
) -> Comparison:
    """Pilots and integrated initiatives among the published ones matching `filters`.

    `ids` restricts to the ids a text query matched (the caller asks the search index);
    None means no text query. `illustrative` false leaves the illustrative records out.
    Shares of multi-valued fields need not sum to 1.
    """
    cells = _cube(session, filters, ids, illustrative, cohorts)
    multi = [name for name in COMPARED if name in vocab.MULTI_FIELDS]
    terms = _term_counts(session, filters, ids, multi, illustrative, cohorts)
    groups = {}
    for maturity in MATURITIES:
        mine = [c for c in cells if c.maturity == maturity]
        counts: dict[str, dict[str, int]] = {}
        for name, vocabulary in COMPARED.items():
            if name in vocab.MULTI_FIELDS:
                counts[name] = {c: terms.get((maturity, name, c), 0) for c in vocabulary.codes}
            else:
                column = "sector" if name == "sectors" else name
                tally = Counter()
                for cell in mine:
                    tally[getattr(cell, column)] += cell.count
                counts[name] = {c: tally[c] for c in vocabulary.codes}
        years: Counter[int] = Counter()
        by_cohort: Counter[str] = Counter()
        for cell in mine:
            by_cohort[cohort_of(cell)] += cell.count
            if cell.start_year is not None:
                years[cell.start_year] += cell.count
        names = PILOT_COHORTS if maturity == "pilot" else INTEGRATED_COHORTS
        groups[maturity] = Group(maturity, sum(c.count for c in mine), counts, years,
                                 {c: by_cohort[c] for c in names})  # fmt: skip
    grouped: dict[str, dict[str, dict[str, int]]] = {}
    for name, key, codes in survey_groups():
        found = _any_of_counts(session, filters, ids, name, codes, illustrative, cohorts)
        grouped.setdefault(name, {})[key] = {m: found.get(m, 0) for m in MATURITIES}
    counted = sum(c.count for c in cells if c.illustrative)
    return Comparison(groups, grouped, _pathways(cells), illustrative, counted, cohorts,
                      survival(cells))  # fmt: skip


# --- The 2010 survey -------------------------------------------------------------------------


@cache
def survey() -> dict[str, Any]:
    """The seed document's reference figures (seeds/survey_reference.json), read once."""
    return survey_reference()


def survey_groups() -> list[tuple[str, str, list[str]]]:
    """(field, key, codes) of each survey figure that covers several of our codes."""
    return [
        (name, key, list(entry["codes"]))
        for name in SURVEYED
        for key, entry in survey().get(name, {}).get("_grouped", {}).items()
    ]


def survey_shares() -> dict[str, dict[str, float]]:
    """field → code (or grouped key) → share, as api.md's `survey_reference`."""
    out: dict[str, dict[str, float]] = {}
    for name in SURVEYED:
        section = survey().get(name, {})
        shares = {k: e["share"] for k, e in section.get("_grouped", {}).items()}
        shares.update({k: e["share"] for k, e in section.items() if not k.startswith("_")})
        out[name] = shares
    return out


def survey_codes() -> dict[str, list[str]]:
    """field → the vocabulary codes the survey gives a figure for (alone or grouped), in
    vocabulary order: the codes taken from the survey's categories."""
    out: dict[str, list[str]] = {}
    for name in SURVEYED:
        section = survey().get(name, {})
        found = {k for k in section if not k.startswith("_")}
        for entry in section.get("_grouped", {}).values():
            found.update(entry["codes"])
        out[name] = [c for c in COMPARED[name].codes if c in found]
    return out


def survey_notes() -> dict[str, Any]:
    """Where the reference figures come from and how to read them."""
    data = survey()
    caveats = {
        f"{name}.{key}": entry["caveat"]
        for name in SURVEYED
        for key, entry in data.get(name, {}).items()
        if not key.startswith("_") and "caveat" in entry
    }
    grouped = {f"{name}.{key}": codes for name, key, codes in survey_groups()}
    return {"source": data["source"], "year": data["year"], "coverage": data["coverage"],
            "respondents": SURVEY_RESPONDENTS, "denominator": SURVEY_DENOMINATOR,
            "follows_filters": False, "codes": survey_codes(),
            "note": data["note"], "caveats": caveats, "grouped": grouped}  # fmt: skip


# --- Countries -------------------------------------------------------------------------------


@dataclass
class CountrySummary:
    code: str
    total: int
    by_maturity: dict[str, int]
    sectors: list[str]  # vocabulary order
    illustrative: int = 0  # how many of `total` are illustrative

    @property
    def pilot(self) -> int:
        return self.by_maturity.get("pilot", 0)

    @property
    def integrated(self) -> int:
        return self.by_maturity.get("integrated", 0)


def country_summaries(
    session: Session, cache: FigureCache | None = None, illustrative: bool = True
) -> list[CountrySummary]:
    """Every country with published initiatives, busiest first (then by code);
    `illustrative` false leaves the illustrative records out."""
    if cache is not None:
        return cache.get(
            session,
            ("countries", illustrative),
            lambda: country_summaries(session, illustrative=illustrative),
        )
    columns = (Initiative.country, Initiative.maturity, Initiative.sector,
               Initiative.illustrative)  # fmt: skip
    query = _restrict(select(*columns, func.count()), Filters(), None, illustrative)
    maturity: dict[str, Counter[str]] = {}
    sectors: dict[str, set[str]] = {}
    invented: Counter[str] = Counter()
    for country, mat, sector, example, count in session.execute(query.group_by(*columns)):
        maturity.setdefault(country, Counter())[mat] += count
        sectors.setdefault(country, set()).add(sector)
        if example:
            invented[country] += count
    summaries = [
        CountrySummary(
            code,
            sum(tally.values()),
            {m: tally[m] for m in MATURITIES},
            [s for s in vocab.SECTOR.codes if s in sectors[code]],
            invented[code],
        )
        for code, tally in maturity.items()
    ]
    return sorted(summaries, key=lambda s: (-s.total, s.code))


@dataclass
class CountryProfile:
    code: str
    total: int
    by_maturity: dict[str, int]
    by_stage: dict[str, int]
    by_sector: dict[str, int]
    start_years: dict[int, int]  # ascending
    mainstreamed_years: dict[int, int]
    illustrative_included: bool = True
    illustrative: int = 0  # how many of `total` are illustrative

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "total": self.total,
            "by_maturity": self.by_maturity,
            "by_stage": self.by_stage,
            "by_sector": self.by_sector,
            "by_start_year": {str(y): k for y, k in self.start_years.items()},
            "by_mainstreamed_year": {str(y): k for y, k in self.mainstreamed_years.items()},
            "illustrative": {"included": self.illustrative_included, "counted": self.illustrative},
        }


def country_profile(
    session: Session, code: str, cache: FigureCache | None = None, illustrative: bool = True
) -> CountryProfile:
    """A country's published initiatives counted by maturity, stage, sector and year.

    `code` is an upper-case ISO code; a country without published initiatives has total 0.
    Counts list every code of each vocabulary (zeros included). `illustrative` false leaves
    the illustrative records out.
    """
    if cache is not None:
        return cache.get(
            session,
            ("country", code, illustrative),
            lambda: country_profile(session, code, illustrative=illustrative),
        )
    filters = Filters(country=(code,))
    cells = _cube(session, filters, None, illustrative)
    terms = _term_counts(session, filters, None, ["stages"], illustrative)
    maturity: Counter[str] = Counter()
    sector: Counter[str] = Counter()
    started: Counter[int] = Counter()
    mainstreamed: Counter[int] = Counter()
    for cell in cells:
        maturity[cell.maturity] += cell.count
        sector[cell.sector] += cell.count
        if cell.start_year is not None:
            started[cell.start_year] += cell.count
        if cell.mainstreamed_year is not None:
            mainstreamed[cell.mainstreamed_year] += cell.count
    stages: Counter[str] = Counter()
    for (_m, _f, stage), count in terms.items():
        stages[stage] += count
    return CountryProfile(
        code=code,
        total=sum(maturity.values()),
        by_maturity={m: maturity[m] for m in MATURITIES},
        by_stage={s: stages[s] for s in vocab.STAGE.codes},
        by_sector={s: sector[s] for s in vocab.SECTOR.codes},
        start_years=dict(sorted(started.items())),
        mainstreamed_years=dict(sorted(mainstreamed.items())),
        illustrative_included=illustrative,
        illustrative=sum(c.count for c in cells if c.illustrative),
    )


def initiatives_page(
    session: Session, filters: Filters, page: int, per_page: int
) -> tuple[int, list[Initiative]]:
    """(total, one page) of published initiatives matching structured filters: latest start
    year first, then newest id (the same order on every engine)."""
    total = session.scalar(_restrict(select(func.count(Initiative.id)), filters, None)) or 0
    query = (
        _restrict(select(Initiative), filters, None)
        .order_by(Initiative.start_year.desc().nulls_last(), Initiative.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return total, list(session.scalars(query))


def compare_matching(
    index: SearchIndex,
    session: Session,
    filters: Filters,
    cache: FigureCache | None = None,
    illustrative: bool = True,
    cohorts: Cohorts = ALL_COHORTS,
) -> Comparison:
    """`compare` for the filters of a search, text query included (asked of the index)."""

    def compute() -> Comparison:
        ids = matching_ids(index, session, filters) if filters.q else None
        return compare(session, filters, ids, illustrative, cohorts)

    if cache is None:
        return compute()
    # Order and paging do not change the figures: one entry per selection.
    selection = replace(filters, sort=None, page=1, per_page=20)
    key = ("compare", tuple(selection.to_args()), illustrative, cohorts)
    return cache.get(session, key, compute)


def overview(session: Session, illustrative: bool = True) -> dict[str, int]:
    """The home page's headline figures over published initiatives; `illustrative` says
    whether the illustrative records count, and the answer how many of them did."""
    row = session.execute(
        _restrict(
            select(
                func.count(),
                func.count(distinct(Initiative.country)),
                func.count().filter(Initiative.maturity == "integrated"),
                func.count().filter(Initiative.illustrative.is_(True)),
            ),
            Filters(),
            None,
            illustrative,
        )
    ).one()
    return dict(zip(("initiatives", "countries", "integrated", "illustrative"), row, strict=True))


class FigureCache:
    """Figures kept until the catalogue changes: an entry is keyed by the change log's last
    sequence number (every write adds one), so a publication, edit or withdrawal is seen by
    the next request on every worker and server, at the cost of one MAX() query."""

    def __init__(self, size: int = 128):
        self.size = size
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, key: tuple, compute: Callable[[], T]) -> T:
        full = (latest_change(session), *key)
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
                return self._entries[full]
        value = compute()
        with self._lock:
            self._entries[full] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
