"""The curators' upload page: the same all-or-nothing import as `registry import`, through a
browser form, on real files, on SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from registry import accounts, initiatives
from registry.db import read_session
from registry.models import ChangeLog, Initiative, Revision
from registry.transfer import importing

from .conftest import PASSWORD, create_people, csrf_from

URL = "/curate/import"
HEADER = "external_id,title,summary,country,sector,stages,maturity\r\n"
GOOD_ROWS = (
    "imp-1,Walking buses for school,Parents walk children to school.,FR,education,deliver,pilot\r\n"
    "imp-2,Patient panels on the ward,Patients review the ward.,CA,health,evaluate,integrated\r\n"
)
GOOD_CSV = (HEADER + GOOD_ROWS).encode()
# Row 2 is fine; rows 3 and 4 fail, row 4 on two fields: the page must show all three problems.
BAD_CSV = (
    HEADER
    + GOOD_ROWS.splitlines(keepends=True)[0]
    + "imp-2,Patient panels,Patients review.,XX,health,evaluate,integrated\r\n"
    + "imp-3,Bus stops,Riders choose.,FR,transport,nowhere,someday\r\n"
).encode()


def counts(app: Flask) -> tuple[int, int, int]:
    with read_session(app.extensions["registry"].engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(table))
            for table in (Initiative, Revision, ChangeLog)
        )


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def report_rows(response) -> list[tuple[str, str, str]]:
    """(row, field, reason) of each line of the page's problem table."""
    body = response.get_data(as_text=True)
    table = re.search(r'<table class="import-report">.*?</table>', body, re.S)
    assert table, "the page has no report table"
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(0))
    return [tuple(html.unescape(re.sub(r"<[^>]+>", "", c)) for c in row) for row in cells]


@pytest.fixture
def people(any_app) -> dict[str, accounts.Principal]:
    """A submitter, a curator and an admin in the database of `any_app`."""
    return create_people(
        any_app.extensions["registry"].engine,
        {
            role: (f"{role}@import.example", role, "Org")
            for role in ("submitter", "curator", "admin")
        },
    )


