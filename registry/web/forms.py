"""Flask-WTF forms. Initiative input is validated by registry.schemas (not WTForms
validators), so the form shows exactly the messages the API gives."""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry
from babel import Locale
from flask_babel import gettext as _
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
from ..i18n import current_locale, localized
from ..schemas import NEEDED_FOR_REVIEW, REVIEW_NEEDS, InitiativeIn, whole_number
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
    summary = TextAreaField(_l("Summary"))
    description = TextAreaField(_l("Description"))
    language = LooseSelectField(_l("Language of the record"), default="en")
    country = LooseSelectField(_l("Country"))
    region = StringField(_l("Region"))
    locality = StringField(_l("Locality"))
    sector = LooseSelectField(_l("Sector"))
    stages = MultiCheckboxField(_l("Stages of the service cycle"))
    maturity = LooseSelectField(_l("Maturity"))
    start_year = StringField(_l("Start year"))
    mainstreamed_year = StringField(_l("Year mainstreamed"))
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
    partners = TextAreaField(_l("Partners"))
    tags = StringField(_l("Tags"))
    sources = TextAreaField(_l("Sources"))
    # --- case records (issue 16) ---
    level_of_government = LooseSelectField(_l("Level of government"))
    delivery_mode = LooseSelectField(_l("Delivery mode"))
    initiated_by = LooseSelectField(_l("Initiated by"))
    participant_count = StringField(_l("People taking part"))
    participant_count_year = StringField(_l("Year of that figure"))
    population_served = StringField(_l("Population served"))
    population_served_year = StringField(_l("Year of the population figure"))
    volunteer_count = StringField(_l("Volunteers"))
    volunteer_count_year = StringField(_l("Year of the volunteer figure"))
    staff_count = StringField(_l("Paid staff"))
    staff_count_year = StringField(_l("Year of the staff figure"))
    annual_cost = StringField(_l("Annual cost or budget"))
    annual_cost_currency = StringField(_l("Currency of the cost"))
    annual_cost_year = StringField(_l("Year of the cost"))
    funding_sources = MultiCheckboxField(_l("Funding sources"))
    savings_amount = StringField(_l("Reported savings or costs avoided"))
    savings_currency = StringField(_l("Currency of the savings"))
    savings_text = TextAreaField(_l("Reported savings in words"))
    savings_source = StringField(_l("Where the savings are reported"))
    lessons = TextAreaField(_l("Lessons learned"))
    challenges = TextAreaField(_l("Challenges"))
    website = StringField(_l("Website of the initiative"))
    contact_name = StringField(_l("Contact point: role or name"))
    contact_organisation = StringField(_l("Contact point: organisation"))
    contact_email = StringField(_l("Contact point: e-mail"))
    contact_url = StringField(_l("Contact point: contact page"))
    contact_consent = BooleanField(
        _l("The contact point agreed to be shown publicly on this record")
    )
    key_results = TextAreaField(_l("Key results"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [("", "—"), *language_choices()]
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
        for name in (n for _heading, names in SECTIONS for n in names):
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


# --- The initiative form as a reader sees it (issue 19) -------------------------------------
# Everything below is derived from SECTIONS, the form's fields and the schema, so a field or
# section added there is rendered, marked and checked without touching the template.

# What a reader is told under a label: the format, the limits, what the field is for.
HINTS: dict[str, Any] = {
    "summary": _l("One or two sentences: who takes part and what they do together."),
    "description": _l(
        "What happens, who does what, how citizens and staff share the work. You can use "
        "Markdown: **bold**, *italics*, lists starting with “-”, [links](https://…)."
    ),
    "language": _l("The language this record is written in."),
    "start_year": _l("In figures, for example 2019."),
    "mainstreamed_year": _l(
        "Only for integrated initiatives: the year the pilot became the "
        "usual way the service works."
    ),
    "end_year": _l("Only if the initiative has ended."),
    "partners": _l("One organisation per line."),
    "tags": _l("Separate tags with commas, for example: housing, young people."),
    "sources": _l(
        "One source per line: its type, its title and its address, separated by vertical "
        "bars. Types: evaluation report, academic study, official page, news, dataset, video, "
        "other. For example: Evaluation report | Final evaluation 2022 | "
        "https://example.org/report.pdf"
    ),
    # --- case records (issue 16) ---
    "participant_count": _l("Citizens or service users taking part, in figures."),
    "annual_cost": _l("In whole units of the currency, for example 250000."),
    "annual_cost_currency": _l("Its three-letter code, for example EUR, GBP or CAD."),
    "savings_amount": _l("In whole units of the currency."),
    "savings_currency": _l("Its three-letter code, for example EUR."),
    "savings_source": _l("The address of the report that gives them (https://…)."),
    "lessons": _l("What others should know before trying it. Markdown allowed."),
    "challenges": _l("What was hard, and how it was handled. Markdown allowed."),
    "website": _l("Its address, starting with https://."),
    "contact_url": _l("An address starting with https://, if there is no e-mail."),
    "contact_consent": _l("Without this agreement the contact point is kept but not shown."),
    "key_results": _l(
        "One result per line: indicator, value, period and the source's address, separated "
        "by vertical bars. For example: Hospital admissions | −18 % | 2021–2022 | "
        "https://example.org/evaluation"
    ),
}
# Markdown fields with a Preview button (the text rendered as the record page will show it).
PREVIEWED = ("description", "outcomes")
# Fields the schema requires: without them nothing can be saved, not even a draft.
REQUIRED = frozenset(name for name, info in InitiativeIn.model_fields.items() if info.is_required())
# Fields whose value a curator needs before a record can be submitted for review.
FOR_REVIEW = frozenset(REVIEW_NEEDS)
EMPTY_REQUIRED = (
    "this field is required",
    "must have at least 1 character",
    "must have at least %(count)s characters",
    "choose at least one",
    "%(value)s is not an ISO 3166-1 alpha-2 country code",
    "%(value)s is not an ISO 639-1 language code",
)


def _max_lengths() -> dict[str, int]:
    """The character limit of each single-text field, from the schema (character counts)."""
    limits = {}
    for name, info in InitiativeIn.model_fields.items():
        for rule in info.metadata:
            if getattr(rule, "max_length", None) and info.annotation is str:
                limits[name] = rule.max_length
    return limits


MAX_LENGTHS = _max_lengths()


@cache
def _languages(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).languages
    pairs = []
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if code and names.get(code):
            pairs.append((code, names[code][:1].upper() + names[code][1:]))
    return sorted(pairs, key=lambda p: p[1].casefold())


def language_choices() -> list[tuple[str, str]]:
    """(ISO 639-1 code, name in the reader's language), sorted by name."""
    return _languages(current_locale())


def field_kind(form: InitiativeForm, name: str) -> str:
    """How the template draws a field: checkboxes, select, checkbox, textarea or text."""
    field = form[name]
    if isinstance(field, SelectMultipleField):
        return "checkboxes"
    if isinstance(field, SelectField):
        return "select"
    if isinstance(field, BooleanField):
        return "checkbox"
    if isinstance(field, TextAreaField):
        return "textarea"
    return "text"


def field_anchor(form: InitiativeForm, name: str) -> str:
    """The id an error summary's link points to: the field, or a group's first box."""
    if field_kind(form, name) == "checkboxes" and form[name].choices:
        return f"f-{name}-{form[name].choices[0][0]}"
    return f"f-{name}"


def input_attrs(form: InitiativeForm, name: str, has_error: bool) -> dict[str, Any]:
    """The attributes of a field's input: what describes it, its state, its limit, its size."""
    described = [f"n-{name}"]
    described += [f"h-{name}"] if name in HINTS else []
    described += [f"c-{name}"] if name in MAX_LENGTHS else []
    described += [f"e-{name}"] if has_error else []
    attrs: dict[str, Any] = {"id": f"f-{name}", "aria-describedby": " ".join(described)}
    if has_error:
        attrs["aria-invalid"] = "true"
    if name in MAX_LENGTHS:
        attrs["data-max"] = MAX_LENGTHS[name]
    if field_kind(form, name) == "textarea":
        attrs["rows"] = 8 if name in ("description", "outcomes", "sources") else 3
    if name in YEARS or name in CASE_NUMBERS:
        attrs.update(inputmode="numeric", autocomplete="off")
    if name in YEARS or name.endswith("_year"):
        attrs["size"] = 6
    return attrs


def filled(form: InitiativeForm, name: str) -> bool:
    value = form[name].data
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def need(name: str) -> str:
    """required, review or optional: what the label says of a field."""
    if name in REQUIRED:
        return "required"
    return "review" if name in FOR_REVIEW else "optional"


def section_status(form: InitiativeForm, names: tuple[str, ...], errors: dict) -> str:
    """A task-list status: error, done, progress, todo or optional."""
    if any(name in errors for name in names):
        return "error"
    needed = [n for n in names if n in REQUIRED or n in FOR_REVIEW]
    if not needed:
        return "done" if any(filled(form, n) for n in names) else "optional"
    done = [n for n in needed if filled(form, n)]
    if len(done) == len(needed):
        return "done"
    return "progress" if done or any(filled(form, n) for n in names) else "todo"


def reader_errors(form: InitiativeForm, errors: dict[str, list]) -> dict[str, list[str]]:
    """The schema's messages in the reader's words, each naming the field by its label; field
    order as on the page, general messages (key "_") first."""
    order = ["_", *(n for _heading, names in SECTIONS for n in names)]
    words: dict[str, list[str]] = {}
    for name in sorted(errors, key=lambda n: order.index(n) if n in order else len(order)):
        if name == "_" or name not in form:
            words.setdefault("_", []).extend(localized(m) for m in errors[name])
            continue
        texts = [_in_words(form, name, m) for m in errors[name]]
        words[name] = list(dict.fromkeys(texts))
    return words


def _in_words(form: InitiativeForm, name: str, message: Any) -> str:
    template = getattr(message, "template", str(message))
    values = getattr(message, "values", {})
    field = field_label(name)
    kind = field_kind(form, name)
    lacking = template == NEEDED_FOR_REVIEW.template
    if lacking or (template in EMPTY_REQUIRED and not filled(form, name)):
        if name in FOR_REVIEW and name not in REQUIRED:
            return _(
                "Enter “%(field)s”: a curator needs it to review the record "
                "(a draft can be saved without it).",
                field=field,
            )
        if kind == "checkboxes":
            return _("Choose at least one option for “%(field)s”.", field=field)
        if kind == "select":
            return _("Choose “%(field)s”.", field=field)
        return _("Enter “%(field)s”.", field=field)
    if template == "item %(item)s: %(message)s":
        line = int(str(values["item"]).split(".")[0]) + 1
        inner = values["message"]
        if getattr(inner, "template", "") == "must be an http:// or https:// address":
            return _(
                "“%(field)s”, line %(line)s: the address must start with http:// or https://.",
                field=field, line=line,
            )  # fmt: skip
        return _("“%(field)s”, item %(line)s: %(message)s", field=field, line=line,
                 message=localized(inner))  # fmt: skip
    if template.startswith("unknown code") or template.startswith("%(value)s is not an ISO"):
        return _("Choose “%(field)s” from the list.", field=field)
    integer = template in ("must be a valid integer", "must be true or false")
    if integer and (name in YEARS or name.endswith("_year")):
        return _("“%(field)s” must be a year in figures, like 2019.", field=field)
    if integer and name in CASE_NUMBERS:
        return _("“%(field)s” must be a whole number in figures, like 250000.", field=field)
    if name in YEARS and template == "must be greater than or equal to %(limit)s":
        return _("“%(field)s” must be %(limit)s or later.", field=field, limit=values["limit"])
    if name in YEARS and template == "must be less than or equal to %(limit)s":
        return _("“%(field)s” must be %(limit)s or earlier.", field=field, limit=values["limit"])
    if template == "must have at most %(count)s characters":
        return _(
            "“%(field)s” must have at most %(count)s characters; it has %(length)s.",
            field=field, count=values["count"], length=len(str(form[name].data or "")),
        )  # fmt: skip
    return _("“%(field)s”: %(message)s", field=field, message=localized(message))


# --- Accounts on the web (issue 19) -----------------------------------------------------------


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"))
    role = SelectField(_l("Role"))
    organisation = StringField(_l("Organisation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [
            ("submitter", _("Submitter")), ("curator", _("Curator")), ("admin", _("Administrator"))
        ]  # fmt: skip


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name of the organisation"))


class NewPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"))
    again = PasswordField(_l("The same password again"))


class ResetForm(FlaskForm):
    email = EmailField(_l("E-mail address"))
