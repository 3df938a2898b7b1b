"""Flask-WTF forms. Initiative input is validated by registry.schemas (not WTForms
validators), so the form shows exactly the messages the API gives."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget

from .. import countries, vocab
from ..i18n import current_locale
from ..schemas import whole_number
from ..transfer import csv_format


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:  # the schema reports unknown codes
        pass


class LooseSelectField(SelectField):
    def pre_validate(self, form) -> None:
        pass


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"))
    password = PasswordField(_l("Password"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"))
    new = PasswordField(_l("New password"))


class TokenForm(FlaskForm):
    label = StringField(_l("Label (what the token is for)"))


class ImportForm(FlaskForm):
    """A curator's bulk upload; the file's content is checked by transfer.importing."""

    file = FileField(
        _l("CSV or JSON file"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "json"], _l("The file must end in .csv or .json.")),
        ],
    )
    publish = BooleanField(_l("Publish the imported initiatives at once"))
    replace_pending = BooleanField(
        _l("Replace edits waiting for review with the file's rows (the history keeps them)")
    )


class ActionForm(FlaskForm):
    """A workflow button (submit, publish, withdraw, delete): CSRF token and version."""

    version = HiddenField()


class RejectForm(ActionForm):
    reason = TextAreaField(_l("Reason (shown to the submitter)"))


class RestoreForm(ActionForm):
    """Bring back the content of one revision (the history page's buttons)."""

    revision = HiddenField()


def _vocab_choices(name: str) -> list[tuple[str, str]]:
    return [(t.code, t.label(current_locale())) for t in vocab.VOCABULARIES[name].terms]


MULTI_VOCAB = {
    "stages": "stage",
    "participants": "participants",
    "contributions": "contributions",
    "motives": "motives",
    "obstacles": "obstacles",
    "success_factors": "success_factors",
}
YEARS = ("start_year", "mainstreamed_year", "end_year")
MATURITY_FIELDS = (
    "maturity",
    "integrated_from_start",
    "start_year",
    "mainstreamed_year",
    "operating_status",
    "end_year",
)
SECTIONS: list[tuple[Any, tuple[str, ...]]] = [
    (_l("Basics"), ("title", "summary", "description", "language", "sector", "tags")),
    (_l("Where"), ("country", "region", "locality")),
    (_l("How citizens take part"), ("stages", "participants", "contributions")),
    (_l("Maturity and timeline"), MATURITY_FIELDS),
    (_l("Motives, obstacles and success factors"), ("motives", "obstacles", "success_factors")),
    (_l("Results and evidence"), ("evidence_level", "outcomes", "key_results")),
    (_l("Sources"), ("lead_organisation", "partners", "sources")),
    # --- case records (issue 16) ---
    (_l("Context"), ("level_of_government", "delivery_mode", "initiated_by")),
    (_l("Scale"), (
        "participant_count", "participant_count_year", "population_served",
        "population_served_year", "volunteer_count", "volunteer_count_year", "staff_count",
        "staff_count_year",
    )),
    (_l("Money"), (
        "annual_cost", "annual_cost_currency", "annual_cost_year", "funding_sources",
        "savings_amount", "savings_currency", "savings_text", "savings_source",
    )),
    (_l("Lessons learned and challenges"), ("lessons", "challenges")),
    (_l("Where to learn more"), (
        "website", "contact_name", "contact_organisation", "contact_email", "contact_url",
        "contact_consent",
    )),
]  # fmt: skip
# Case records (issue 16): boxes holding a whole number, selects of one code, yes/no boxes.
CASE_NUMBERS = (
    "participant_count", "participant_count_year", "population_served", "population_served_year",
    "volunteer_count", "volunteer_count_year", "staff_count", "staff_count_year", "annual_cost",
    "annual_cost_year", "savings_amount",
)  # fmt: skip
CASE_CODES = ("level_of_government", "delivery_mode", "initiated_by")
CASE_OPTIONAL = ("annual_cost_currency", "savings_currency")
MULTI_VOCAB["funding_sources"] = "funding_sources"


class InitiativeForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary (at most 600 characters)"))
    description = TextAreaField(_l("Description (Markdown)"))
    language = StringField(_l("Language of the record (ISO 639-1 code, e.g. en, fr)"), default="en")
    country = LooseSelectField(_l("Country"))
    region = StringField(_l("Region"))
    locality = StringField(_l("Locality"))
    sector = LooseSelectField(_l("Sector"))
    stages = MultiCheckboxField(_l("Stages of the service cycle"))
    maturity = LooseSelectField(_l("Maturity"))
    start_year = StringField(_l("Start year"))
    mainstreamed_year = StringField(_l("Year mainstreamed (integrated only)"))
    end_year = StringField(_l("End year"))
    operating_status = LooseSelectField(_l("Operating status"))
    integrated_from_start = BooleanField(
        _l("Integrated from the start (not mainstreamed after a pilot)")
    )
    participants = MultiCheckboxField(_l("Participants"))
    contributions = MultiCheckboxField(_l("Contributions"))
    motives = MultiCheckboxField(_l("Motives"))
    obstacles = MultiCheckboxField(_l("Obstacles"))
    success_factors = MultiCheckboxField(_l("Success factors"))
    evidence_level = LooseSelectField(_l("Evidence level"))
    outcomes = TextAreaField(_l("Outcomes"))
    lead_organisation = StringField(_l("Lead organisation"))
    partners = TextAreaField(_l("Partners (one per line)"))
    tags = StringField(_l("Tags (comma-separated)"))
    sources = TextAreaField(
        _l(
            "Sources (one per line: type | title | https://address; types: evaluation report, "
            "academic study, official page, news, dataset, video, other)"
        )
    )
    # --- case records (issue 16) ---
    level_of_government = LooseSelectField(_l("Level of government"))
    delivery_mode = LooseSelectField(_l("Delivery mode"))
    initiated_by = LooseSelectField(_l("Initiated by"))
    participant_count = StringField(_l("People taking part (citizens, users)"))
    participant_count_year = StringField(_l("Year of that figure"))
    population_served = StringField(_l("Population served"))
    population_served_year = StringField(_l("Year of the population figure"))
    volunteer_count = StringField(_l("Volunteers"))
    volunteer_count_year = StringField(_l("Year of the volunteer figure"))
    staff_count = StringField(_l("Paid staff"))
    staff_count_year = StringField(_l("Year of the staff figure"))
    annual_cost = StringField(_l("Annual cost or budget (whole units)"))
    annual_cost_currency = StringField(_l("Currency of the cost (ISO 4217, e.g. EUR)"))
    annual_cost_year = StringField(_l("Year of the cost"))
    funding_sources = MultiCheckboxField(_l("Funding sources"))
    savings_amount = StringField(_l("Reported savings or costs avoided (whole units)"))
    savings_currency = StringField(_l("Currency of the savings (ISO 4217)"))
    savings_text = TextAreaField(_l("Reported savings in words"))
    savings_source = StringField(_l("Where the savings are reported (https://address)"))
    lessons = TextAreaField(_l("Lessons learned (Markdown)"))
    challenges = TextAreaField(_l("Challenges (Markdown)"))
    website = StringField(_l("Website of the initiative (https://address)"))
    contact_name = StringField(_l("Contact point: role or name"))
    contact_organisation = StringField(_l("Contact point: organisation"))
    contact_email = StringField(_l("Contact point: e-mail"))
    contact_url = StringField(_l("Contact point: contact page (https://address)"))
    contact_consent = BooleanField(
        _l("The contact point agreed to be shown publicly on this record")
    )
    key_results = TextAreaField(
        _l("Key results (one per line: indicator | value | period | https://source)")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "—"), *countries.all_countries(current_locale())]
        self.sector.choices = [("", "—"), *_vocab_choices("sector")]
        self.maturity.choices = [("", "—"), *_vocab_choices("maturity")]
        self.evidence_level.choices = [("", "—"), *_vocab_choices("evidence_level")]
        self.operating_status.choices = [("", "—"), *_vocab_choices("operating_status")]
        for name in CASE_CODES:
            self[name].choices = [("", "—"), *_vocab_choices(name)]
        for field, name in MULTI_VOCAB.items():
            self[field].choices = _vocab_choices(name)

    def to_data(self) -> dict[str, Any]:
        """The input as the schema's dict: what the API would receive."""
        data: dict[str, Any] = {}
        for name in (n for _, names in SECTIONS for n in names):
            value = self[name].data
            if name in YEARS or name in CASE_NUMBERS:
                data[name] = _year(value or "")
            elif name in CASE_CODES or name in CASE_OPTIONAL:
                data[name] = (value or "").strip() or None
            elif name == "contact_consent":
                data[name] = bool(value)
            elif name == "key_results":
                lines = (value or "").splitlines()
                data[name] = [_key_result(line) for line in lines if line.strip()]
            elif name == "partners":
                data[name] = [p.strip() for p in (value or "").splitlines() if p.strip()]
            elif name == "tags":
                data[name] = [t.strip() for t in (value or "").split(",") if t.strip()]
            elif name == "sources":
                data[name] = [_source(line) for line in (value or "").splitlines() if line.strip()]
            elif name in ("evidence_level", "operating_status"):
                data[name] = value or None
            elif name == "integrated_from_start":
                data[name] = bool(value)
            else:
                data[name] = value if value is not None else ""
        return data

    @staticmethod
    def form_values(fields: dict[str, Any]) -> dict[str, Any]:
        """A stored record's fields as the form's initial values."""
        values = dict(fields)
        for name in YEARS:
            values[name] = "" if fields.get(name) is None else str(fields[name])
        values["partners"] = "\n".join(fields.get("partners") or [])
        values["tags"] = ", ".join(fields.get("tags") or [])
        values["sources"] = "\n".join(_source_line(s) for s in fields.get("sources") or [])
        values["key_results"] = "\n".join(
            " | ".join(r[k] for k in ("indicator", "value", "period", "source_url"))
            for r in fields.get("key_results") or []
        )
        values["evidence_level"] = fields.get("evidence_level") or ""
        values["operating_status"] = fields.get("operating_status") or ""
        for name in CASE_NUMBERS:
            values[name] = "" if fields.get(name) is None else str(fields[name])
        for name in (*CASE_CODES, *CASE_OPTIONAL):
            values[name] = fields.get(name) or ""
        return values


