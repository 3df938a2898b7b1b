"""The search and browse parameters of `api.md`, parsed and checked once for every surface
(pages, API, exports, feeds, comparison)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from werkzeug.datastructures import MultiDict

from . import vocab
from .messages import msg
from .schemas import country_code, language_code, latest_year, text_problem, whole_number

SORTS = ("relevance", "newest", "year", "title")
MAX_QUERY_LENGTH = 500


class BadParameter(ValueError):
    """A query-string parameter is malformed; `fields` names each one with its message."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Filters:
    q: str = ""
    country: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    maturity: str | None = None
    evidence_level: str | None = None
    language: str | None = None
    tag: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    completeness: str | None = None  # case records (issue 16): low | medium | high
    link: str | None = None  # case records: records with a published link of this type
    sort: str | None = None
    page: int = 1
    per_page: int = 20
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q else "newest")

    def without(self, name: str, value: str | None = None) -> Filters:
        """These filters with one filter (or one value of a repeatable one) removed."""
        current = getattr(self, name)
        if isinstance(current, tuple) and value is not None:
            return replace(self, **{name: tuple(v for v in current if v != value)}, page=1)
        empty = () if isinstance(current, tuple) else ("" if name == "q" else None)
        return replace(self, **{name: empty}, page=1)

    def to_args(self) -> list[tuple[str, str]]:
        """Query-string pairs that rebuild these filters (for links, feeds, exports)."""
        pairs: list[tuple[str, str]] = []
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if (f.name, value) in (("page", 1), ("per_page", 20)):
                continue
            if isinstance(value, tuple):
                pairs.extend((f.name, v) for v in value)
            elif value not in (None, ""):
                pairs.append((f.name, str(value)))
        return pairs

    def as_dict(self) -> dict[str, Any]:
        return {
            f.name: list(getattr(self, f.name))
            if isinstance(getattr(self, f.name), tuple)
            else getattr(self, f.name)
            for f in fields(self)
            if f.name != "extra"
        }

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or self.country
            or self.sector
            or self.stage
            or self.maturity
            or self.evidence_level
            or self.language
            or self.tag
            or self.year_from
            or self.year_to
            or self.completeness
            or self.link
        )


def _many(args: MultiDict, name: str) -> list[str]:
    values: list[str] = []
    for raw in args.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def _int(args: MultiDict, name: str, lo: int, hi: int, errors: dict) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return whole_number(raw, lo, hi)
    except ValueError as exc:
        errors[name] = [exc.args[0]]
        return None


def _refuse_forbidden_characters(args: MultiDict, errors: dict) -> None:
    """Every value goes through the text sanitiser before any is used (PostgreSQL cannot
    compare with a NUL; a feed cannot carry U+FFFF)."""
    for name, value in args.items(multi=True):
        problem = text_problem(value)
        if problem is not None:
            errors.setdefault(name[:40], []).append(problem)


def _codes(args: MultiDict, name: str, vocabulary: vocab.Vocabulary, errors: dict) -> tuple:
    values = [v.lower() for v in _many(args, name)]
    unknown = [v for v in values if v not in vocabulary.codes]
    if unknown:
        errors[name] = [
            msg(
                "unknown %(name)s %(values)s; expected one of %(expected)s",
                name=name,
                values=", ".join(u[:40] for u in unknown),
                expected=", ".join(vocabulary.codes),
            )
        ]
        return ()
    return tuple(dict.fromkeys(values))


def parse_filters(args: MultiDict, *, max_per_page: int = 100) -> Filters:
    """Filters from a query string; BadParameter names every malformed parameter."""
    errors: dict[str, list[str]] = {}
    _refuse_forbidden_characters(args, errors)
    if errors:
        raise BadParameter(errors)
    q = " ".join(args.get("q", "").split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = [msg("the query is limited to %(count)s characters", count=MAX_QUERY_LENGTH)]
    countries = []
    for raw in _many(args, "country"):
        try:
            countries.append(country_code(raw))
        except ValueError as exc:
            errors.setdefault("country", []).append(exc.args[0])
    language = args.get("language", "").strip() or None
    if language:
        try:
            language = language_code(language)
        except ValueError as exc:
            errors["language"] = [exc.args[0]]
    maturity = _codes(args, "maturity", vocab.MATURITY, errors)
    evidence = _codes(args, "evidence_level", vocab.EVIDENCE_LEVEL, errors)
    complete = _codes(args, "completeness", vocab.COMPLETENESS, errors)
    link = _codes(args, "link", vocab.LINK_TYPE, errors)
    sort = args.get("sort", "").strip() or None
    if sort and sort not in SORTS:
        errors["sort"] = [
            msg(
                "unknown sort %(value)s; expected one of %(expected)s",
                value=repr(sort[:40]),
                expected=", ".join(SORTS),
            )
        ]
    tags = tuple(dict.fromkeys(t.lower()[:80] for t in _many(args, "tag")))
    filters = Filters(
        q=q,
        country=tuple(dict.fromkeys(countries)),
        sector=_codes(args, "sector", vocab.SECTOR, errors),
        stage=_codes(args, "stage", vocab.STAGE, errors),
        maturity=maturity[0] if len(maturity) == 1 else None,
        evidence_level=evidence[0] if len(evidence) == 1 else None,
        language=language,
        tag=tags,
        year_from=_int(args, "year_from", 1900, latest_year(), errors),
        year_to=_int(args, "year_to", 1900, latest_year(), errors),
        completeness=complete[0] if len(complete) == 1 else None,
        link=link[0] if len(link) == 1 else None,
        sort=sort,
        page=_int(args, "page", 1, 10_000, errors) or 1,
        per_page=_int(args, "per_page", 1, max_per_page, errors) or 20,
    )
    if len(maturity) > 1:
        errors["maturity"] = [msg("choose one maturity")]
    if len(evidence) > 1:
        errors["evidence_level"] = [msg("choose one evidence level")]
    if len(link) > 1:
        errors["link"] = [msg("choose one kind of link")]
    if len(complete) > 1:
        errors["completeness"] = [msg("choose one level of completeness")]
    if errors:
        raise BadParameter(errors)
    return filters
