"""Controlled vocabularies: the one place their codes, labels and descriptions live.

Forms, validation, search facets, statistics, the API and seeds all read these tables.
Codes never change once published; labels may.
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import msg


@dataclass(frozen=True)
class Term:
    code: str
    en: str
    fr: str
    description: str = ""
    cofog: str | None = None

    def label(self, locale: str = "en") -> str:
        return self.fr if locale.startswith("fr") else self.en


@dataclass(frozen=True)
class Vocabulary:
    name: str
    en: str
    fr: str
    multiple: bool
    terms: tuple[Term, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def get(self, code: str) -> Term | None:
        return next((t for t in self.terms if t.code == code), None)

    def label(self, code: str, locale: str = "en") -> str:
        term = self.get(code)
        return term.label(locale) if term else code

    def title(self, locale: str = "en") -> str:
        return self.fr if locale.startswith("fr") else self.en


def _vocab(name: str, en: str, fr: str, multiple: bool, *terms: tuple) -> Vocabulary:
    return Vocabulary(name, en, fr, multiple, tuple(Term(*t) for t in terms))


STAGE = _vocab(
    "stage",
    "Stage",
    "Étape",
    True,
    (
        "plan",
        "Plan / commission",
        "Planifier / commander",
        msg("Co-commissioning: deciding what is needed."),
    ),
    ("design", "Design", "Concevoir", msg("Co-design: shaping how the service works.")),
    (
        "deliver",
        "Deliver",
        "Fournir / produire",
        msg("Co-delivery: providing the service together."),
    ),
    ("evaluate", "Evaluate", "Évaluer", msg("Co-assessment: judging how well the service works.")),
)

MATURITY = _vocab(
    "maturity",
    "Maturity",
    "Maturité",
    False,
    ("pilot", "Pilot", "Projet pilote", msg("Experiment, time-limited or local trial.")),
    (
        "integrated",
        "Integrated (mainstreamed)",
        "Intégré (généralisé)",
        msg("Part of how the service is normally delivered."),
    ),
)

SECTOR = _vocab(
    "sector",
    "Sector",
    "Secteur",
    False,
    (
        "public_safety",
        "Public safety and crime prevention",
        "Sécurité publique et prévention",
        msg("Policing, neighbourhood safety, crime prevention."),
        "03",
    ),
    ("justice", "Justice and courts", "Justice", msg("Courts, probation, victim support."), "03"),
    ("health", "Health", "Santé", msg("Health care, prevention, chronic conditions."), "07"),
    (
        "social_care",
        "Social care (older people, disability)",
        "Aide sociale et médico-sociale",
        msg("Care and support for older and disabled people."),
        "10",
    ),
    (
        "family_children",
        "Family, children and parenting",
        "Famille, enfance et parentalité",
        msg("Support to families, children and parents."),
        "10",
    ),
    (
        "employment",
        "Employment and welfare",
        "Emploi et prestations sociales",
        msg("Job seeking, benefits, social protection."),
        "10",
    ),
    ("education", "Education", "Éducation", msg("Schools, training, lifelong learning."), "09"),
    (
        "environment",
        "Environment, waste and energy",
        "Environnement, déchets et énergie",
        msg("Waste, recycling, energy, nature."),
        "05",
    ),
    (
        "housing_urban",
        "Housing and urban development",
        "Logement et urbanisme",
        msg("Housing, planning, public space."),
        "06",
    ),
    ("transport", "Transport", "Transports", msg("Public transport, roads, mobility."), "04"),
    (
        "culture",
        "Culture, sport and leisure",
        "Culture, sport et loisirs",
        msg("Libraries, museums, sport, leisure."),
        "08",
    ),
    (
        "administration",
        "Public administration and digital services",
        "Administration et services numériques",
        msg("Government services, budgets, digital services."),
        "01",
    ),
    ("other", "Other", "Autre", msg("Any other public service."), None),
)

PARTICIPANTS = _vocab(
    "participants",
    "Participants",
    "Participants",
    True,
    ("citizens", "Citizens", "Citoyens", msg("Residents taking part as members of the public.")),
    ("service_users", "Service users", "Usagers", msg("People who use the service.")),
    (
        "carers_families",
        "Carers and families",
        "Aidants et familles",
        msg("Relatives and informal carers."),
    ),
    ("volunteers", "Volunteers", "Bénévoles", msg("People giving their time without pay.")),
    (
        "civil_society",
        "Civil society organisations",
        "Organisations de la société civile",
        msg("Non-governmental and community organisations."),
    ),
    ("private_sector", "Private sector", "Secteur privé", msg("Firms and social enterprises.")),
    ("professionals", "Professionals", "Professionnels", msg("Public-service staff.")),
)

CONTRIBUTIONS = _vocab(
    "contributions",
    "Contributions",
    "Contributions",
    True,
    ("time", "Time", "Temps", msg("Hours given to the service.")),
    ("knowledge", "Knowledge", "Connaissances", msg("Experience and local or lived knowledge.")),
    ("effort", "Effort", "Effort", msg("Work and self-management.")),
    ("money", "Money", "Argent", msg("Financial contributions or fees.")),
    ("data", "Data", "Données", msg("Reports, measurements, feedback.")),
    ("peer_support", "Peer support", "Soutien entre pairs", msg("Help given to other users.")),
)

MOTIVES = _vocab(
    "motives",
    "Motives",
    "Motivations",
    True,
    (
        "involve_citizens",
        "Increase citizen involvement",
        "Accroître la participation des citoyens",
        msg("Give citizens a greater say and role."),
    ),
    (
        "improve_quality",
        "Improve service quality",
        "Améliorer la qualité du service",
        msg("Make the service better."),
    ),
    ("reduce_costs", "Reduce costs", "Réduire les coûts", msg("Deliver the service for less.")),
    (
        "improve_outcomes",
        "Improve outcomes",
        "Améliorer les résultats",
        msg("Achieve better results."),
    ),
    (
        "increase_satisfaction",
        "Increase user satisfaction",
        "Accroître la satisfaction des usagers",
        msg("Make users happier with the service."),
    ),
    (
        "better_targeting",
        "Better target services to needs",
        "Mieux cibler les services sur les besoins",
        msg("Match the service to what people need."),
    ),
    (
        "political_priority",
        "Government or political priority",
        "Priorité gouvernementale ou politique",
        msg("Asked for by government or elected officials."),
    ),
    ("other", "Other", "Autre", msg("Any other motive.")),
)

OBSTACLES = _vocab(
    "obstacles",
    "Obstacles",
    "Obstacles",
    True,
    (
        "lack_of_resources",
        "Lack of resources/capacity",
        "Manque de ressources ou de capacités",
        msg("Not enough staff, time or money."),
    ),
    (
        "resistance_to_change",
        "Administrative resistance to change, risk aversion",
        "Résistance administrative au changement, aversion au risque",
        msg("Reluctance inside the administration."),
    ),
    (
        "lack_of_financial_incentives",
        "No financial incentives",
        "Absence d'incitations financières",
        msg("Nothing rewards the effort."),
    ),
    (
        "lack_of_evidence",
        "Lack of evidence of benefits",
        "Manque de preuves des bénéfices",
        msg("Benefits not demonstrated."),
    ),
    (
        "lack_of_citizen_interest",
        "Low citizen interest or capacity",
        "Faible intérêt ou capacité des citoyens",
        msg("Citizens unwilling or unable to take part."),
    ),
    (
        "legal_constraints",
        "Legal or regulatory constraints",
        "Contraintes juridiques ou réglementaires",
        msg("Rules that hinder the partnership."),
    ),
    (
        "accountability_concerns",
        "Unclear accountability or risk",
        "Responsabilités ou risques mal définis",
        msg("Who answers when things go wrong is unclear."),
    ),
    ("other", "Other", "Autre", msg("Any other obstacle.")),
)

SUCCESS_FACTORS = _vocab(
    "success_factors",
    "Success factors",
    "Facteurs de succès",
    True,
    (
        "clear_responsibilities_and_funding",
        "Clearly defined responsibilities and financial framework",
        "Responsabilités et cadre financier clairement définis",
        msg("Everyone knows who does and pays for what."),
    ),
    (
        "leadership_commitment",
        "Leadership and commitment of senior officials",
        "Leadership et engagement des hauts responsables",
        msg("Senior officials back the initiative."),
    ),
    (
        "dialogue_with_users",
        "Willingness to engage in dialogue with citizens and users",
        "Volonté de dialoguer avec les citoyens et les usagers",
        msg("Professionals listen to users."),
    ),
    (
        "professional_skills",
        "New skills and competences for professionals",
        "Nouvelles compétences pour les professionnels",
        msg("Staff trained to work with users."),
    ),
    (
        "user_capacity",
        "Users' capacity and information",
        "Capacités et information des usagers",
        msg("Users have what they need to take part."),
    ),
    (
        "legal_framework",
        "Supportive legal framework",
        "Cadre juridique favorable",
        msg("The law enables the partnership."),
    ),
    ("other", "Other", "Autre", msg("Any other success factor.")),
)

EVIDENCE_LEVEL = _vocab(
    "evidence_level",
    "Evidence level",
    "Niveau de preuve",
    False,
    ("none", "No evaluation yet", "Pas encore d'évaluation", msg("Results are not known yet.")),
    (
        "anecdotal",
        "Testimonies, anecdotes",
        "Témoignages, anecdotes",
        msg("Stories from those involved."),
    ),
    (
        "monitoring",
        "Routine monitoring data",
        "Données de suivi courantes",
        msg("Figures collected as the service runs."),
    ),
    (
        "evaluation",
        "Independent evaluation",
        "Évaluation indépendante",
        msg("Assessed by an independent evaluator."),
    ),
    (
        "experimental",
        "Controlled or quasi-experimental study",
        "Étude contrôlée ou quasi expérimentale",
        msg("Compared against a control group."),
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
}

# Languages with their own stemming; any other ISO 639-1 code is accepted too.
STEMMED_LANGUAGES = ("en", "fr")

STATUSES = ("draft", "submitted", "published", "rejected", "withdrawn", "deleted")


def as_json(locale_labels: tuple[str, ...] = ("en", "fr")) -> dict:
    """Every vocabulary as plain data, for the API and the OpenAPI document."""
    return {
        v.name: {
            "label": {loc: v.title(loc) for loc in locale_labels},
            "multiple": v.multiple,
            "terms": [
                {
                    "code": t.code,
                    "label": {loc: t.label(loc) for loc in locale_labels},
                    "description": t.description,
                    **({"cofog": t.cofog} if v is SECTOR else {}),
                }
                for t in v.terms
            ],
        }
        for v in VOCABULARIES.values()
    }
