"""Case records (issue 16): scale, money, context, lessons, website and contact point, through
validation, the form, the API, import and export, search and the record page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from registry import initiatives
from registry.db import read_session
from registry.models import Initiative
from registry.schemas import ValidationFailed, validate_initiative
from registry.transfer import csv_format
from registry.transfer.importing import ImportFailed, read_bytes

from .conftest import run_import, valid_record
from .test_contribute_pages import form_data, post_form
from .test_transfer import engine_of, other_app, records_of  # noqa: F401 (fixture)

CASE = {
    "participant_count": 1200,
    "participant_count_year": 2022,
    "population_served": 48_000,
    "population_served_year": 2021,
    "volunteer_count": 85,
    "volunteer_count_year": 2022,
    "staff_count": 4,
    "staff_count_year": 2022,
    "annual_cost": 250_000,
    "annual_cost_currency": "EUR",
    "annual_cost_year": 2022,
    "funding_sources": ["local", "foundation", "in_kind"],
    "savings_amount": 90_000,
    "savings_currency": "EUR",
    "savings_text": "Fewer emergency call-outs; 1 ambulance; shift saved",
    "savings_source": "https://example.org/savings.pdf",
    "level_of_government": "local",
    "delivery_mode": "both",
    "initiated_by": "jointly",
    "lessons": "Start small.\n\n- train volunteers first; then open",
    "challenges": "Keeping volunteers after the *first* year.",
    "website": "https://example.org/walks",
    "contact_name": "Volunteer coordinator",
    "contact_organisation": "Ville de Lyon",
    "contact_email": "walks@example.org",
    "contact_url": "https://example.org/contact",
    "contact_consent": True,
}


def test_a_full_case_record_is_valid_and_codes_are_normalised():
    valid = validate_initiative(
        valid_record(**{**CASE, "annual_cost_currency": "eur", "delivery_mode": "BOTH"})
    )
    assert valid.annual_cost_currency == "EUR" and valid.delivery_mode == "both"
    assert valid.funding_sources == ["local", "foundation", "in_kind"]  # vocabulary order


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"participant_count": 10}, "participant_count_year", "give the year"),
        ({"staff_count_year": 2020}, "staff_count", "give the figure"),
        ({"volunteer_count": -1, "volunteer_count_year": 2020}, "volunteer_count", "greater than"),
        ({"population_served": "many", "population_served_year": 2020}, "population_served",
         "valid integer"),
        ({"annual_cost": 10, "annual_cost_year": 2020}, "annual_cost_currency", "currency"),
        ({"annual_cost": 10, "annual_cost_year": 2020, "annual_cost_currency": "EUX"},
         "annual_cost_currency", "ISO 4217"),
        ({"savings_currency": "EUR"}, "savings_amount", "give the amount"),
        ({"savings_source": "https://example.org/s"}, "savings_source", "say what savings"),
        ({"funding_sources": ["lottery"]}, "funding_sources", "unknown code lottery"),
        ({"level_of_government": "galactic"}, "level_of_government", "unknown code"),
        ({"delivery_mode": "post"}, "delivery_mode", "unknown code"),
        ({"initiated_by": "robots"}, "initiated_by", "unknown code"),
        ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
        ({"contact_email": "a@b.org"}, "contact_consent", "only with consent"),
        ({"contact_name": "Coordinator", "contact_consent": True}, "contact_email",
         "e-mail address or a contact page"),
        ({"contact_email": "not-an-address", "contact_consent": True}, "contact_email",
         "must be an e-mail address"),
        ({"lessons": "x\x00y"}, "lessons", "not allowed"),
        ({"annual_cost": 10**13, "annual_cost_year": 2020, "annual_cost_currency": "EUR"},
         "annual_cost", "less than or equal"),
    ],
)  # fmt: skip
def test_bad_case_fields_get_a_clear_field_error(changes, field, message):
    with pytest.raises(ValidationFailed) as caught:
        validate_initiative(valid_record(**changes))
    assert field in caught.value.fields, caught.value.fields
    assert any(message in str(m) for m in caught.value.fields[field]), caught.value.fields


def test_the_api_takes_and_gives_every_case_field_and_refuses_bad_ones(
    client, users, api_token, app
):
    owner = api_token(users["submitter"].email)
    created = client.post("/api/v1/initiatives", json=valid_record(**CASE), headers=owner)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert {k: body[k] for k in CASE} == CASE
    assert body["contact_consent_at"] is None or body["contact_consent_at"].endswith("Z")
    with read_session(engine_of(app)) as s:
        before = s.scalar(select(func.count()).select_from(Initiative))
    refused = client.post(
        "/api/v1/initiatives",
        json=valid_record(**{**CASE, "annual_cost_currency": None}),
        headers=owner,
    )
    assert refused.status_code == 422
    assert "annual_cost_currency" in refused.get_json()["error"]["fields"]
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Initiative)) == before


def test_consent_is_stamped_when_the_contact_point_goes_live(make_initiative, client):
    new_id = make_initiative(**CASE)
    body = client.get(f"/api/v1/initiatives/{new_id}").get_json()
    assert body["contact_consent"] is True and body["contact_consent_at"].endswith("Z")


def _case_form(**overrides):
    data = form_data(**{k: ("y" if v is True else v) for k, v in CASE.items()})
    for name, value in CASE.items():
        if isinstance(value, int) and not isinstance(value, bool):
            data[name] = str(value)
    data.update(overrides)
    return data


def test_the_form_saves_every_case_field_and_shows_them_again(sign_in, users, app):
    owner = sign_in(users["submitter"].email)
    saved = post_form(owner, "/my/initiatives/new", _case_form())
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    new_id = int(saved.headers["Location"].split("/initiatives/")[1].split("/")[0])
    with read_session(engine_of(app)) as s:
        record = initiatives.to_record(s.get(Initiative, new_id))
    assert {k: record[k] for k in CASE} == CASE
    edit = owner.get(f"/my/initiatives/{new_id}/edit").get_data(as_text=True)
    assert 'value="250000"' in edit and 'value="walks@example.org"' in edit
    assert re.search(r'value="foundation"\s+checked', edit)
    assert re.search(r'<option value="jointly"\s+selected', edit)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("annual_cost", "lots", "whole number in figures"),
        ("annual_cost_currency", "", "give the currency"),
        ("participant_count_year", "", "give the year"),
        ("contact_consent", "", "only with consent"),
        ("website", "example.org", "http:// or https://"),
    ],
)
def test_the_form_shows_each_case_error_next_to_its_field_and_saves_nothing(
    sign_in, users, app, field, value, message
):
    owner = sign_in(users["submitter"].email)
    data = _case_form(**{field: value})
    if value == "":
        data.pop(field)
    with read_session(engine_of(app)) as s:
        before = s.scalar(select(func.count()).select_from(Initiative))
    response = post_form(owner, "/my/initiatives/new", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="e-{field}">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Initiative)) == before


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_keeps_every_case_field(client, other_app, make_initiative, app, fmt):  # noqa: F811
    make_initiative(**CASE, title="Walks with every case field")
    make_initiative(title="A record with no case fields")
    exported = client.get(f"/export/initiatives.{fmt}").data
    summary = run_import(engine_of(other_app), read_bytes(exported, fmt), publish=True)
    assert len(summary.created) == 2
    source, copied = records_of(app), records_of(other_app)
    for slug, record in source.items():
        for name in (*CASE, "contact_consent_at"):
            if name != "contact_consent_at":
                assert copied[slug][name] == record[name], (slug, name)
    again = run_import(engine_of(other_app), read_bytes(exported, fmt), publish=True)
    assert len(again.unchanged) == 2


def test_csv_import_reads_labels_of_the_new_vocabularies_in_french():
    header = "title,summary,country,sector,stages,maturity,funding_sources,delivery_mode,"
    header += "level_of_government,annual_cost,annual_cost_currency,annual_cost_year\n"
    row = "Ateliers,Des ateliers.,FR,health,deliver,pilot,Collectivités locales; En nature,"
    row += "En présentiel et en ligne,Local,12000.0,eur,2021\n"
    [parsed] = read_bytes((header + row).encode(), "csv")
    valid = validate_initiative(parsed.record)
    assert valid.funding_sources == ["local", "in_kind"]
    assert (valid.delivery_mode, valid.level_of_government) == ("both", "local")
    assert (valid.annual_cost, valid.annual_cost_currency) == (12000, "EUR")


def test_an_import_with_a_bad_case_field_writes_nothing(app):
    header = "title,summary,country,sector,stages,maturity,staff_count\n"
    data = (header + "Ateliers,Des ateliers.,FR,health,deliver,pilot,12\n").encode()
    with pytest.raises(ImportFailed) as caught:
        run_import(app, read_bytes(data, "csv"))
    assert any(p.field == "staff_count_year" for p in caught.value.problems)
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Initiative)) == 0


def test_the_case_columns_are_part_of_the_csv_shape():
    assert set(csv_format.CASE_COLUMNS) <= set(csv_format.COLUMNS)
    assert "contact_consent_at" in csv_format.READ_ONLY


def test_the_record_page_shows_scale_money_context_lessons_and_contact_in_both_languages(
    client, make_initiative
):
    new_id = make_initiative(**CASE)
    english = client.get(f"/initiatives/{new_id}/x", follow_redirects=True).get_data(as_text=True)
    shown = ("1,200", "48,000", "250,000\u00a0EUR", "Lessons learned", "Start small",
             "Challenges", "walks@example.org", "Whom to ask", "Face to face and online",
             "Foundation or charity", "https://example.org/walks", "90,000\u00a0EUR")  # fmt: skip
    for text in shown:
        assert text in english, text
    french = client.get(
        f"/initiatives/{new_id}/x", headers={"Accept-Language": "fr"}, follow_redirects=True
    ).get_data(as_text=True)
    for text in ("1\u202f200", "Enseignements", "Difficultés", "Qui contacter",
                 "En présentiel et en ligne", "Fondation ou association caritative"):  # fmt: skip
        assert text in french, text


def test_without_a_contact_point_the_page_has_no_contact_block(client, make_initiative):
    new_id = make_initiative(title="A record with no contact")
    page = client.get(f"/initiatives/{new_id}/x", follow_redirects=True).get_data(as_text=True)
    assert "Whom to ask" not in page


def test_lessons_and_challenges_are_searched(client, make_initiative):
    make_initiative(title="Walks", lessons="Volunteers need a zymurgical induction.")
    make_initiative(title="Patrols", challenges="Keeping the quokka volunteers.")
    for word, title in (("zymurgical", "Walks"), ("quokka", "Patrols")):
        found = client.get(f"/api/v1/initiatives?q={word}").get_json()
        assert [r["title"] for r in found["results"]] == [title], found
