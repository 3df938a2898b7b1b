"""The API's shared behaviour: JSON errors of the contract, records with their address."""

from __future__ import annotations

from registry.transfer.csv_format import CASE_COLUMNS


def test_published_record_has_exactly_the_contract_fields(client, make_initiative):
    """The public record of docs/api.md, "An initiative": every field, and no other."""
    new_id = make_initiative(tags=["volunteers"])
    body = client.get(f"/api/v1/initiatives/{new_id}").get_json()
    expected = {
        "id", "slug", "url", "title", "summary", "description", "language", "country",
        "region", "locality", "sector", "stages", "maturity", "start_year", "mainstreamed_year",
        "end_year", "operating_status", "integrated_from_start", "participants", "contributions",
        "motives", "obstacles", "success_factors", "evidence_level", "outcomes",
        "lead_organisation", "partners", "tags", "sources",
        "external_id", "organisation", "status", "version", "illustrative", "created_at",
        "updated_at", "published_at",
    }  # fmt: skip
    expected |= set(CASE_COLUMNS)  # case records (issue 16)
    assert set(body) == expected
    assert body["url"].endswith(f"/initiatives/{new_id}/{body['slug']}")
    assert body["created_at"].endswith("Z") and body["status"] == "published"


def test_draft_is_404_for_the_public(client, make_initiative):
    new_id = make_initiative(status="draft")
    response = client.get(f"/api/v1/initiatives/{new_id}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_api_route_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json
    assert set(response.get_json()["error"]) >= {"code", "message"}


def test_huge_ids_are_404_not_500(client):
    for url in ("/api/v1/initiatives/99999999999999999999", "/initiatives/99999999999999999999"):
        assert client.get(url).status_code == 404, url
