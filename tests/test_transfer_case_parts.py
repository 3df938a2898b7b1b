"""Links and translations in exports and imports (issue 16): an export carries each published
record's links to other published records and its translations; importing it back, into the
same registry or an empty one, gives the same links and translations (a lossless round trip)
through the link and translation actions, and a second import writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry import actions
from registry.db import read_session, write_session
from registry.models import Initiative, InitiativeLink, InitiativeTranslation, Revision
from registry.transfer.importing import ImportFailed, read_bytes

from .conftest import run_import
from .test_records_translations import FRENCH
from .test_transfer import engine_of, other_app  # noqa: F401 (a fixture)


@pytest.fixture
def linked(app, make_initiative) -> dict[str, int]:
    """A published pilot mainstreamed as a published programme, also linked to a draft, and
    translated into French; the programme is translated too."""
    ids = {
        "pilot": make_initiative(title="Pilot walks", slug="pilot-walks", external_id="W-1"),
        "programme": make_initiative(title="Citywide walks", slug="citywide-walks"),
        "draft": make_initiative(status="draft", title="Secret successor", slug="secret"),
    }
    with write_session(engine_of(app)) as s:
        actions.link_records(s, actions.SYSTEM, ids["pilot"], ids["programme"], "mainstreamed_as")
        actions.link_records(s, actions.SYSTEM, ids["programme"], ids["pilot"], "inspired_by")
        actions.link_records(s, actions.SYSTEM, ids["pilot"], ids["draft"], "part_of")
        actions.translate_record(s, actions.SYSTEM, ids["pilot"], "fr", FRENCH)
        actions.translate_record(s, actions.SYSTEM, ids["programme"], "fr",
                                 {**FRENCH, "title": "Marches dans toute la ville"})  # fmt: skip
    return ids


def parts_of(app) -> tuple[set, dict]:
    """(links as (from slug, kind, to slug), translations by (slug, language) as texts)."""
    with read_session(engine_of(app)) as s:
        slug = dict(s.execute(select(Initiative.id, Initiative.slug)).all())
        rows = s.scalars(select(InitiativeLink))
        links = {(slug[r.from_id], r.kind, slug[r.to_id]) for r in rows}
        texts = {
            (slug[t.initiative_id], t.language): (t.title, t.summary, t.description, t.outcomes,
                                                  t.lessons, t.challenges, t.translator)
            for t in s.scalars(select(InitiativeTranslation))
        }  # fmt: skip
    return links, texts


def revisions(app) -> int:
    with read_session(engine_of(app)) as s:
        return s.scalar(select(func.count()).select_from(Revision))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_carries_links_and_translations_and_imports_back_the_same(
    app,
    client,
    other_app,  # noqa: F811 (the fixture imported above)
    linked,
    fmt,
):
    exported = client.get(f"/export/initiatives.{fmt}").data
    assert b"Secret" not in exported  # a link to a draft does not travel
    links, texts = parts_of(app)
    summary = run_import(engine_of(other_app), read_bytes(exported, fmt), publish=True)
    assert len(summary.created) == 2
    copied_links, copied_texts = parts_of(other_app)
    assert copied_links == links - {("pilot-walks", "part_of", "secret")}
    assert copied_texts == texts
    # Importing it again, here or into the registry it came from, writes nothing.
    for target in (other_app, app):
        before = revisions(target)
        run_import(engine_of(target), read_bytes(exported, fmt), publish=True)
        assert revisions(target) == before, target
    assert parts_of(app) == (links, texts)  # the link to the draft is kept


def test_the_files_links_and_translations_replace_the_records(app, client, linked):
    exported = client.get("/export/initiatives.json").get_json()
    pilot = next(r for r in exported["initiatives"] if r["slug"] == "pilot-walks")
    assert pilot["links"] == [{"kind": "mainstreamed_as", "target": linked["programme"]}]
    assert pilot["translations"][0]["translator"] == FRENCH["translator"]
    pilot["links"] = []
    pilot["translations"][0]["title"] = "Marches pilotes"
    programme = next(r for r in exported["initiatives"] if r["slug"] == "citywide-walks")
    programme["translations"] = []
    programme["links"].append({"kind": "replication_of", "target": linked["pilot"]})
    run_import(app, read_bytes(json.dumps(exported).encode(), "json"), publish=True)
    links, texts = parts_of(app)
    assert links == {("citywide-walks", "inspired_by", "pilot-walks"),
                     ("citywide-walks", "replication_of", "pilot-walks"),
                     ("pilot-walks", "part_of", "secret")}  # fmt: skip
    assert texts[("pilot-walks", "fr")][0] == "Marches pilotes"
    assert ("citywide-walks", "fr") not in texts
    with read_session(engine_of(app)) as s:
        done = set(s.scalars(select(Revision.action).where(Revision.note.is_not(None))))
    assert {"unlink_records", "link_records", "translate_record", "remove_translation"} <= done


def test_a_file_without_the_columns_leaves_links_and_translations_alone(app, linked):
    before = parts_of(app)
    csv = ("external_id,title,summary,country,sector,stages,maturity\n"
           "W-1,Pilot walks again,Walks.,FR,health,deliver,pilot\n")  # fmt: skip
    run_import(app, read_bytes(csv.encode(), "csv"), publish=True)
    assert parts_of(app) == before


@pytest.mark.parametrize(
    ("links", "translations", "field", "message"),
    [
        ([{"kind": "cousin_of", "target": 1}], None, "links[1].kind", "unknown code"),
        ([{"kind": "part_of", "target": "ten"}], None, "links[1].target", "number"),
        ([{"kind": "part_of"}], None, "links[1]", "expected a list of links"),
        ("part_of:1", None, "links", "expected a list of links"),
        ([{"kind": "part_of", "target": 987654}], None, "links.target", "no record"),
        (None, [{"language": "fr", **FRENCH, "title": "ab"}], "translations[fr].title", "3"),
        (None, [{"language": "de", **FRENCH}], "translations", "its language"),
        (
            None,
            [{"language": "fr", **FRENCH}, {"language": "fr", **FRENCH}],
            "translations",
            "once",
        ),
        (None, [{"language": "en", **FRENCH}], "translations[en].language", "another language"),
    ],
)
def test_bad_links_or_translations_import_nothing(app, linked, links, translations, field,
                                                  message):  # fmt: skip
    before, written = parts_of(app), revisions(app)
    record = {"title": "New walks", "summary": "Walks.", "country": "FR", "sector": "health",
              "stages": ["deliver"], "maturity": "pilot", "id": 77}  # fmt: skip
    if links is not None:
        record["links"] = links
    if translations is not None:
        record["translations"] = translations
    with pytest.raises(ImportFailed) as caught:
        run_import(app, read_bytes(json.dumps([record]).encode(), "json"), publish=True)
    found = [(p.field, str(p.message)) for p in caught.value.problems]
    assert any(f == field and message in m for f, m in found), found
    assert parts_of(app) == before and revisions(app) == written


def test_a_csv_link_names_its_target_by_the_files_id(app, other_app):  # noqa: F811
    csv = ("id,external_id,title,summary,country,sector,stages,maturity,links\n"
           "7,P-1,Pilot walks,Walks.,FR,health,deliver,pilot,Pilot mainstreamed as:8\n"
           "8,P-2,Citywide walks,Walks.,FR,health,deliver,integrated,\n")  # fmt: skip
    run_import(other_app, read_bytes(csv.encode(), "csv"), publish=True)
    links, _ = parts_of(other_app)
    assert {(a, k) for a, k, _ in links} == {("pilot-walks", "mainstreamed_as")}
    assert next(iter(links))[2] == "citywide-walks"
