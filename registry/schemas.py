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
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import markdown, vocab
from .messages import Message, msg

REQUIRED = msg("this field is required")
# Refused in every text field: C0 controls but tab, newline and carriage return; DEL; UTF-16
# surrogates (a JSON "\\ud800" escape); U+FFFE and U+FFFF. PostgreSQL cannot store NUL, XML
# (the Atom feed) cannot hold any of them, and none belongs in a record.
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


class ValidationFailed(Exception):
    """Input broke one or more rules; `fields` maps each field to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


def text_problem(text: str) -> Message | None:
    """Why `text` cannot be stored (its first forbidden character), or None: the one check
    every text field, query parameter and form field goes through."""
    found = FORBIDDEN_CHARS.search(text)
    if found is None:
        return None
    return msg(
        "contains a character that is not allowed (U+%(code)s)", code=f"{ord(found.group()):04X}"
    )


def _checked(value: Any) -> Any:
    """`value` (a string, or lists and objects of them) with newlines as \\n; ValueError naming
    the first forbidden character."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list):
        return [_checked(v) for v in value]
    if isinstance(value, dict):
        return {k: _checked(v) for k, v in value.items()}
    return value


def _clean(text: str) -> str:
    """Forbidden characters dropped, ends trimmed: for free text not yet validated by a schema
    (a curator's reason for sending a record back)."""
    return FORBIDDEN_CHARS.sub("", text).strip()


def whole_number(raw: str, low: int, high: int) -> int:
    """The one integer parser of query parameters, form fields and file cells: ASCII digits
    only (`int()` also takes "٣", "1_000" and "+1", and `isdigit()` takes "²", which `int()`
    refuses), at most 18 of them, within [low, high]; ValueError with the reader's message."""
    text = raw.strip()
    if not WHOLE_NUMBER.fullmatch(text):
        raise ValueError(msg("must be a whole number, not %(value)s", value=repr(text[:40])))
    value = int(text)
    if not low <= value <= high:
        raise ValueError(msg("must be between %(low)s and %(high)s", low=low, high=high))
    return value


def latest_year() -> int:
    """The latest year a record may name (next year), computed at each validation so that a
    long-running worker does not keep the year it started in."""
    return date.today().year + 1


def _not_after_latest_year(year: int) -> int:
    if year > latest_year():
        raise ValueError(msg("must be less than or equal to %(limit)s", limit=latest_year()))
    return year


def _codes(vocabulary: vocab.Vocabulary, values: list[str], required: bool = False) -> list[str]:
    cleaned = [str(v).strip().lower() for v in values if str(v).strip()]
    unknown = [v for v in cleaned if v not in vocabulary.codes]
    if unknown:
        raise ValueError(_unknown(unknown, vocabulary))
    if required and not cleaned:
        raise ValueError(msg("choose at least one"))
    return [c for c in vocabulary.codes if c in cleaned]  # vocabulary order, no repeats


def _code(vocabulary: vocab.Vocabulary, value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    code = str(value).strip().lower()
    if code not in vocabulary.codes:
        raise ValueError(_unknown([code], vocabulary))
    return code


def _unknown(codes: list[str], vocabulary: vocab.Vocabulary) -> Message:
    return msg(
        "unknown code %(codes)s; expected one of %(expected)s",
        codes=", ".join(codes),
        expected=", ".join(vocabulary.codes),
    )


def country_code(value: str) -> str:
    """Upper-case ISO 3166-1 alpha-2 code, or ValueError."""
    code = str(value).strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(
            msg("%(value)s is not an ISO 3166-1 alpha-2 country code", value=repr(value))
        )
    return code


def language_code(value: str) -> str:
    code = str(value).strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(msg("%(value)s is not an ISO 639-1 language code", value=repr(value)))
    return code


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:200].rstrip("-") or "initiative"


Year = Annotated[int, Field(ge=1900, strict=True), AfterValidator(_not_after_latest_year)]
ShortText = Annotated[str, Field(max_length=200)]


