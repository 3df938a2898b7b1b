"""Controlled vocabularies: the one place their codes, labels and descriptions live.

Forms, validation, search facets, statistics, the API and seeds all read these tables.
Codes never change once published; labels may. Labels and descriptions are written here in
English and marked with `msg()`, so `make messages` carries them into the Babel catalogues of
translations/ like every other string: a language is added there, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .messages import LANGUAGES, Message, msg, translate


@dataclass(frozen=True)
class Term:
    code: str
    english: Message
    description: Message
    cofog: str | None = None

    def label(self, locale: str = "en") -> str:
        """The label in `locale` (any locale: English where the catalogues have none)."""
        return translate(self.english, locale)


@dataclass(frozen=True)
class Vocabulary:
    name: str
    english: Message
    multiple: bool
    terms: tuple[Term, ...]

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """The codes in vocabulary order (made once: every record read and written asks)."""
        return tuple(t.code for t in self.terms)

    def get(self, code: str) -> Term | None:
        return next((t for t in self.terms if t.code == code), None)

    def label(self, code: str, locale: str = "en") -> str:
        term = self.get(code)
        return term.label(locale) if term else code

    def title(self, locale: str = "en") -> str:
        return translate(self.english, locale)


def _vocab(name: str, title: Message, multiple: bool, *terms: tuple) -> Vocabulary:
    return Vocabulary(name, title, multiple, tuple(Term(*t) for t in terms))


STAGE = _vocab(
    "stage",
    msg("Stage"),
    True,
    ("plan", msg("Plan / commission"), msg("Co-commissioning: deciding what is needed.")),
    ("design", msg("Design"), msg("Co-design: shaping how the service works.")),
    ("deliver", msg("Deliver"), msg("Co-delivery: providing the service together.")),
    ("evaluate", msg("Evaluate"), msg("Co-assessment: judging how well the service works.")),
)

MATURITY = _vocab(
    "maturity",
    msg("Maturity"),
    False,
    ("pilot", msg("Pilot"), msg("Experiment, time-limited or local trial.")),
    (
        "integrated",
        msg("Integrated (mainstreamed)"),
        msg("Part of how the service is normally delivered."),
    ),
)

SECTOR = _vocab(
    "sector",
    msg("Sector"),
    False,
    (
        "public_safety",
        msg("Public safety and crime prevention"),
        msg("Policing, neighbourhood safety, crime prevention."),
        "03",
    ),
    ("justice", msg("Justice and courts"), msg("Courts, probation, victim support."), "03"),
    ("health", msg("Health"), msg("Health care, prevention, chronic conditions."), "07"),
    (
        "social_care",
        msg("Social care (older people, disability)"),
        msg("Care and support for older and disabled people."),
        "10",
    ),
    (
        "family_children",
        msg("Family, children and parenting"),
        msg("Support to families, children and parents."),
        "10",
    ),
    (
        "employment",
        msg("Employment and welfare"),
        msg("Job seeking, benefits, social protection."),
        "10",
    ),
    ("education", msg("Education"), msg("Schools, training, lifelong learning."), "09"),
    (
        "environment",
        msg("Environment, waste and energy"),
        msg("Waste, recycling, energy, nature."),
        "05",
    ),
    (
        "housing_urban",
        msg("Housing and urban development"),
        msg("Housing, planning, public space."),
        "06",
    ),
    ("transport", msg("Transport"), msg("Public transport, roads, mobility."), "04"),
    (
        "culture",
        msg("Culture, sport and leisure"),
        msg("Libraries, museums, sport, leisure."),
        "08",
    ),
    (
        "administration",
        msg("Public administration and digital services"),
        msg("Government services, budgets, digital services."),
        "01",
    ),
    ("other", msg("Other"), msg("Any other public service."), None),
)

PARTICIPANTS = _vocab(
    "participants",
    msg("Participants"),
    True,
    ("citizens", msg("Citizens"), msg("Residents taking part as members of the public.")),
    ("service_users", msg("Service users"), msg("People who use the service.")),
    ("carers_families", msg("Carers and families"), msg("Relatives and informal carers.")),
    ("volunteers", msg("Volunteers"), msg("People giving their time without pay.")),
    (
        "civil_society",
        msg("Civil society organisations"),
        msg("Non-governmental and community organisations."),
    ),
    ("private_sector", msg("Private sector"), msg("Firms and social enterprises.")),
    ("professionals", msg("Professionals"), msg("Public-service staff.")),
)

CONTRIBUTIONS = _vocab(
    "contributions",
    msg("Contributions"),
    True,
    ("time", msg("Time"), msg("Hours given to the service.")),
    ("knowledge", msg("Knowledge"), msg("Experience and local or lived knowledge.")),
    ("effort", msg("Effort"), msg("Work and self-management.")),
    ("money", msg("Money"), msg("Financial contributions or fees.")),
    ("data", msg("Data"), msg("Reports, measurements, feedback.")),
    ("peer_support", msg("Peer support"), msg("Help given to other users.")),
)

MOTIVES = _vocab(
    "motives",
    msg("Motives"),
    True,
    (
        "involve_citizens",
        msg("Increase citizen involvement"),
        msg("Give citizens a greater say and role."),
    ),
    ("improve_quality", msg("Improve service quality"), msg("Make the service better.")),
    ("reduce_costs", msg("Reduce costs"), msg("Deliver the service for less.")),
    ("improve_outcomes", msg("Improve outcomes"), msg("Achieve better results.")),
    (
        "increase_satisfaction",
        msg("Increase user satisfaction"),
        msg("Make users happier with the service."),
    ),
    (
        "better_targeting",
        msg("Better target services to needs"),
        msg("Match the service to what people need."),
    ),
    (
        "political_priority",
        msg("Government or political priority"),
        msg("Asked for by government or elected officials."),
    ),
    ("other", msg("Other"), msg("Any other motive.")),
)

OBSTACLES = _vocab(
    "obstacles",
    msg("Obstacles"),
    True,
    (
        "lack_of_resources",
        msg("Lack of resources/capacity"),
        msg("Not enough staff, time or money."),
    ),
    (
        "resistance_to_change",
        msg("Administrative resistance to change, risk aversion"),
        msg("Reluctance inside the administration."),
    ),
    (
        "lack_of_financial_incentives",
        msg("No financial incentives"),
        msg("Nothing rewards the effort."),
    ),
    ("lack_of_evidence", msg("Lack of evidence of benefits"), msg("Benefits not demonstrated.")),
    (
        "lack_of_citizen_interest",
        msg("Low citizen interest or capacity"),
        msg("Citizens unwilling or unable to take part."),
    ),
    (
        "legal_constraints",
        msg("Legal or regulatory constraints"),
        msg("Rules that hinder the partnership."),
    ),
    (
        "accountability_concerns",
        msg("Unclear accountability or risk"),
        msg("Who answers when things go wrong is unclear."),
    ),
    ("other", msg("Other"), msg("Any other obstacle.")),
)

SUCCESS_FACTORS = _vocab(
    "success_factors",
    msg("Success factors"),
    True,
    (
        "clear_responsibilities_and_funding",
        msg("Clearly defined responsibilities and financial framework"),
        msg("Everyone knows who does and pays for what."),
    ),
    (
        "leadership_commitment",
        msg("Leadership and commitment of senior officials"),
        msg("Senior officials back the initiative."),
    ),
    (
        "dialogue_with_users",
        msg("Willingness to engage in dialogue with citizens and users"),
        msg("Professionals listen to users."),
    ),
    (
        "professional_skills",
        msg("New skills and competences for professionals"),
        msg("Staff trained to work with users."),
    ),
    (
        "user_capacity",
        msg("Users' capacity and information"),
        msg("Users have what they need to take part."),
    ),
    ("legal_framework", msg("Supportive legal framework"), msg("The law enables the partnership.")),
    ("other", msg("Other"), msg("Any other success factor.")),
)

EVIDENCE_LEVEL = _vocab(
    "evidence_level",
    msg("Evidence level"),
    False,
    ("none", msg("No evaluation yet"), msg("Results are not known yet.")),
    ("anecdotal", msg("Testimonies, anecdotes"), msg("Stories from those involved.")),
    ("monitoring", msg("Routine monitoring data"), msg("Figures collected as the service runs.")),
    ("evaluation", msg("Independent evaluation"), msg("Assessed by an independent evaluator.")),
    (
        "experimental",
        msg("Controlled or quasi-experimental study"),
        msg("Compared against a control group."),
    ),
)

# The licence under which an image attached to a record may be reused (registry.media). No
# free-text "other": `permission` covers whatever no open licence does, and the credit names the
# holder; a reuser can rely on a code, not on prose.
LICENCE = _vocab(
    "licence",
    msg("Licence"),
    False,
    ("cc0", msg("CC0 (public domain dedication)"), msg("Anyone may reuse it, without conditions.")),
    ("cc_by", msg("CC BY 4.0"), msg("Anyone may reuse it, crediting the author.")),
    (
        "cc_by_sa",
        msg("CC BY-SA 4.0"),
        msg("Anyone may reuse it, crediting the author and sharing alike."),
    ),
    (
        "cc_by_nc",
        msg("CC BY-NC 4.0"),
        msg("Anyone may reuse it for non-commercial purposes, crediting the author."),
    ),
    (
        "cc_by_nd",
        msg("CC BY-ND 4.0"),
        msg("Anyone may reuse it unchanged, crediting the author."),
    ),
    (
        "cc_by_nc_sa",
        msg("CC BY-NC-SA 4.0"),
        msg("Non-commercial reuse, crediting the author and sharing alike."),
    ),
    (
        "cc_by_nc_nd",
        msg("CC BY-NC-ND 4.0"),
        msg("Non-commercial reuse, unchanged, crediting the author."),
    ),
    (
        "etalab",
        msg("Licence Ouverte / Etalab 2.0"),
        msg("The French government's open licence: reuse with credit."),
    ),
    (
        "ogl",
        msg("Open Government Licence v3.0"),
        msg("The UK government's open licence: reuse with credit."),
    ),
    ("public_domain", msg("Public domain"), msg("No copyright applies any more.")),
    (
        "permission",
        msg("All rights reserved, shown with permission"),
        msg("The holder allows the registry to show it; ask them before any reuse."),
    ),
)
# Where each licence is written out (linked from the gallery).
LICENCE_DEEDS = {
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc_by": "https://creativecommons.org/licenses/by/4.0/",
    "cc_by_sa": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc_by_nc": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc_by_nd": "https://creativecommons.org/licenses/by-nd/4.0/",
    "cc_by_nc_sa": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "cc_by_nc_nd": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "etalab": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "ogl": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
OPERATING_STATUS = _vocab(
    "operating_status",
    msg("Operating status"),
    False,
    ("ongoing", msg("Ongoing"), msg("Still running.")),
    ("ended", msg("Ended"), msg("Stopped, and not carried on by another programme.")),
    (
        "absorbed",
        msg("Absorbed into another programme"),
        msg("Carried on as part of another programme or service."),
    ),
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v
    for v in (
        STAGE,
        MATURITY,
        SECTOR,
        PARTICIPANTS,
        CONTRIBUTIONS,
        MOTIVES,
        OBSTACLES,
        SUCCESS_FACTORS,
        EVIDENCE_LEVEL,
        OPERATING_STATUS,
        LICENCE,
    )
}

# Record fields holding several codes of one vocabulary; stored as rows of `initiative_term`.
MULTI_FIELDS: dict[str, Vocabulary] = {
    "stages": STAGE,
    "participants": PARTICIPANTS,
    "contributions": CONTRIBUTIONS,
    "motives": MOTIVES,
    "obstacles": OBSTACLES,
    "success_factors": SUCCESS_FACTORS,
}

# Record fields holding one code.
SINGLE_FIELDS: dict[str, Vocabulary] = {
    "sector": SECTOR,
    "maturity": MATURITY,
    "evidence_level": EVIDENCE_LEVEL,
    "operating_status": OPERATING_STATUS,
}

# Fields of an attached image (registry.media) holding one code.
MEDIA_FIELDS: dict[str, Vocabulary] = {"licence": LICENCE}

# --- Case records (issue 16): money, context and sources -----------------------------------
FUNDING_SOURCE = _vocab(
    "funding_sources",
    msg("Funding sources"),
    True,
    ("national", msg("National government"), msg("Ministries and national agencies.")),
    ("regional", msg("Regional government"), msg("Regions, provinces, states, counties.")),
    ("local", msg("Local government"), msg("Municipalities and their groupings.")),
    (
        "social_security",
        msg("Social security or health insurer"),
        msg("Social security funds, health and care insurers."),
    ),
    ("foundation", msg("Foundation or charity"), msg("Grants from foundations and charities.")),
    (
        "eu_international",
        msg("EU or international body"),
        msg("European Union programmes and international organisations."),
    ),
    ("private_company", msg("Private company"), msg("Firms paying for or sponsoring the work.")),
    ("user_fees", msg("User fees"), msg("Charges paid by the people using the service.")),
    ("in_kind", msg("In kind"), msg("Rooms, time, equipment or services given free.")),
)

LEVEL_OF_GOVERNMENT = _vocab(
    "level_of_government",
    msg("Level of government"),
    False,
    ("local", msg("Local"), msg("A municipality or a grouping of them.")),
    ("regional", msg("Regional"), msg("A region, province, state or county.")),
    ("national", msg("National"), msg("A ministry or a national agency.")),
    ("multi_level", msg("Several levels"), msg("Several levels of government together.")),
)

DELIVERY_MODE = _vocab(
    "delivery_mode",
    msg("Delivery mode"),
    False,
    ("face_to_face", msg("Face to face"), msg("People meet in person.")),
    ("online", msg("Online"), msg("On the internet or by phone only.")),
    ("both", msg("Face to face and online"), msg("Both in person and at a distance.")),
)

INITIATED_BY = _vocab(
    "initiated_by",
    msg("Initiated by"),
    False,
    ("public_body", msg("A public body"), msg("A public administration or service started it.")),
    ("service_users", msg("Service users"), msg("The people using the service started it.")),
    ("civil_society", msg("Civil society"), msg("An association or community group started it.")),
    ("professionals", msg("Professionals"), msg("Public-service staff started it themselves.")),
    ("jointly", msg("Jointly"), msg("Several of these started it together.")),
)

# What kind of document a record's source is (item field `type` of `sources`). Sources written
# before types existed are `other`.
SOURCE_TYPE = _vocab(
    "source_type",
    msg("Source type"),
    False,
    (
        "evaluation_report",
        msg("Evaluation report"),
        msg("A report assessing the initiative's results."),
    ),
    ("academic_study", msg("Academic study"), msg("A peer-reviewed article or a thesis.")),
    ("official_page", msg("Official page"), msg("The page of the initiative or its public body.")),
    ("news", msg("News"), msg("A press article or a broadcast.")),
    ("dataset", msg("Dataset"), msg("Published figures or open data.")),
    ("video", msg("Video"), msg("A film or a recorded talk.")),
    ("other", msg("Other source"), msg("Any other document.")),
)
# The source types that name an independent evaluation or a study: what the evidence levels
# `evaluation` and `experimental` require among a record's sources.
EVALUATION_SOURCES = ("evaluation_report", "academic_study")
EVALUATED_LEVELS = ("evaluation", "experimental")

# How complete a record is (registry.completeness): the buckets of the search facet.
COMPLETENESS = _vocab(
    "completeness",
    msg("Completeness"),
    False,
    (
        "high",
        msg("Well documented"),
        msg("States at least 70 per cent of what practitioners look for."),
    ),
    ("medium", msg("Partly documented"), msg("States 40 to 69 per cent of it.")),
    ("low", msg("Sparsely documented"), msg("States less than 40 per cent of it.")),
)

VOCABULARIES.update(
    {v.name: v for v in (FUNDING_SOURCE, LEVEL_OF_GOVERNMENT, DELIVERY_MODE, INITIATED_BY)}
)
VOCABULARIES[COMPLETENESS.name] = COMPLETENESS
# What one record is to another (registry.links): the label reads from the record the link is
# made on; LINK_INVERSE reads from the other end.
LINK_TYPE = _vocab(
    "link_type",
    msg("Link"),
    False,
    (
        "mainstreamed_as",
        msg("Pilot mainstreamed as"),
        msg("This pilot was taken up as the linked programme, part of the normal service."),
    ),
    (
        "replication_of",
        msg("Replication of"),
        msg("This initiative copies the linked one elsewhere."),
    ),
    ("part_of", msg("Part of"), msg("This initiative is one part of the linked programme.")),
    ("inspired_by", msg("Inspired by"), msg("The linked initiative inspired this one.")),
)
LINK_INVERSE: dict[str, Message] = {
    "mainstreamed_as": msg("Mainstreamed from the pilot"),
    "replication_of": msg("Replicated as"),
    "part_of": msg("Includes"),
    "inspired_by": msg("Inspired"),
}
VOCABULARIES[LINK_TYPE.name] = LINK_TYPE
VOCABULARIES[SOURCE_TYPE.name] = SOURCE_TYPE
MULTI_FIELDS["funding_sources"] = FUNDING_SOURCE
SINGLE_FIELDS.update(
    level_of_government=LEVEL_OF_GOVERNMENT, delivery_mode=DELIVERY_MODE, initiated_by=INITIATED_BY
)
# Fields of a record's source holding one code.
SOURCE_FIELDS: dict[str, Vocabulary] = {"type": SOURCE_TYPE}
# --- end of case records ------------------------------------------------------------------

# Languages with their own stemming; any other ISO 639-1 code is accepted too.
STEMMED_LANGUAGES = ("en", "fr")

STATUSES = ("draft", "submitted", "published", "rejected", "withdrawn", "deleted")


def as_json(languages: tuple[str, ...] = LANGUAGES) -> dict:
    """Every vocabulary as plain data, for the API: labels in every language of the
    interface, descriptions in English (the API's own language)."""
    return {
        v.name: {
            "label": {loc: v.title(loc) for loc in languages},
            "multiple": v.multiple,
            "terms": [
                {
                    "code": t.code,
                    "label": {loc: t.label(loc) for loc in languages},
                    "description": str(t.description),
                    **({"cofog": t.cofog} if v is SECTOR else {}),
                }
                for t in v.terms
            ],
        }
        for v in VOCABULARIES.values()
    }
