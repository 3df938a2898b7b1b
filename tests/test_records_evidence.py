"""Case records (issue 16), results and evidence: typed sources (old untyped ones read as
`other`), key results, and the evidence level checked against the typed sources."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from registry import initiatives
from registry.db import read_session
from registry.models import Initiative
from registry.schemas import ValidationFailed, validate_initiative
from registry.transfer.importing import read_bytes

from .conftest import run_import, valid_record
from .test_contribute_pages import form_data, post_form
from .test_transfer import engine_of, other_app, records_of  # noqa: F401 (fixture)

REPORT = {"type": "evaluation_report", "title": "Evaluation; 2021", "url": "https://example.org/e"}
RESULTS = [
    {"indicator": "Emergency admissions", "value": "-23 %", "period": "2019-2021",
     "source_url": "https://example.org/e"},
    {"indicator": "Volunteers trained", "value": "140", "period": "", "source_url": ""},
]  # fmt: skip
EVALUATED = {"evidence_level": "evaluation", "sources": [REPORT], "key_results": RESULTS}


def test_an_untyped_source_is_other_and_a_type_may_be_a_code_in_any_case():
    valid = validate_initiative(valid_record(sources=[
        {"title": "Page", "url": "https://example.org/p"},
        {"title": "Film", "url": "https://example.org/f", "type": "VIDEO"},
    ]))  # fmt: skip
    assert [s.type for s in valid.sources] == ["other", "video"]


@pytest.mark.parametrize("level", ["evaluation", "experimental"])
def test_claiming_an_evaluation_requires_naming_a_report_or_a_study(level):
    news = {"type": "news", "title": "Article", "url": "https://example.org/n"}
    with pytest.raises(ValidationFailed) as caught:
        validate_initiative(valid_record(evidence_level=level, sources=[news]))
    assert "evaluation report" in str(caught.value.fields["evidence_level"][0])
    study = {**news, "type": "academic_study"}
    assert validate_initiative(valid_record(evidence_level=level, sources=[study]))


def test_lower_evidence_levels_need_no_report():
    assert validate_initiative(valid_record(evidence_level="monitoring"))


@pytest.mark.parametrize(
    ("results", "where", "message"),
    [
        ([{"indicator": "Admissions"}], "item 0.value", "required"),
        ([{"indicator": "A", "value": "1", "source_url": "ftp://x"}], "item 0.source_url",
         "http:// or https://"),
        (["a result"], "item 0", "an indicator and a value"),
        ([{"indicator": "A", "value": "1", "colour": "red"}], "item 0.colour", "unknown field"),
        ([{"indicator": "A", "value": "1"}] * 31, "", "at most 30 items"),
        ("not a list", "", "valid list"),
    ],
)  # fmt: skip
def test_bad_key_results_get_a_clear_error(results, where, message):
    with pytest.raises(ValidationFailed) as caught:
        validate_initiative(valid_record(key_results=results))
    text = " ".join(str(m) for m in caught.value.fields["key_results"])
    assert where in text and message in text, text


def test_the_api_takes_and_gives_typed_sources_and_key_results(client, users, api_token, app):
    owner = api_token(users["submitter"].email)
    created = client.post("/api/v1/initiatives", json=valid_record(**EVALUATED), headers=owner)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["sources"] == [REPORT] and body["key_results"] == RESULTS
    refused = client.post(
        "/api/v1/initiatives",
        json=valid_record(**{**EVALUATED, "sources": [{**REPORT, "type": "rumour"}]}),
        headers=owner,
    )
    assert refused.status_code == 422
    assert "unknown code rumour" in str(refused.get_json()["error"]["fields"]["sources"])
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Initiative)) == 1


def test_the_form_reads_typed_sources_and_key_results_and_shows_them_again(sign_in, users, app):
    owner = sign_in(users["submitter"].email)
    data = form_data(
        evidence_level="evaluation",
        sources="Rapport d'évaluation | Evaluation; 2021 | https://example.org/e\n"
        "Plain page | https://example.org/p",
        key_results="Emergency admissions | -23 % | 2019-2021 | https://example.org/e\n"
        "Volunteers trained | 140",
    )
    saved = post_form(owner, "/my/initiatives/new", data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    new_id = int(saved.headers["Location"].split("/initiatives/")[1].split("/")[0])
    with read_session(engine_of(app)) as s:
        record = initiatives.to_record(s.get(Initiative, new_id))
    assert record["sources"] == [REPORT, {"title": "Plain page", "url": "https://example.org/p",
                                          "type": "other"}]  # fmt: skip
    assert record["key_results"] == RESULTS
    edit = owner.get(f"/my/initiatives/{new_id}/edit").get_data(as_text=True)
    assert "Evaluation report | Evaluation; 2021 | https://example.org/e" in edit
    assert "Emergency admissions | -23 % | 2019-2021 | https://example.org/e" in edit


def test_the_form_refuses_a_claimed_evaluation_without_its_report_and_saves_nothing(
    sign_in, users, app
):
    owner = sign_in(users["submitter"].email)
    response = post_form(owner, "/my/initiatives/new", form_data(evidence_level="evaluation"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = re.search(r'id="field-evidence_level"(.*?)</div>', html, re.S)
    assert block and "evaluation report" in block.group(1)
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).select_from(Initiative)) == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_keeps_types_and_key_results(
    client,
    other_app,  # noqa: F811
    make_initiative,
    app,
    fmt,
):
    make_initiative(title="Evaluated walks", **EVALUATED)
    make_initiative(title="Pages", sources=[{"title": "[PDF] Page", "url": "https://e.org/p"}])
    exported = client.get(f"/export/initiatives.{fmt}").data
    run_import(engine_of(other_app), read_bytes(exported, fmt), publish=True)
    source, copied = records_of(app), records_of(other_app)
    for slug, record in source.items():
        assert copied[slug]["sources"] == record["sources"]
        assert copied[slug]["key_results"] == record["key_results"]
    assert copied["pages"]["sources"][0]["title"] == "[PDF] Page"


def test_csv_sources_without_a_type_are_other_and_labels_name_types():
    header = "title,summary,country,sector,stages,maturity,evidence_level,sources,key_results\n"
    row = ('Ateliers,Des ateliers.,FR,health,deliver,pilot,evaluation,'
           '"[Rapport d\'évaluation] Bilan <https://e.org/b>; Page <https://e.org/p>",'
           '"[{""indicator"": ""Ateliers"", ""value"": ""12""}]"\n')  # fmt: skip
    [parsed] = read_bytes((header + row).encode(), "csv")
    valid = validate_initiative(parsed.record)
    assert [s.type for s in valid.sources] == ["evaluation_report", "other"]
    assert valid.key_results[0].value == "12"


def test_the_page_shows_key_results_and_source_types_in_both_languages(client, make_initiative):
    new_id = make_initiative(**EVALUATED)
    page = client.get(f"/initiatives/{new_id}/x", follow_redirects=True).get_data(as_text=True)
    for text in ("Key results", "Emergency admissions", "-23 %", "2019-2021", "Evaluation report"):
        assert text in page, text
    french = client.get(
        f"/initiatives/{new_id}/x", headers={"Accept-Language": "fr"}, follow_redirects=True
    ).get_data(as_text=True)
    for text in ("Principaux résultats", "Indicateur", "Rapport d&#39;évaluation"):
        assert text in french, text
