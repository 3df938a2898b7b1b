"""Each validation rule of api.md, with its message."""

from __future__ import annotations

import pytest

from registry.schemas import NEXT_YEAR, ValidationFailed, slugify, validate_initiative

from .conftest import valid_record


def failing(**overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        validate_initiative(valid_record(**overrides))
    return caught.value.fields


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "ab"}, "title", "at least 3 characters"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"summary": ""}, "summary", "at least 1 character"),
        ({"summary": "x" * 601}, "summary", "at most 600 characters"),
        ({"country": "XX"}, "country", "not an ISO 3166-1 alpha-2 country code"),
        ({"country": "France"}, "country", "not an ISO 3166-1 alpha-2 country code"),
        ({"sector": "police"}, "sector", "unknown code police"),
        ({"stages": []}, "stages", "choose at least one"),
        ({"stages": ["deliver", "cook"]}, "stages", "unknown code cook"),
        ({"maturity": "mature"}, "maturity", "unknown code mature"),
        ({"language": "xx"}, "language", "not an ISO 639-1 language code"),
        ({"start_year": 1899}, "start_year", "greater than or equal to 1900"),
        ({"start_year": NEXT_YEAR + 1}, "start_year", f"less than or equal to {NEXT_YEAR}"),
        ({"start_year": "2010"}, "start_year", "valid integer"),
        ({"mainstreamed_year": 2012}, "mainstreamed_year", "only integrated initiatives"),
        (
            {"maturity": "integrated", "start_year": 2012, "mainstreamed_year": 2010},
            "mainstreamed_year",
            "must not be before the start year",
        ),
        ({"start_year": 2012, "end_year": 2010}, "end_year", "must not be before"),
        ({"motives": ["fun"]}, "motives", "unknown code fun"),
        ({"evidence_level": "proof"}, "evidence_level", "unknown code proof"),
        ({"operating_status": "paused"}, "operating_status", "unknown code paused"),
        (
            {"operating_status": "ongoing", "start_year": 2010, "end_year": 2014},
            "end_year",
            "an ongoing initiative has no end year",
        ),
        ({"integrated_from_start": True}, "integrated_from_start", "only an integrated"),
        (
            {"maturity": "integrated", "integrated_from_start": True, "mainstreamed_year": 2015},
            "integrated_from_start",
            "has no mainstreaming year",
        ),
        ({"integrated_from_start": "perhaps"}, "integrated_from_start", "true or false"),
        ({"sources": [{"title": "x", "url": "javascript:alert(1)"}]}, "sources", "http"),
        ({"sources": [{"title": "x"}]}, "sources", "required"),
        ({"colour": "blue"}, "colour", "unknown field"),
        ({"slug": "Not A Slug"}, "slug", "pattern"),
    ],
)
def test_each_rule_has_a_clear_message(overrides, field, message):
    fields = failing(**overrides)
    assert field in fields
    assert any(message in m for m in fields[field]), fields[field]


def test_missing_required_fields_are_all_listed_at_once():
    with pytest.raises(ValidationFailed) as caught:
        validate_initiative({})
    assert set(caught.value.fields) == {
        "title", "summary", "country", "sector", "stages", "maturity",
    }  # fmt: skip
    assert all(m == ["this field is required"] for m in caught.value.fields.values())


def test_non_object_is_rejected():
    with pytest.raises(ValidationFailed):
        validate_initiative(["not", "an", "object"])


def test_input_is_normalised():
    valid = validate_initiative(
        valid_record(
            country="ca",
            sector="HEALTH",
            stages=["deliver", "plan", "deliver"],
            tags=["  Patients ", "patients", "Dialysis"],
            title="  Self-dialysis\x00 at home  ",
        )
    )
    assert valid.country == "CA" and valid.sector == "health"
    assert valid.stages == ["plan", "deliver"]
    assert valid.tags == ["dialysis", "patients"]
    assert valid.title == "Self-dialysis at home"


def test_status_and_pathway_are_accepted():
    ended = validate_initiative(
        valid_record(operating_status="Absorbed", start_year=2010, end_year=2016)
    )
    assert (ended.operating_status, ended.end_year) == ("absorbed", 2016)
    founded = validate_initiative(valid_record(maturity="integrated", integrated_from_start=True))
    assert founded.integrated_from_start and founded.mainstreamed_year is None


def test_integrated_timeline_is_accepted():
    valid = validate_initiative(
        valid_record(maturity="integrated", start_year=2005, mainstreamed_year=2009, end_year=2020)
    )
    assert (valid.start_year, valid.mainstreamed_year, valid.end_year) == (2005, 2009, 2020)


def test_slugify_keeps_ascii_words():
    assert slugify("Santé & parentalité : l'éducation!") == "sante-parentalite-l-education"
    assert slugify("!!!") == "initiative"