# --- Case records (issue 16): field types and checks --------------------------------------
Count = Annotated[int, Field(ge=0, le=10**12, strict=True)]  # people, or whole currency units
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def http_url(value: str) -> str:
    """`value` stripped, if it is an http(s) address with a host; ValueError otherwise."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(msg("must be an http:// or https:// address"))
    return value


def currency_code(value: str | None) -> str | None:
    """Upper-case ISO 4217 code, None for nothing, or ValueError."""
    if value is None or not str(value).strip():
        return None
    code = str(value).strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(
            msg("%(value)s is not an ISO 4217 currency code (e.g. EUR)", value=repr(value))
        )
    return code


# (figure, the year it refers to) of a record's scale and money.
DATED_FIGURES = (
    ("participant_count", "participant_count_year"),
    ("population_served", "population_served_year"),
    ("volunteer_count", "volunteer_count_year"),
    ("staff_count", "staff_count_year"),
    ("annual_cost", "annual_cost_year"),
)
CASE_TEXTS = (
    "savings_text", "lessons", "challenges", "contact_name", "contact_organisation",
)  # fmt: skip
CONTACT_FIELDS = ("contact_name", "contact_organisation", "contact_email", "contact_url")


def case_record_problems(record: Any) -> dict[str, list[Message]]:
    """The cross-field rules of scale, money and contact point (`record`: an InitiativeIn)."""
    errors: dict[str, list[Message]] = {}
    for figure, year in DATED_FIGURES:
        if getattr(record, figure) is not None and getattr(record, year) is None:
            errors[year] = [msg("give the year this figure refers to")]
        if getattr(record, year) is not None and getattr(record, figure) is None:
            errors[figure] = [msg("give the figure this year refers to")]
    for amount, currency in (("annual_cost", "annual_cost_currency"),
                             ("savings_amount", "savings_currency")):  # fmt: skip
        if getattr(record, amount) is not None and getattr(record, currency) is None:
            errors[currency] = [msg("give the currency of the amount (ISO 4217 code, e.g. EUR)")]
        if getattr(record, currency) is not None and getattr(record, amount) is None:
            errors.setdefault(amount, []).append(msg("give the amount in this currency"))
    evidence = evidence_problem(record)
    if evidence is not None:
        errors["evidence_level"] = [evidence]
    if record.savings_source and record.savings_amount is None and not record.savings_text:
        errors["savings_source"] = [msg("say what savings this source reports")]
    if any(getattr(record, f) for f in CONTACT_FIELDS):
        if not record.contact_consent:
            errors["contact_consent"] = [
                msg("a contact point is shown only with consent: tick the box or remove it")
            ]
        if not (record.contact_email or record.contact_url):
            errors["contact_email"] = [msg("give an e-mail address or a contact page")]
    return errors


class KeyResult(BaseModel):
    """One result of an initiative: what was measured, the value, over which period, and
    where it is reported."""

    model_config = ConfigDict(extra="forbid")
    indicator: Annotated[str, Field(min_length=1, max_length=300)]
    value: Annotated[str, Field(min_length=1, max_length=200)]
    period: Annotated[str, Field(max_length=100)] = ""
    source_url: Annotated[str, Field(max_length=2000)] = ""

    @field_validator("*", mode="before")
    @classmethod
    def _sanitise(cls, v: Any) -> Any:
        v = _checked(v)
        return v.strip() if isinstance(v, str) else v

    @field_validator("source_url")
    @classmethod
    def _source_url(cls, v: str) -> str:
        return http_url(v) if v else v


def evidence_problem(record: Any) -> Message | None:
    """Why the record's evidence level disagrees with its typed sources, or None: claiming an
    independent evaluation or a controlled study requires naming a report or a study."""
    if record.evidence_level not in vocab.EVALUATED_LEVELS:
        return None
    if any(s.type in vocab.EVALUATION_SOURCES for s in record.sources):
        return None
    return msg(
        "this evidence level needs the evaluation or study among the sources: add one of type "
        "“evaluation report” or “academic study”"
    )


class TranslationIn(BaseModel):
    """A record's texts in another interface language, and who translated them."""

    model_config = ConfigDict(extra="forbid", str_max_length=50_000)
    title: Annotated[str, Field(min_length=3, max_length=200)]
    summary: Annotated[str, Field(min_length=1, max_length=600)]
    description: str = ""
    outcomes: str = ""
    lessons: str = ""
    challenges: str = ""
    translator: Annotated[str, Field(min_length=1, max_length=200)]

    @field_validator("*", mode="before")
    @classmethod
    def _sanitise(cls, v: Any) -> Any:
        v = _checked(v)
        return v.strip() if isinstance(v, str) else ("" if v is None else v)


