"""Case records (issue 16): completeness (computed in one place, stored, shown, a search facet
and filter, a curators' list) and last verified (the confirm action, the two-year mark)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from registry import actions, completeness, initiatives
from registry.actions.errors import Forbidden, InvalidMove
from registry.db import read_session, write_session
from registry.models import Initiative, Revision

from .conftest import csrf_from, valid_record
from .test_records_case import CASE
from .test_records_evidence import EVALUATED
from .test_transfer import engine_of

FULL = {
    **CASE, **EVALUATED, "description": "A long description. " * 20, "locality": "Lyon",
    "start_year": 2015, "operating_status": "ongoing", "lead_organisation": "Ville de Lyon",
    "participants": ["citizens"], "contributions": ["time"], "outcomes": "Fewer falls.",
}  # fmt: skip


def test_the_score_counts_what_a_record_states():
    assert completeness.score(valid_record()) < 40
    assert completeness.score(FULL) == 100
    assert completeness.bucket(completeness.score(FULL)) == "high"
    lacking = completeness.missing({**FULL, "lessons": "", "website": "", "contact_email": "",
                                    "contact_url": ""})  # fmt: skip
    assert [str(m) for m in lacking] == ["lessons learned", "a website or a contact point"]


def test_the_score_is_stored_with_the_live_fields_and_given_by_the_api(make_initiative, client):
    sparse, full = make_initiative(), make_initiative(title="Full record", **FULL)
    scores = {i: client.get(f"/api/v1/initiatives/{i}").get_json()["completeness"]
              for i in (sparse, full)}  # fmt: skip
    assert scores[full] == 100 and scores[sparse] == completeness.score(valid_record())


def test_completeness_is_a_search_facet_and_a_filter_that_agrees_with_exports(
    make_initiative, client
):
    make_initiative(title="Sparse walks")
    make_initiative(title="Complete walks", **FULL)
    found = client.get("/api/v1/initiatives?completeness=high").get_json()
    assert [r["title"] for r in found["results"]] == ["Complete walks"]
    assert found["facets"]["completeness"] == {"high": 1, "low": 1}
    exported = client.get("/export/initiatives.json?completeness=low").get_json()
    assert [r["title"] for r in exported["initiatives"]] == ["Sparse walks"]
    page = client.get("/initiatives?completeness=high").get_data(as_text=True)
    assert "Complete walks" in page and "Well documented" in page


@pytest.mark.parametrize("value", ["perfect", "low,high"])
def test_a_bad_completeness_filter_is_refused(client, value):
    response = client.get(f"/api/v1/initiatives?completeness={value}")
    assert response.status_code == 400
    assert "completeness" in response.get_json()["error"]["fields"]


def test_the_page_shows_the_score_and_what_is_missing_in_both_languages(client, make_initiative):
    new_id = make_initiative()
    english = client.get(f"/initiatives/{new_id}/x", follow_redirects=True).get_data(as_text=True)
    assert (
        "Completeness" in english and "Not stated yet" in english and "lessons learned" in english
    )
    french = client.get(f"/initiatives/{new_id}/x", headers={"Accept-Language": "fr"},
                        follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Complétude" in french and "les enseignements" in french


def _age(app, initiative_id: int, days: int) -> None:
    """Make a record look published `days` ago, never confirmed (a test's own clock)."""
    past = datetime.now(UTC) - timedelta(days=days)
    with engine_of(app).begin() as conn:
        conn.execute(
            text("UPDATE initiative SET published_at = :p, last_verified_at = NULL WHERE id = :i"),
            {"p": past, "i": initiative_id},
        )


def test_owners_confirm_a_record_is_accurate_without_changing_what_the_public_sees(
    app, users, make_owned
):
    new_id = make_owned(users["submitter"], "published")
    with read_session(engine_of(app)) as s:
        before = s.get(Initiative, new_id)
        public_version, version = before.public_version, before.version
    with write_session(engine_of(app)) as s:
        actions.confirm_accurate(s, users["submitter"], new_id, expected_version=version)
    with read_session(engine_of(app)) as s:
        after = s.get(Initiative, new_id)
        assert after.last_verified_at is not None and after.public_version == public_version
        assert after.last_verified_by_id == users["submitter"].id
        last = s.scalar(select(Revision).where(Revision.initiative_id == new_id)
                        .order_by(Revision.number.desc()).limit(1))  # fmt: skip
        assert (last.action, last.changes) == ("confirm_accurate", ["last_verified_at"])


def test_others_cannot_confirm_and_drafts_cannot_be_confirmed(app, users, make_owned):
    published = make_owned(users["submitter"], "published")
    draft = make_owned(users["submitter"], "draft")
    with pytest.raises(initiatives.NotFound), write_session(engine_of(app)) as s:
        actions.confirm_accurate(s, users["other"], draft)
    with pytest.raises(Forbidden), write_session(engine_of(app)) as s:
        actions.confirm_accurate(s, users["other"], published)
    with pytest.raises(InvalidMove), write_session(engine_of(app)) as s:
        actions.confirm_accurate(s, users["submitter"], draft)
    with read_session(engine_of(app)) as s:
        assert s.scalar(select(func.count()).where(Initiative.last_verified_at.is_not(None))) == 0


def test_a_record_unconfirmed_for_two_years_is_marked_listed_and_confirmed_from_its_page(
    app, users, make_owned, sign_in, client
):
    old = make_owned(users["submitter"], "published", title="Old walks")
    make_owned(users["submitter"], "published", title="Recent walks")
    _age(app, old, 800)
    page = client.get(f"/initiatives/{old}/x", follow_redirects=True).get_data(as_text=True)
    assert "Not confirmed for over two years" in page
    curator = sign_in(users["curator"].email)
    listed = curator.get("/curate/records").get_data(as_text=True)
    unverified = listed.split("Least complete")[0]
    assert "Old walks" in unverified and "Recent walks" not in unverified

    owner = sign_in(users["submitter"].email)
    html = owner.get(f"/initiatives/{old}/old-walks", follow_redirects=True).get_data(as_text=True)
    assert "Confirm still accurate" in html
    version = re.search(rf'/my/initiatives/{old}/confirm".*?name="version" value="(\d+)"', html,
                        re.S).group(1)  # fmt: skip
    form = {"csrf_token": csrf_from(html), "version": version}
    done = owner.post(f"/my/initiatives/{old}/confirm", data=form)
    assert done.status_code == 302
    page = client.get(f"/initiatives/{old}/x", follow_redirects=True).get_data(as_text=True)
    assert "Not confirmed for over two years" not in page
    assert "Old walks" not in curator.get("/curate/records").get_data(as_text=True).split(
        "Least complete")[0]  # fmt: skip


def test_the_curators_list_is_for_curators_only(users, sign_in, client):
    assert client.get("/curate/records").status_code in (302, 401)
    submitter = sign_in(users["submitter"].email)
    assert submitter.get("/curate/records").status_code == 403
    assert 'href="/curate/records"' not in submitter.get("/").get_data(as_text=True)


def test_curators_reach_the_list_from_the_header_in_both_languages(users, sign_in):
    curator = sign_in(users["curator"].email)
    for language, label in (("en", "Records to check"), ("fr", "Fiches à vérifier")):
        page = curator.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
        link = re.search(r'<a href="/curate/records"[^>]*>([^<]+)</a>', page)
        assert link and link.group(1) == label, language


def test_the_least_complete_published_records_come_first_and_drafts_never(
    users, make_owned, sign_in
):
    make_owned(users["submitter"], "published", title="Full record", **FULL)
    make_owned(users["submitter"], "published", title="Sparse record")
    make_owned(users["submitter"], "draft", title="Draft record")
    listed = sign_in(users["curator"].email).get("/curate/records").get_data(as_text=True)
    least = listed.split("Least complete")[1]
    assert least.index("Sparse record") < least.index("Full record")
    assert "Draft record" not in listed