@pytest.fixture
def browser(any_app, people):
    """browser(role) -> a client signed in through the form; browser(None) -> anonymous."""

    def make(role: str | None) -> FlaskClient:
        client = any_app.test_client()
        if role is None:
            return client
        token = csrf_from(client.get("/sign-in").get_data(as_text=True))
        response = client.post(
            "/sign-in",
            data={"email": f"{role}@import.example", "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        return client

    return make


@pytest.fixture
def curator(browser) -> FlaskClient:
    return browser("curator")


def post_form(client: FlaskClient, fields: dict, content: bytes | None, name: str):
    """A multipart POST as a browser sends it: no file chosen gives an empty, unnamed part.
    Encoded in memory (the test client spools large bodies to a file it never closes)."""
    file = FileStorage(io.BytesIO(content or b""), filename=name if content is not None else "")
    boundary, body = encode_multipart({**fields, "file": file})
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client: FlaskClient, content: bytes | None, name: str = "batch.csv", **fields):
    """POST the page's form with the CSRF token of the page just shown."""
    token = csrf_from(client.get(URL).get_data(as_text=True))
    return post_form(client, {"csrf_token": token, **fields}, content, name)


def search_total(client: FlaskClient, q: str) -> int:
    return client.get("/api/v1/initiatives", query_string={"q": q}).get_json()["total"]


# --- Importing --------------------------------------------------------------------------------


def test_upload_creates_published_records_with_revisions_found_by_search(any_app, people, curator):
    response = upload(curator, GOOD_CSV, publish="y")
    assert response.status_code == 200
    page = text_of(response)
    assert "2 created, 0 updated, 0 unchanged" in page
    with read_session(any_app.extensions["registry"].engine) as s:
        records = {i.external_id: i for i in s.scalars(select(Initiative))}
        assert set(records) == {"imp-1", "imp-2"}
        assert {i.status for i in records.values()} == {"published"}
        revisions = s.scalars(select(Revision)).all()
        assert {r.initiative_id for r in revisions} == {i.id for i in records.values()}
        assert {r.user_id for r in revisions} == {people["curator"].id}  # who uploaded it
        for i in records.values():
            assert f'href="/initiatives/{i.id}/{i.slug}"' in response.get_data(as_text=True)
    assert search_total(any_app.test_client(), "walking buses") == 1
    assert search_total(any_app.test_client(), "panels") == 1


def test_upload_without_publishing_makes_drafts_kept_out_of_search(any_app, curator):
    response = upload(curator, GOOD_CSV)
    assert response.status_code == 200
    assert "New initiatives are drafts" in text_of(response)
    with read_session(any_app.extensions["registry"].engine) as s:
        assert set(s.scalars(select(Initiative.status))) == {"draft"}
    assert search_total(any_app.test_client(), "walking buses") == 0
    assert any_app.test_client().get("/export/initiatives.csv").data.count(b"imp-") == 0


def test_a_file_with_bad_rows_writes_nothing_and_shows_every_problem(any_app, curator):
    before = counts(any_app)
    response = upload(curator, BAD_CSV, publish="y")
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was imported" in page and "2 rows failed" in page
    expected = importing.check(importing.read_bytes(BAD_CSV, "csv"))  # the CLI's own report
    assert len(expected) == 3
    assert report_rows(response) == [(p.row, p.field, p.message) for p in expected]
    assert {row for row, _, _ in report_rows(response)} == {"row 3", "row 4"}
    assert counts(any_app) == before
    assert 'role="alert"' in response.get_data(as_text=True)
    assert '<th scope="col">Reason</th>' in response.get_data(as_text=True)


def test_uploading_the_same_file_again_changes_nothing(any_app, curator):
    assert upload(curator, GOOD_CSV, publish="y").status_code == 200
    after_first = counts(any_app)
    again = upload(curator, GOOD_CSV, publish="y")
    assert again.status_code == 200
    assert "0 created, 0 updated, 2 unchanged" in text_of(again)
    assert counts(any_app) == after_first
    changed = GOOD_CSV.replace(b"Patients review the ward.", b"Patients review the whole ward.")
    third = upload(curator, changed, publish="y")
    assert "0 created, 1 updated, 1 unchanged" in text_of(third)
    initiatives_, revisions, _ = counts(any_app)
    assert (initiatives_, revisions) == (after_first[0], after_first[1] + 1)


def test_json_upload_goes_through_the_same_import(any_app, curator):
    records = [
        {"external_id": "j-1", "title": "Repair cafés", "summary": "Neighbours fix things.",
         "country": "BE", "sector": "environment", "stages": ["deliver"], "maturity": "pilot"}
    ]  # fmt: skip
    response = upload(curator, json.dumps(records).encode(), "batch.json")
    assert response.status_code == 200
    assert "1 created" in text_of(response)
    assert counts(any_app)[0] == 1


# --- Who may use it ---------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(any_app, browser):
    response = browser(None).get(URL)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(("role", "status"), [("submitter", 403), ("curator", 200), ("admin", 200)])
def test_only_curators_and_admins_may_import(any_app, browser, role, status):
    client = browser(role)
    assert client.get(URL).status_code == status
    # A submitter's POST carries a valid token (from another page) and is still refused.
    token = csrf_from(client.get("/account").get_data(as_text=True))
    response = post_form(client, {"csrf_token": token}, GOOD_CSV, "batch.csv")
    assert response.status_code == status
    assert counts(any_app)[0] == (0 if status == 403 else 2)


def test_the_page_is_linked_for_curators_only(any_app, browser):
    curator, submitter = browser("curator"), browser("submitter")
    for page in ("/review", "/account", "/export"):
        assert f'href="{URL}"' in curator.get(page).get_data(as_text=True), page
    for page in ("/account", "/export"):
        assert URL not in submitter.get(page).get_data(as_text=True), page
    assert URL not in browser(None).get("/export").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "forged"])
def test_an_upload_without_the_csrf_token_is_refused(any_app, curator, token):
    fields = {"publish": "y", **({"csrf_token": token} if token else {})}
    response = post_form(curator, fields, GOOD_CSV, "batch.csv")
    assert response.status_code == 400
    assert "CSRF" in text_of(response)
    assert counts(any_app)[0] == 0