def validate_translation(data: Any) -> TranslationIn:
    if not isinstance(data, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the translated texts")]})
    try:
        return TranslationIn.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(_messages(exc)) from None


# --- end of case records -------------------------------------------------------------------


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=300)]
    url: Annotated[str, Field(max_length=2000)]
    # What kind of document it is (vocab.SOURCE_TYPE); `other` when not said (case records).
    type: str = "other"

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, v: Any) -> Any:
        if v is None or isinstance(v, str):
            return _code(vocab.SOURCE_TYPE, v) or "other"
        return v

    @field_validator("*", mode="before")
    @classmethod
    def _sanitise(cls, v: Any) -> Any:
        return _checked(v)

    @field_validator("title")
    @classmethod
    def _strip_title(cls, v: str) -> str:
        return v.strip()

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(msg("must be an http:// or https:// address"))
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
    operating_status: str | None = None
    integrated_from_start: bool = False
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
    # --- case record (issue 16) ----------------------------------------------------------------
    participant_count: Count | None = None
    participant_count_year: Year | None = None
    population_served: Count | None = None
    population_served_year: Year | None = None
    volunteer_count: Count | None = None
    volunteer_count_year: Year | None = None
    staff_count: Count | None = None
    staff_count_year: Year | None = None
    annual_cost: Count | None = None
    annual_cost_currency: str | None = None
    annual_cost_year: Year | None = None
    funding_sources: list[str] = []
    savings_amount: Count | None = None
    savings_currency: str | None = None
    savings_text: Annotated[str, Field(max_length=5000)] = ""
    savings_source: Annotated[str, Field(max_length=2000)] = ""
    level_of_government: str | None = None
    delivery_mode: str | None = None
    initiated_by: str | None = None
    lessons: str = ""
    challenges: str = ""
    website: Annotated[str, Field(max_length=2000)] = ""
    contact_name: ShortText = ""
    contact_organisation: Annotated[str, Field(max_length=300)] = ""
    contact_email: Annotated[str, Field(max_length=254)] = ""
    contact_url: Annotated[str, Field(max_length=2000)] = ""
    contact_consent: bool = False
    key_results: Annotated[list[KeyResult], Field(max_length=30)] = []

    @field_validator(*CASE_TEXTS, "website", "contact_email", "contact_url", "savings_source",
                     mode="before")  # fmt: skip
    @classmethod
    def _strip_case_texts(cls, v: Any) -> Any:
        if v is None:
            return ""
        return v.strip() if isinstance(v, str) else v

    @field_validator("website", "contact_url", "savings_source")
    @classmethod
    def _case_urls(cls, v: str) -> str:
        return http_url(v) if v else v

    @field_validator("contact_email")
    @classmethod
    def _contact_email(cls, v: str) -> str:
        if v and not EMAIL.fullmatch(v):
            raise ValueError(msg("must be an e-mail address such as name@example.org"))
        return v

    @field_validator("annual_cost_currency", "savings_currency", mode="before")
    @classmethod
    def _currency(cls, v: Any) -> Any:
        return currency_code(v) if v is None or isinstance(v, str) else v

    @field_validator("level_of_government", "delivery_mode", "initiated_by")
    @classmethod
    def _case_codes(cls, v: str | None, info) -> str | None:
        return _code(vocab.SINGLE_FIELDS[info.field_name], v)

    @model_validator(mode="after")
    def _case_record(self) -> InitiativeIn:
        errors = case_record_problems(self)
        if errors:
            raise ValidationFailed(errors)
        return self

    # --- end of case record --------------------------------------------------------------------

    @field_validator("*", mode="before")
    @classmethod
    def _sanitise(cls, v: Any) -> Any:
        return _checked(v)

    @field_validator(
        "title", "summary", "description", "region", "locality", "outcomes",
        "lead_organisation", mode="before",
    )  # fmt: skip
    @classmethod
    def _strip(cls, v: Any) -> Any:
        if v is None:
            return ""
        return v.strip() if isinstance(v, str) else v

    @field_validator("partners", "tags", mode="before")
    @classmethod
    def _strip_items(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [x.strip() for x in v if isinstance(x, str) and x.strip()] + [
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

    # Markdown limits (registry/markdown.py): refused before any rendering, so no stored
    # description costs seconds on every page view or search hit.
    @field_validator("description")
    @classmethod
    def _markdown(cls, v: str) -> str:
        problem = markdown.problem(v)
        if problem is not None:
            raise ValueError(problem)
        return v

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str) -> str:
        code = _code(vocab.SECTOR, v)
        if code is None:
            raise ValueError(REQUIRED)
        return code

    @field_validator("maturity")
    @classmethod
    def _maturity(cls, v: str) -> str:
        code = _code(vocab.MATURITY, v)
        if code is None:
            raise ValueError(REQUIRED)
        return code

    @field_validator("evidence_level")
    @classmethod
    def _evidence(cls, v: str | None) -> str | None:
        return _code(vocab.EVIDENCE_LEVEL, v)

    @field_validator("operating_status")
    @classmethod
    def _operating_status(cls, v: str | None) -> str | None:
        return _code(vocab.OPERATING_STATUS, v)

    @field_validator("stages")
    @classmethod
    def _stages(cls, v: list[str]) -> list[str]:
        return _codes(vocab.STAGE, v, required=True)

    @field_validator(
        "participants", "contributions", "motives", "obstacles", "success_factors",
        "funding_sources",
    )  # fmt: skip
    @classmethod
    def _multi(cls, v: list[str], info) -> list[str]:
        return _codes(vocab.MULTI_FIELDS[info.field_name], v)

    @model_validator(mode="after")
    def _timeline(self) -> InitiativeIn:
        errors = timeline_problems(vars(self))
        if errors:
            raise ValidationFailed(errors)
        return self


def timeline_problems(values: dict[str, Any]) -> dict[str, list[str]]:
    """The rules between fields (years, maturity, operating status) over validated values; also
    run on the fields that passed when others failed, so every error is reported at once."""
    errors: dict[str, list[str]] = {}
    maturity = values.get("maturity")
    start, main, end = (values.get(k) for k in ("start_year", "mainstreamed_year", "end_year"))
    if main is not None and maturity != "integrated":
        errors["mainstreamed_year"] = [msg("only integrated initiatives have a mainstreaming year")]
    if start is not None and main is not None and main < start:
        errors.setdefault("mainstreamed_year", []).append(msg("must not be before the start year"))
    if end is not None and max(y for y in (start, main, end) if y is not None) > end:
        errors["end_year"] = [msg("must not be before the start or mainstreaming year")]
    if end is not None and values.get("operating_status") == "ongoing":
        errors.setdefault("end_year", []).append(msg("an ongoing initiative has no end year"))
    if values.get("integrated_from_start") and maturity != "integrated":
        errors["integrated_from_start"] = [
            msg("only an integrated initiative can have been integrated from the start")
        ]
    elif values.get("integrated_from_start") and main is not None:
        errors["integrated_from_start"] = [
            msg("an initiative integrated from the start has no mainstreaming year")
        ]
    return errors


def _passing(data: dict[str, Any], failed: dict[str, list[str]]) -> dict[str, Any]:
    """The cross-field rules' inputs that passed their own checks (the failing ones left out)."""
    values: dict[str, Any] = {}
    for name in ("start_year", "mainstreamed_year", "end_year"):
        value = data.get(name)
        ok = type(value) is int and 1900 <= value <= latest_year()
        values[name] = value if ok and name not in failed else None
    for name, vocabulary in (("maturity", vocab.MATURITY), ("operating_status",
                                                              vocab.OPERATING_STATUS)):  # fmt: skip
        code = str(data.get(name) or "").strip().lower()
        values[name] = code if code in vocabulary.codes and name not in failed else None
    values["integrated_from_start"] = data.get("integrated_from_start") is True
    if "maturity" in failed:  # unknown maturity: its rules cannot be judged yet
        values["integrated_from_start"] = False
        values["mainstreamed_year"] = None
    return values


# Fields a curator needs before a record can be submitted for its first review; a draft is
# saved without them. The `create` (submitted) and `submit` actions hold every surface to them
# (pages, API, import, command line); the form marks them.
REVIEW_NEEDS = ("description", "start_year", "sources")
NEEDED_FOR_REVIEW = msg("needed before the initiative can be submitted for review")


def review_problems(fields: dict[str, Any]) -> dict[str, list[str]]:
    """What a record still lacks to be submitted for review: REVIEW_NEEDS left empty."""
    return {name: [NEEDED_FOR_REVIEW] for name in REVIEW_NEEDS if _empty(fields.get(name))}


def _empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


MULTI = tuple(vocab.MULTI_FIELDS)
RECORD_FIELDS = tuple(f for f in InitiativeIn.model_fields if f not in ("slug", "external_id"))
Status = Literal["draft", "submitted"]


def validate_initiative(data: Any) -> InitiativeIn:
    """Validate a whole record; raise ValidationFailed listing every failing field at once."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_": [msg("expected a JSON object with the initiative's fields")]})
    try:
        return InitiativeIn.model_validate(data)
    except ValidationFailed:
        raise
    except ValidationError as exc:
        failed = _messages(exc)
        for name, messages in timeline_problems(_passing(data, failed)).items():
            failed.setdefault(name, []).extend(messages)
        raise ValidationFailed(failed) from None


def validate_for_review(data: Any) -> InitiativeIn:
    """Validate a record about to be submitted for its first review: the schema's problems and
    the fields a curator needs (REVIEW_NEEDS), every one at once."""
    try:
        checked = validate_initiative(data)
    except ValidationFailed as exc:
        failed = dict(exc.fields)
        if isinstance(data, dict):
            for name, messages in review_problems(data).items():
                failed.setdefault(name, messages)
        raise ValidationFailed(failed) from None
    lacking = review_problems(checked.model_dump())
    if lacking:
        raise ValidationFailed(lacking)
    return checked


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = err["loc"]
        name = str(loc[0]) if loc else "_"
        ctx = err.get("ctx") or {}
        ctx_error = ctx.get("error")
        if isinstance(ctx_error, ValidationFailed):
            for key, msgs in ctx_error.fields.items():
                fields.setdefault(key, []).extend(msgs)
            continue
        message = _message(err["type"], ctx, err["msg"])
        if name == "key_results" and err["type"] in ("model_type", "dict_type"):  # case records
            message = msg("must be an object with an indicator and a value")
        if len(loc) > 1:
            message = msg(
                "item %(item)s: %(message)s",
                item=".".join(str(p) for p in loc[1:]),
                message=message,
            )
        fields.setdefault(name, []).append(message)
    return fields


def _message(kind: str, ctx: dict[str, Any], english: str) -> str:
    """Our own (translatable) wording of a pydantic error; pydantic's English for rare ones."""
    if kind == "extra_forbidden":
        return msg("unknown field")
    if kind == "missing":
        return REQUIRED
    if kind == "value_error":
        error = ctx.get("error")
        reason = error.args[0] if error is not None and error.args else english
        return reason if isinstance(reason, Message) else str(reason)
    if kind == "string_too_short":
        if ctx["min_length"] == 1:
            return msg("must have at least 1 character")
        return msg("must have at least %(count)s characters", count=ctx["min_length"])
    if kind == "string_too_long":
        return msg("must have at most %(count)s characters", count=ctx["max_length"])
    if kind == "too_long":
        return msg("must have at most %(count)s items", count=ctx["max_length"])
    if kind == "too_short":
        return msg("must have at least %(count)s items", count=ctx["min_length"])
    if kind == "greater_than_equal":
        return msg("must be greater than or equal to %(limit)s", limit=ctx["ge"])
    if kind == "less_than_equal":
        return msg("must be less than or equal to %(limit)s", limit=ctx["le"])
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return msg("must be a valid integer")
    if kind == "string_type":
        return msg("must be a valid string")
    if kind in ("bool_type", "bool_parsing"):
        return msg("must be true or false")
    if kind == "list_type":
        return msg("must be a valid list")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return msg("must be an object with a title and a url")
    if kind == "string_pattern_mismatch":
        return msg("must match the pattern %(pattern)s", pattern=ctx["pattern"])
    return english[0].lower() + english[1:]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z; naive values (SQLite) are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
