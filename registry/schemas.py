"""Validation of incoming initiatives and the shape of outgoing ones.

Every rule of `api.md` lives here, so forms, the JSON API, imports and seeds reject the same
things with the same messages. Knows nothing of Flask or database sessions.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import vocab

NEXT_YEAR = date.today().year + 1
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ValidationFailed(Exception):
    """Input broke one or more rules; `fields` maps each field to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


def _clean(text: str) -> str:
    return CONTROL_CHARS.sub("", text).strip()


def _codes(vocabulary: vocab.Vocabulary, values: list[str], required: bool = False) -> list[str]:
    cleaned = [str(v).strip().lower() for v in values if str(v).strip()]
    unknown = [v for v in cleaned if v not in vocabulary.codes]
    if unknown:
        raise ValueError(
            f"unknown code {', '.join(unknown)}; expected one of {', '.join(vocabulary.codes)}"
        )
    if required and not cleaned:
        raise ValueError("choose at least one")
    return [c for c in vocabulary.codes if c in cleaned]  # vocabulary order, no repeats


def _code(vocabulary: vocab.Vocabulary, value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    code = str(value).strip().lower()
    if code not in vocabulary.codes:
        raise ValueError(f"unknown code {code}; expected one of {', '.join(vocabulary.codes)}")
    return code


def country_code(value: str) -> str:
    """Upper-case ISO 3166-1 alpha-2 code, or ValueError."""
    code = str(value).strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def language_code(value: str) -> str:
    code = str(value).strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(f"{value!r} is not an ISO 639-1 language code")
    return code


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:200].rstrip("-") or "initiative"


Year = Annotated[int, Field(ge=1900, le=NEXT_YEAR, strict=True)]
ShortText = Annotated[str, Field(max_length=200)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=300)]
    url: Annotated[str, Field(max_length=2000)]

    @field_validator("title", mode="before")
    @classmethod
    def _strip_title(cls, v: Any) -> Any:
        return _clean(v) if isinstance(v, str) else v

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// address")
        return v


class InitiativeIn(BaseModel):
    """A complete initiative as submitted (create, or an update merged onto the record)."""

    model_config = ConfigDict(extra="forbid", str_max_length=50_000)

    title: Annotated[str, Field(min_length=3, max_length=200)]
    summary: Annotated[str, Field(min_length=1, max_length=600)]
    description: str = ""
    language: str = "en"
    country: str
    region: ShortText = ""
    locality: ShortText = ""
    sector: str
    stages: list[str]
    maturity: str
    start_year: Year | None = None
    mainstreamed_year: Year | None = None
    end_year: Year | None = None
    participants: list[str] = []
    contributions: list[str] = []
    motives: list[str] = []
    obstacles: list[str] = []
    success_factors: list[str] = []
    evidence_level: str | None = None
    outcomes: str = ""
    lead_organisation: Annotated[str, Field(max_length=300)] = ""
    partners: Annotated[list[ShortText], Field(max_length=50)] = []
    tags: Annotated[list[Annotated[str, Field(max_length=80)]], Field(max_length=30)] = []
    sources: Annotated[list[Source], Field(max_length=30)] = []
    slug: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200)] | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    @field_validator(
        "title", "summary", "description", "region", "locality", "outcomes",
        "lead_organisation", mode="before",
    )  # fmt: skip
    @classmethod
    def _strip(cls, v: Any) -> Any:
        if v is None:
            return ""
        return _clean(v) if isinstance(v, str) else v

    @field_validator("partners", "tags", mode="before")
    @classmethod
    def _strip_items(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [_clean(x) for x in v if isinstance(x, str) and _clean(x)] + [
                x for x in v if not isinstance(x, str)
            ]
        return v

    @field_validator("tags")
    @classmethod
    def _normalise_tags(cls, v: list[str]) -> list[str]:
        return sorted({t.lower() for t in v})

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        return country_code(v)

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        return language_code(v)

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str) -> str:
        code = _code(vocab.SECTOR, v)
        if code is None:
            raise ValueError("this field is required")
        return code

    @field_validator("maturity")
    @classmethod
    def _maturity(cls, v: str) -> str:
        code = _code(vocab.MATURITY, v)
        if code is None:
            raise ValueError("this field is required")
        return code

    @field_validator("evidence_level")
    @classmethod
    def _evidence(cls, v: str | None) -> str | None:
        return _code(vocab.EVIDENCE_LEVEL, v)

    @field_validator("stages")
    @classmethod
    def _stages(cls, v: list[str]) -> list[str]:
        return _codes(vocab.STAGE, v, required=True)

    @field_validator("participants", "contributions", "motives", "obstacles", "success_factors")
    @classmethod
    def _multi(cls, v: list[str], info) -> list[str]:
        return _codes(vocab.MULTI_FIELDS[info.field_name], v)

    @model_validator(mode="after")
    def _timeline(self) -> InitiativeIn:
        errors: dict[str, list[str]] = {}
        if self.mainstreamed_year is not None and self.maturity != "integrated":
            errors["mainstreamed_year"] = ["only integrated initiatives have a mainstreaming year"]
        start, main, end = self.start_year, self.mainstreamed_year, self.end_year
        if start is not None and main is not None and main < start:
            errors.setdefault("mainstreamed_year", []).append("must not be before the start year")
        if end is not None and max(y for y in (start, main, end) if y is not None) > end:
            errors["end_year"] = ["must not be before the start or mainstreaming year"]
        if errors:
            raise ValidationFailed(errors)
        return self


MULTI = tuple(vocab.MULTI_FIELDS)
RECORD_FIELDS = tuple(f for f in InitiativeIn.model_fields if f not in ("slug", "external_id"))
Status = Literal["draft", "submitted"]


def validate_initiative(data: Any) -> InitiativeIn:
    """Validate a whole record; raise ValidationFailed listing every failing field at once."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_": ["expected a JSON object with the initiative's fields"]})
    try:
        return InitiativeIn.model_validate(data)
    except ValidationFailed:
        raise
    except ValidationError as exc:
        raise ValidationFailed(_messages(exc)) from None


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = err["loc"]
        name = str(loc[0]) if loc else "_"
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ValidationFailed):
            for key, msgs in ctx_error.fields.items():
                fields.setdefault(key, []).extend(msgs)
            continue
        kind = err["type"]
        if kind == "extra_forbidden":
            msg = "unknown field"
        elif kind == "missing":
            msg = "this field is required"
        elif kind == "value_error":
            msg = str(ctx_error) if ctx_error else err["msg"]
        else:
            msg = err["msg"][0].lower() + err["msg"][1:]
        if len(loc) > 1:
            msg = f"item {'.'.join(str(p) for p in loc[1:])}: {msg}"
        fields.setdefault(name, []).append(msg)
    return fields


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z; naive values (SQLite) are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