# --- Files that are not what they should be ----------------------------------------------------


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


BAD_FILES = {
    "missing file": (None, "", "Choose a file to import."),
    "empty file": (b"", "batch.csv", "batch.csv: the file is empty"),
    "blank lines only": (b"\xef\xbb\xbf\r\n  \r\n", "batch.csv", "the file is empty"),
    "spreadsheet name": (GOOD_CSV, "batch.xlsx", "The file must end in .csv or .json."),
    "no extension": (GOOD_CSV, "batch", "The file must end in .csv or .json."),
    "spreadsheet saved as .csv": (_zip(), "batch.csv", "not a text file"),
    "UTF-16 text": (("\ufeff" + HEADER + GOOD_ROWS).encode("utf-16-le"), "batch.csv", "UTF-16"),
    "JSON not in UTF-8": ('[{"title": "Café"}]'.encode("latin-1"), "batch.json", "not valid JSON"),
    "not JSON at all": (b"title,summary\nA,B\n", "batch.json", "not valid JSON"),
    "JSON object": (b'{"title": "A"}', "batch.json", "expected a list of initiatives"),
    "prose, not CSV": (b"Dear curator, here are our projects.\n", "batch.csv", "first line"),
    "header only": (HEADER.encode(), "batch.csv", "no initiatives"),
    "unknown column": (b"title,budget\nA,100\n", "batch.csv", "unknown column(s): budget"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_each_bad_file_gets_a_clear_message_and_writes_nothing(any_app, curator, case):
    content, name, message = BAD_FILES[case]
    response = upload(curator, content, name, publish="y")
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert "aria-invalid" in page or "Nothing was imported" in page
    assert counts(any_app) == (0, 0, 0)


def test_a_file_over_the_size_limit_gets_a_clear_413_page(any_app, curator):
    limit = any_app.config["MAX_CONTENT_LENGTH"]
    big = GOOD_CSV + b"x" * limit
    response = upload(curator, big, publish="y")
    assert response.status_code == 413
    page = text_of(response)
    assert f"at most {limit / 1_048_576:.3g} MB" in page
    assert 'name="file"' in page  # the form is there to try again
    assert counts(any_app) == (0, 0, 0)


def test_a_huge_upload_from_a_submitter_is_refused_without_the_form(any_app, browser):
    client = browser("submitter")
    token = csrf_from(client.get("/account").get_data(as_text=True))
    big = b"x" * (any_app.config["MAX_CONTENT_LENGTH"] + 1)
    response = post_form(client, {"csrf_token": token}, big, "batch.csv")
    assert response.status_code == 413
    assert 'name="file"' not in response.get_data(as_text=True)


# --- Files that are fine though unusual --------------------------------------------------------


def test_utf8_with_bom_is_read(any_app, curator):
    content = b"\xef\xbb\xbf" + GOOD_CSV.replace(b"Walking", "Pédibus".encode())
    response = upload(curator, content)
    assert response.status_code == 200, text_of(response)
    with read_session(any_app.extensions["registry"].engine) as s:
        assert "Pédibus buses for school" in set(s.scalars(select(Initiative.title)))


def test_excel_csv_in_windows_1252_with_semicolons_and_labels_is_read(any_app, curator):
    content = (
        "Title;Summary;Country;Sector;Stages;Maturity;Tags\r\n"
        "Café des aidants ; Des aidants co-animent des rencontres. ;France;Santé;"
        '"Concevoir; Évaluer";Projet pilote;aidants\r\n'
    ).encode("cp1252")
    response = upload(curator, content, "EXPORT.CSV")
    assert response.status_code == 200, text_of(response)
    with read_session(any_app.extensions["registry"].engine) as s:
        record = initiatives.to_record(s.scalars(select(Initiative)).one())
    assert record["title"] == "Café des aidants"
    assert (record["country"], record["sector"], record["maturity"]) == ("FR", "health", "pilot")
    assert record["stages"] == ["design", "evaluate"]