# Every record field named as the form names it (diffs and history show these).
FIELD_LABELS: dict[str, Any] = {
    **{
        name: field.args[0]
        for name, field in vars(InitiativeForm).items()
        if isinstance(field, UnboundField) and field.args
    },
    "status": _l("State"),
    "pending_status": _l("Edit waiting for review"),
    "slug": _l("Address (slug)"),
    "external_id": _l("External identifier"),
    "illustrative": _l("Illustrative"),
    "media": _l("Images and documents"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def _year(text: str) -> int | str | None:
    """A year box's number; anything else as typed, for the schema to call it not a number."""
    try:
        return whole_number(text, 0, 10**18)
    except ValueError:
        return text.strip() or None


def _source(line: str) -> dict[str, str]:
    title, _, url = line.rpartition("|")
    if not title:
        return {"title": url.strip(), "url": url.strip()}
    # Case records: "type | title | address", the type as a code or a label in any language.
    kind, _, rest = title.partition("|")
    code = csv_format.vocabulary_code("source_type", kind.strip()) if rest.strip() else None
    if code in vocab.SOURCE_TYPE.codes:
        return {"type": code, "title": rest.strip(), "url": url.strip()}
    return {"title": title.strip(), "url": url.strip()}


def _source_line(source: dict[str, str]) -> str:
    """A source as the form's line: its type's label first unless it is `other`."""
    kind = source.get("type") or "other"
    line = f"{source['title']} | {source['url']}"
    if kind == "other":
        return line
    return f"{vocab.SOURCE_TYPE.label(kind, current_locale())} | {line}"


def _key_result(line: str) -> dict[str, str]:
    """ "indicator | value | period | https://source"; the period or the source may be left
    out (a last part starting with http is the source)."""
    parts = [p.strip() for p in line.split("|")]
    found = dict(zip(("indicator", "value"), parts[:2], strict=False))
    rest = parts[2:]
    if rest and rest[-1].startswith(("http://", "https://")):
        found["source_url"] = rest.pop()
    if rest:
        found["period"] = " | ".join(rest)
    return found
