"""The shapes of the JSON the API returns (docs/api.md): one pydantic model per shape, fields
named as the contract names them.

Every API answer is built through its shape (`dump`): a field that is not declared here never
reaches a client, and registry.openapi generates the document's response schemas from these
models, so each field of an answer is typed here and only here. Incoming records are validated
by registry.schemas; these models check the types of what goes out, not the rules of what comes
in. Docstrings and descriptions are the document's text, written for API clients.

A field with a default is optional: absent from an answer that does not give it, never null in
its place (`dump` leaves out what the data left out).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    WithJsonSchema,
    create_model,
)
from pydantic.fields import FieldInfo

from . import vocab
from .media import uploads
from .messages import LANGUAGES
from .schemas import KeyResult, Source


def _as_answer(schema: dict[str, Any]) -> None:
    """An answer has no defaults (a field is there or, when optional, absent), and a field needs
    no title beside its name."""
    for field in schema.get("properties", {}).values():
        field.pop("default", None)
        field.pop("title", None)


class Shape(BaseModel):
    """The base of every shape: the generated schemas have no defaults and no field titles."""

    model_config = ConfigDict(json_schema_extra=_as_answer)


@cache
def _adapter(shape: Any) -> TypeAdapter:
    return TypeAdapter(shape)


def dump(shape: Any, data: Any) -> Any:
    """`data` (dicts, lists, values) checked against `shape` (a model, or e.g. `list[Model]`)
    and reduced to its fields, as JSON values. Fields the data left out stay out; keys no
    field declares are dropped; a value of the wrong type raises (a bug, not a client error)."""
    adapter = _adapter(shape)
    return adapter.dump_python(adapter.validate_python(data), mode="json", exclude_unset=True)


# --- Field types --------------------------------------------------------------------------

Moment = AwareDatetime  # ISO 8601 in UTC: "2026-11-28T10:00:00Z"
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
# Medians fall between two whole numbers; a whole number stays one (never 4.0 for 4).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code")]
Counts = dict[str, int]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


def code(vocabulary: vocab.Vocabulary) -> Any:
    """One code of `vocabulary` (its codes are the schema's enum)."""
    return Literal[vocabulary.codes]


def _distinct(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("repeated code")
    return values


def codes(vocabulary: vocab.Vocabulary, *, min_items: int = 0) -> Any:
    """Codes of `vocabulary`, each at most once (in the vocabulary's order)."""
    limits = Field(min_length=min_items) if min_items else Field()
    return Annotated[
        list[code(vocabulary)],
        AfterValidator(_distinct),
        limits,
        Field(json_schema_extra={"uniqueItems": True}),
    ]


Sector = code(vocab.SECTOR)
Maturity = code(vocab.MATURITY)
EvidenceLevel = code(vocab.EVIDENCE_LEVEL)
Stages = codes(vocab.STAGE, min_items=1)


# --- Initiatives ----------------------------------------------------------------------------


class Initiative(Shape):
    """An initiative as the API returns it. The fields marked "owners and curators" are for its
    owner organisation and curators only: the public never gets them (absent, not null)."""

    id: int
    slug: str
    url: Url
    title: str
    summary: str
    description: str
    language: LanguageCode
    country: CountryCode
    region: str
    locality: str
    sector: Sector
    stages: Stages
    maturity: Maturity
    start_year: int | None
    mainstreamed_year: int | None
    end_year: int | None
    operating_status: code(vocab.OPERATING_STATUS) | None = Field(
        description="still running, ended, or absorbed into another programme (`end_year` says "
        "when); null when not stated"
    )
    integrated_from_start: bool = Field(
        description="an integrated initiative that was never a pilot (it has no "
        "`mainstreamed_year`)"
    )
    participants: codes(vocab.PARTICIPANTS)
    contributions: codes(vocab.CONTRIBUTIONS)
    motives: codes(vocab.MOTIVES)
    obstacles: codes(vocab.OBSTACLES)
    success_factors: codes(vocab.SUCCESS_FACTORS)
    evidence_level: EvidenceLevel | None
    outcomes: str
    lead_organisation: str
    partners: list[str]
    tags: list[str]
    sources: list[Source]
    external_id: str | None
    organisation: str | None = Field(
        description="the organisation the record belongs to (its submitters); null for the "
        "registry's own records"
    )
    status: Literal[vocab.STATUSES]
    version: int = Field(
        ge=0,
        description="the public: how many times the record was published; owners and "
        "curators: the number every change moves, to send back in `If-Match`",
    )
    illustrative: bool = Field(description="an example written for the registry")
    created_at: Moment
    updated_at: Moment
    published_at: Moment | None
    # Owners and curators only (optional: absent for everyone else).
    public_version: int = Field(
        None, ge=0, description="how many times the record was published (owners and curators)"
    )
    pending: dict[str, Any] | None = Field(
        None, description="an edit waiting beside the published fields (owners and curators)"
    )
    pending_status: Literal["draft", "submitted", "rejected"] | None = Field(
        None, description="where the waiting edit stands (owners and curators)"
    )
    rejection_reason: str | None = Field(
        None, description="the curator's reason (owners and curators)"
    )
    submitted_at: Moment | None = Field(
        None, description="when it was last sent for review (owners and curators)"
    )
    # --- Case record (issue 16) ---------------------------------------------------------------
    participant_count: int | None = Field(
        description="people taking part (citizens, users), in `participant_count_year`"
    )
    participant_count_year: int | None
    population_served: int | None = Field(
        description="people the service reaches, in `population_served_year`"
    )
    population_served_year: int | None
    volunteer_count: int | None = Field(description="volunteers, in `volunteer_count_year`")
    volunteer_count_year: int | None
    staff_count: int | None = Field(description="paid staff, in `staff_count_year`")
    staff_count_year: int | None
    annual_cost: int | None = Field(
        description="annual cost or budget in whole units of `annual_cost_currency`, in "
        "`annual_cost_year`"
    )
    annual_cost_currency: CurrencyCode | None
    annual_cost_year: int | None
    funding_sources: codes(vocab.FUNDING_SOURCE)
    savings_amount: int | None = Field(
        description="reported savings or costs avoided, in whole units of `savings_currency`"
    )
    savings_currency: CurrencyCode | None
    savings_text: str = Field(description="the reported savings in words")
    savings_source: str = Field(description="where the savings are reported (an address)")
    level_of_government: code(vocab.LEVEL_OF_GOVERNMENT) | None
    delivery_mode: code(vocab.DELIVERY_MODE) | None
    initiated_by: code(vocab.INITIATED_BY) | None
    lessons: str = Field(description="lessons learned (Markdown)")
    challenges: str = Field(description="challenges met (Markdown)")
    website: str = Field(description="the initiative's own website, or empty")
    contact_name: str = Field(description="the public contact point's role or name")
    contact_organisation: str
    contact_email: str
    contact_url: str = Field(description="a contact page, or empty")
    contact_consent: bool = Field(
        description="the submitter consented to showing the contact point (there is none "
        "without it)"
    )
    contact_consent_at: Moment | None = Field(
        description="when the consent went live with the record"
    )
    key_results: list[KeyResult] = Field(
        description="key results: indicator, value, period and where each is reported"
    )
    last_verified_at: Moment | None = Field(
        description="when an owner or a curator last confirmed the record is still accurate"
    )
    completeness: int = Field(
        ge=0, le=100, description="how much of what practitioners look for the record states (%)"
    )


def _optional(info: FieldInfo) -> tuple[Any, Any]:
    """A field with the same type, limits and description, absent when not given."""
    kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return kind, Field(None, description=info.description, json_schema_extra=info.json_schema_extra)


Snapshot = create_model(
    "Snapshot",
    __base__=Shape,
    __doc__="The record as it was after one change: the fields of `Initiative` it had then "
    "(a field added to records since is absent from older revisions).",
    **{name: _optional(info) for name, info in Initiative.model_fields.items()},
)


class Revision(Shape):
    """One change of a record's history."""

    number: int = Field(description="the record's version after this change")
    action: str = Field(description="the action that made it (create, edit, submit, …)")
    user_id: int | None = Field(description="who made it; null for the registry itself")
    created_at: Moment
    changes: list[str] = Field(description="the fields it changed")
    note: str
    snapshot: Snapshot


# --- Search ---------------------------------------------------------------------------------


class Filters(Shape):
    """Search and browse filters as the registry understood them (normalised: upper-case
    countries, lower-case codes, no repeats). A filter that is not set may be absent."""

    q: str = ""
    country: list[CountryCode] = []
    sector: list[Sector] = []
    stage: list[code(vocab.STAGE)] = []
    maturity: Maturity | None = None
    evidence_level: EvidenceLevel | None = None
    language: LanguageCode | None = None
    tag: list[str] = []
    year_from: int | None = None
    year_to: int | None = None
    completeness: code(vocab.COMPLETENESS) | None = None  # case records (issue 16)
    link: code(vocab.LINK_TYPE) | None = None


class Query(Filters):
    """The search parameters as understood: the filters, the order and the page."""

    sort: Literal["relevance", "newest", "year", "title"] | None = None
    page: int = 1
    per_page: int = 20


class SearchResult(Shape):
    """One published initiative of a page of results."""

    id: int
    slug: str
    url: Url
    title: str
    summary: str
    language: LanguageCode
    country: CountryCode
    sector: Sector
    stages: Stages
    maturity: Maturity
    start_year: int | None
    evidence_level: EvidenceLevel | None
    tags: list[str]
    highlights: dict[str, str] = Field(
        description="field: HTML excerpt with <mark> around matched words"
    )
    all_words: bool = Field(
        description="false when the record matches only some of the query's words"
    )


class Facets(Shape):
    """Counts over the whole result set, code by code; a facet's own filter is ignored for its
    counts."""

    country: Counts
    sector: Counts
    stage: Counts
    maturity: Counts
    evidence_level: Counts
    language: Counts
    completeness: Counts = Field(
        description="records by how complete they are: low, medium, high (case records)"
    )


class SearchResponse(Shape):
    """One page of published initiatives matching a search."""

    query: Query
    total: int
    page: int
    per_page: int
    results: list[SearchResult]
    facets: Facets
    suggestion: str | None = Field(description="did you mean: a corrected query, or null")
    all_words_total: int | None = Field(
        description="how many of `total` match every word of a query of several words (the "
        "others match some of them, ranked after); null otherwise"
    )
    index_behind: bool = Field(
        False,
        description="true while the search index has not yet applied the latest changes (for "
        "about a second after an edit): the results may miss them",
    )


# --- Countries --------------------------------------------------------------------------------


class CountrySummary(Shape):
    """A country with published initiatives."""

    code: CountryCode
    name: str
    total: int
    pilot: int
    integrated: int
    sectors: list[Sector] = Field(description="sectors with at least one published initiative")
    illustrative: int = Field(description="how many of `total` are illustrative examples")


class InitiativeSummary(Shape):
    """A published initiative in a list."""

    id: int
    slug: str
    url: Url
    title: str
    summary: str
    country: CountryCode
    sector: Sector
    stages: Stages
    maturity: Maturity
    start_year: int | None
    mainstreamed_year: int | None
    evidence_level: EvidenceLevel | None


class IllustrativeCounted(Shape):
    """Whether the figures count the illustrative records (parameter `illustrative`), and how
    many of the counted records are illustrative."""

    included: bool
    counted: int


class CountryProfile(Shape):
    """A country's published initiatives: counts by code and by year, and one page of them."""

    code: CountryCode
    name: str
    total: int
    by_maturity: Counts
    by_stage: Counts
    by_sector: Counts
    by_start_year: Counts = Field(description="year → initiatives started that year")
    by_mainstreamed_year: Counts = Field(description="year → initiatives mainstreamed that year")
    illustrative: IllustrativeCounted
    page: int
    per_page: int
    initiatives: list[InitiativeSummary] = Field(
        description="one page of the country's initiatives (latest start first)"
    )


# --- Pilots versus integrated initiatives -------------------------------------------------------


class Share(Shape):
    """How many initiatives of a group, and what share of the group (three decimals)."""

    count: int
    share: Number
    interval: list[Number] | None = Field(
        default=None,
        description="the share's Wilson 95 % interval [low, high]; null for an empty group "
        "(given by every statistics answer)",
    )
    small_group: bool = Field(
        default=False, description="the group has too few initiatives for its share to mean much"
    )


Distribution = dict[str, Share]


class CompareGroup(Shape):
    """The initiatives of one maturity: how many, and how often each code occurs."""

    n: int
    stages: Distribution
    sectors: Distribution
    participants: Distribution
    contributions: Distribution
    motives: Distribution
    obstacles: Distribution
    success_factors: Distribution
    evidence_level: Distribution
    median_start_year: Number | None
    cohorts: Distribution = Field(
        description="pilots: ongoing, ended, absorbed, not_stated (operating status); "
        "integrated: after_pilot, from_start"
    )


class CompareGroups(Shape):
    """One group per maturity."""

    pilot: CompareGroup
    integrated: CompareGroup


class Spread(Shape):
    """How many years initiatives took from start to mainstreaming."""

    n: int
    median_years: Number | None
    min_years: int | None
    max_years: int | None


class Pathways(Spread):
    """Integrated initiatives with both years: years from start to mainstreaming."""

    years: Counts = Field(description="years taken → initiatives")
    undated: int = Field(description="integrated initiatives missing one of the two years")
    by_sector: dict[str, Spread]


class SurveyNotes(Shape):
    """Where the 2010 survey's figures come from and how to read them."""

    source: str
    year: int
    coverage: str
    respondents: str = Field(description="who answered the survey")
    denominator: str = Field(description="what the shares are shares of")
    follows_filters: bool = Field(description="false: fixed figures, the same for any filters")
    codes: dict[str, list[str]] = Field(
        description="field → the vocabulary codes taken from the survey's categories"
    )
    note: str
    caveats: dict[str, str] = Field(description="field.code → how to read that figure")
    grouped: dict[str, list[str]] = Field(
        description="field.key → the codes the survey groups under that key"
    )


class TestResult(Shape):
    """One row's test, pilots against integrated initiatives."""

    p: Number = Field(description="two-sided p-value, before adjustment")
    different: bool = Field(description="called out as different after Holm's adjustment")


class CompareTests(Shape):
    """The test behind every difference the page calls out."""

    name: str
    alpha: Number = Field(description="the family-wise level")
    count: int = Field(description="how many rows were tested (the family Holm adjusts over)")
    results: dict[str, dict[str, TestResult]] = Field(
        description="field → code (or survey key, or not_stated) → result; rows neither group "
        "has are not tested"
    )


class CompareCohorts(Shape):
    """The cohorts of each group compared (every one unless chosen)."""

    pilot: list[str]
    integrated: list[str]


class CompareDefinitions(Shape):
    """How the comparison's figures are defined."""

    cohorts: dict[str, str] = Field(description="group.cohort → which records it holds")
    interval: str = Field(description="the interval given with every share")
    small_group: int = Field(description="groups with fewer initiatives are flagged")
    same_years_gap: int = Field(
        description="median start years this far apart: the same-years comparison is offered"
    )


class SameYears(Shape):
    """Offered when the groups' median start years are `gap` or more years apart: the start
    years both groups have, and how many of each group started within them."""

    year_from: int
    year_to: int
    median_start_years: dict[str, Number]
    within: Counts
    gap: int


class SurvivalStep(Shape):
    """The curve after `years` since the start."""

    years: int
    at_risk: int = Field(description="initiatives not yet mainstreamed nor censored just before")
    mainstreamed: int
    censored: int = Field(description="pilots still running, followed this many years")
    not_yet_mainstreamed: Number = Field(description="the Kaplan–Meier estimate")
    interval: list[Number] = Field(description="its pointwise 95 % interval (Greenwood, log)")


class SurvivalCurve(Shape):
    """Years from start to mainstreaming, Kaplan–Meier."""

    n: int
    mainstreamed: int
    never_mainstreamed: int = Field(description="pilots that ended or were absorbed")
    median_years: Number | None = Field(description="null: fewer than half were mainstreamed")
    median_interval: list[Number | None] = Field(
        description="95 % interval of the median (Brookmeyer–Crowley); null: not reached"
    )
    small_group: bool
    steps: list[SurvivalStep]


class TooFewForACurve(Shape):
    """A sector or country with too few initiatives for a curve of its own."""

    n: int
    small_group: bool
    too_few: bool


class Survival(Shape):
    """Time to mainstreaming: the method, overall, and by sector and country."""

    method: str
    censored_at_year: int = Field(description="pilots still running are censored this year")
    min_group: int = Field(description="sectors and countries get a curve from this many on")
    left_out: Counts = Field(
        description="initiatives left out, by reason: no_start_year, integrated_from_start, "
        "no_mainstreamed_year"
    )
    overall: SurvivalCurve
    by_sector: dict[str, SurvivalCurve | TooFewForACurve]
    by_country: dict[str, SurvivalCurve | TooFewForACurve]


class CompareResponse(Shape):
    """Pilots versus integrated initiatives among the published ones matching the filters."""

    filters: Filters
    illustrative: IllustrativeCounted
    cohorts: CompareCohorts
    definitions: CompareDefinitions
    same_years: SameYears | None
    groups: CompareGroups
    grouped: dict[str, dict[str, dict[str, Share]]] = Field(
        description="field → survey key → maturity → initiatives carrying any of the codes the "
        "survey groups under that key"
    )
    tests: CompareTests
    pathways: Pathways
    survival: Survival
    survey_reference: dict[str, dict[str, Number]] = Field(
        description="shares reported by the 2010 OECD survey, for comparison: field → code (or "
        "grouped key) → share"
    )
    survey: SurveyNotes
    small_group: int = Field(description="groups with fewer initiatives are too small to compare")


# --- Reference --------------------------------------------------------------------------------

Label = create_model(
    "Label",
    __base__=Shape,
    __doc__="A text in each language of the interface.",
    **{language: (str, ...) for language in LANGUAGES},
)


class Term(Shape):
    """One code of a vocabulary."""

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Label
    description: str
    cofog: str | None = Field(None, description="the COFOG division of a sector (sectors only)")


class Vocabulary(Shape):
    """A controlled vocabulary: its label, whether a record takes several of its codes, its
    codes in order."""

    label: Label
    multiple: bool
    terms: list[Term]


Vocabularies = create_model(
    "Vocabularies",
    __base__=Shape,
    __doc__="Every controlled vocabulary, by name.",
    **{name: (Vocabulary, ...) for name in vocab.VOCABULARIES},
)


# --- Open data and errors ---------------------------------------------------------------------


class Licence(Shape):
    """The licence of the data."""

    name: str
    id: str = Field(description="SPDX identifier")
    url: Url


class Media(Shape):
    """An image or a PDF document of a record. The public sees a published record's published
    media; its owners and curators also get `state` and `proposed`."""

    id: int
    kind: Literal[uploads.KINDS]
    url: Url = Field(description="the file (images inline, documents as a download)")
    thumbnail_url: Url | None
    content_type: Literal[(*uploads.IMAGE_FORMATS.values(), uploads.PDF)]
    size: int = Field(description="bytes")
    width: int | None
    height: int | None
    pages: int | None
    alt: str | None = Field(description="images: what it shows, in the record's language")
    caption: str | None
    credit: str | None = Field(description="images: who made it or holds its rights")
    licence: code(vocab.LICENCE) | None = Field(description="images: a `licence` code")
    title: str | None = Field(description="documents: the title")
    created_at: Moment
    state: Literal["live", "added", "removing"] = Field(
        None, description="(owners and curators) `added` and `removing` wait with the edit"
    )
    proposed: dict[str, Any] | None = Field(
        None, description="(owners and curators) texts waiting with the record's edit"
    )


# Links and translations (issue 16): whether a change waits for review.
ReviewState = Literal["live", "added", "removing"]
WAITING = "(owners and curators) `added` and `removing` wait for review"


class Translation(Shape):
    """A record's texts in another interface language, marked as a translation: who signed
    it and when."""

    language: LanguageCode
    title: str
    summary: str
    description: str = Field(description="Markdown")
    outcomes: str
    lessons: str = Field(description="Markdown")
    challenges: str = Field(description="Markdown")
    translator: str = Field(description="who translated it, as they sign")
    translated_at: Moment
    state: ReviewState = Field(None, description=WAITING)
    proposed: dict[str, str] | None = Field(
        None, description="(owners and curators) new texts waiting for review"
    )


class ExportedLink(Shape):
    """A link made from the exported record to another published record (issue 16)."""

    kind: code(vocab.LINK_TYPE) = Field(description="what the exported record is to the target")
    target: int = Field(description="the other record's id (its `id` in the same export)")


class ExportedInitiative(Initiative):
    """A published initiative in an export: the record, its public media, its links to other
    published records and its translations."""

    media: list[Media] = Field(
        None, description="its published images and documents (JSON exports)"
    )
    links: list[ExportedLink] = Field(
        None, description="links made from it to published records (an import reads them back)"
    )
    translations: list[Translation] = Field(
        None, description="its texts in other interface languages (an import reads them back)"
    )


class Export(Shape):
    """Every published initiative matching the filters, with the licence and how to cite it."""

    licence: Licence
    citation: str
    generated_at: Moment
    filters: Filters
    initiatives: list[ExportedInitiative]


class ErrorDetail(Shape):
    """What went wrong: a fixed English code and a message in the request's language."""

    code: str
    message: str
    fields: dict[str, list[str]] = Field(
        None, description="every failing field or parameter with its messages"
    )


class Error(Shape):
    """Every error answer; a request that fails writes nothing."""

    error: ErrorDetail


# --- Curated collections (issue 18) -------------------------------------------------------


class BothLanguages(Shape):
    """A text in English and in French (empty when not written in that language)."""

    en: str
    fr: str


class CollectionSummary(Shape):
    """A curated collection in the list."""

    id: int
    slug: str
    url: Url = Field(description="its page")
    title: BothLanguages
    count: int = Field(ge=0, description="its published initiatives")
    updated_at: Moment


class CollectionEntry(Initiative):
    """A published initiative in a collection, with the curator's note."""

    note: str = Field(description="the curator's note (may be empty)")


class Collection(Shape):
    """A curated collection: its published initiatives in the curators' order. A record that is
    not published (any more) is left out."""

    id: int
    slug: str
    url: Url = Field(description="its page")
    feed_url: Url = Field(description="its Atom feed")
    title: BothLanguages
    introduction: BothLanguages = Field(description="Markdown")
    created_at: Moment
    updated_at: Moment
    initiatives: list[CollectionEntry]


# --- Links between records and translations of a record (issue 16) -----------------------


class LinkedRecord(Shape):
    """The record at the other end of a link."""

    id: int
    title: str
    url: Url = Field(description="its page")


class Link(Shape):
    """A typed link between two records, as seen from one of them. The public sees a link
    only while both records are published."""

    id: int
    kind: code(vocab.LINK_TYPE) = Field(
        description="what the `from_id` record is to the `to_id` record"
    )
    from_id: int
    to_id: int
    direction: Literal["outgoing", "incoming"] = Field(
        description="`outgoing`: made from this record; `incoming`: made from the other"
    )
    label: str = Field(description="what the other record is to this one, in the request's "
                       "language (e.g. 'Pilot mainstreamed as')")  # fmt: skip
    other: LinkedRecord
    created_at: Moment
    state: ReviewState = Field(None, description=WAITING)
