"""No draft leaks: canary records in every unpublished state carry one unique word in every text
field; an anonymous visitor walks every route of the URL map and must never see that word.

Comparable registries leaked unpublished records through search, facets, feeds and activity
streams (reliability-notes.md). Walking the URL map covers routes added later without editing
this file; a route whose parameters the walker cannot fill fails the test until its sample
values are added to `samples` below.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from registry import actions, initiatives
from registry.accounts import Principal
from registry.db import read_session, write_session
from registry.models import MediaFile
from registry.security import PRIVATE, private, public, visibility_of

from . import media_files
from .conftest import bring_to, propose_edit, valid_record
from .url_map import COMMON_SAMPLES, UnfillableRoute, method_of, routes, urls

CANARY = "Xylocanary"  # never sent in a request, so an echo of the URL cannot match it
PROBE = "plumbprobe"  # sent as ?q= and ?tag=: finds the canaries if search leaks them
CANARY_COUNTRY = "IS"
CANARY_SECTOR = "environment"
HIDDEN_STATES = ("draft", "submitted", "rejected", "withdrawn", "deleted")
REFUSED = {301, 302, 303, 400, 401, 403, 404}
QUERIES = (
    "",
    f"?q={PROBE}",
    f"?tag={PROBE}",
    f"?country={CANARY_COUNTRY}&sector={CANARY_SECTOR}",
)


def canary_record(state: str) -> dict:
    word = f"{CANARY} {PROBE}"
    return valid_record(
        title=f"{word} {state} title",
        summary=f"{word} summary",
        description=f"{word} description in *Markdown*",
        outcomes=f"{word} outcomes",
        tags=[CANARY, PROBE],
        partners=[f"{word} partner"],
        lead_organisation=f"{word} lead organisation",
        region=f"{word} region",
        locality=f"{word} locality",
        sources=[{"title": f"{word} source", "url": f"https://example.org/{CANARY}"}],
        country=CANARY_COUNTRY,
        sector=CANARY_SECTOR,
        stages=["evaluate"],
        maturity="integrated",
        start_year=2003,
        slug=f"sealed-{state}",  # slugs are echoed in URLs we request: keep the canary out
        external_id=f"{CANARY}-{state}",
    )


MEDIA_KINDS = ("image", "document")


@dataclass
class World:
    published_id: int
    published_slug: str
    hidden_ids: list[int]
    public_media: list[int] = field(default_factory=list)
    hidden_media: list[int] = field(default_factory=list)  # on hidden records, or waiting
    hidden_files: set[str] = field(default_factory=set)  # SHA-256 of their bytes
    link_ids: list[int] = field(default_factory=list)  # case records: links to hidden records


def add_canary_media(
    session, record_id: int, colour: str, kinds=("image", "document")
) -> list[int]:
    """An image and a document whose texts carry the canary (the image's bytes cannot: they are
    recognised by their hash)."""
    texts = {"alt": f"{CANARY} alt", "caption": f"{CANARY} caption", "credit": f"{CANARY} credit",
             "licence": "cc0"}  # fmt: skip
    image = media_files.image(colour=colour)
    document = media_files.pdf(title=f"{CANARY} report {colour}")
    made = {
        "image": lambda: actions.add_media(session, actions.SYSTEM, record_id, "image", image,
                                           texts),
        "document": lambda: actions.add_media(session, actions.SYSTEM, record_id, "document",
                                              document, {"title": f"{CANARY} report"}),
    }  # fmt: skip
    return [made[kind]().id for kind in kinds]


@pytest.fixture
def world(app) -> World:
    """One published record (with a pending, unreviewed edit) and a canary in each hidden state."""
    engine = app.extensions["registry"].engine
    hidden, hidden_media = [], []
    colours = iter(["red", "orange", "yellow", "purple", "brown", "pink", "olive"])
    with write_session(engine) as session:
        for state in HIDDEN_STATES:
            record = actions.create(session, actions.SYSTEM, canary_record(state))
            # Both kinds on the draft, one on each other record (the crawl tries every pair).
            kinds = MEDIA_KINDS[len(hidden) % 2 : len(hidden) % 2 + 1] if hidden else MEDIA_KINDS
            hidden_media += add_canary_media(session, record.id, next(colours), kinds)
            if state == "rejected":
                actions.submit(session, actions.SYSTEM, record.id)
                actions.reject(session, actions.SYSTEM, record.id, f"{CANARY} {state} note")
            else:
                bring_to(session, record.id, state, actions.SYSTEM)
            hidden.append(record.id)
        published = actions.create(session, actions.SYSTEM, valid_record(tags=["volunteers"]))
        bring_to(session, published.id, "published", actions.SYSTEM)
        world = World(published.id, published.slug, hidden, hidden_media=hidden_media)
        public_image = actions.add_media(
            session, actions.SYSTEM, published.id, "image", media_files.image(colour="teal"),
            {"alt": "Volunteers at work", "credit": "Registry", "licence": "cc0"},
        ).id  # fmt: skip
        world.public_media.append(public_image)
        # Issue 18: a collection (id 1) holding the published record; its pages are crawled.
        actions.create_collection(
            session,
            actions.SYSTEM,
            {"title_en": "Crawled", "items": [{"initiative_id": published.id, "note": ""}]},
        )
    # An edit waiting for review: the public keeps seeing the live fields, and the published
    # media with their published texts, not the media and texts waiting with the edit.
    propose_edit(app, world.published_id, title=f"{CANARY} pending title", summary=CANARY)
    with write_session(engine) as session:
        world.hidden_media += add_canary_media(session, world.published_id, next(colours))
        actions.update_media(session, actions.SYSTEM, world.published_id, public_image,
                             {"alt": f"{CANARY} pending alt"})  # fmt: skip
    with write_session(engine) as session:  # case records: links to and from hidden records,
        # and translations of them (their pages must stay 404, the published page silent)
        made = actions.link_records(session, actions.SYSTEM, world.published_id, hidden[0],
                                    "mainstreamed_as")  # fmt: skip
        world.link_ids.append(made.id)
        made = actions.link_records(session, actions.SYSTEM, hidden[1], world.published_id,
                                    "inspired_by")  # fmt: skip
        world.link_ids.append(made.id)
        texts = {"title": f"{CANARY} traduction", "summary": CANARY, "translator": CANARY}
        for state, hidden_id in zip(HIDDEN_STATES, hidden, strict=True):
            if state != "deleted":  # a deleted record cannot be translated
                actions.translate_record(session, actions.SYSTEM, hidden_id, "fr", texts)
    with write_session(engine) as session:  # case records: an owner's translation and link
        # of a published record wait for review, and must not show anywhere
        owner = actions.create_user(session, actions.SYSTEM, "owner@leaks.example",
                                    role="submitter", password="x" * 12,
                                    organisation="Leak town")  # fmt: skip
        owner = Principal.of(owner)
        theirs = actions.create(session, owner, valid_record(title="Public walks of Leak town"))
        bring_to(session, theirs.id, "published", owner)
        actions.translate_record(session, owner, theirs.id, "fr",
                                 {"title": f"{CANARY} traduction en attente", "summary": CANARY,
                                  "translator": CANARY})  # fmt: skip
        made = actions.link_records(session, owner, theirs.id, world.published_id, "part_of")
        world.link_ids.append(made.id)
    with read_session(engine) as session:
        found = session.scalars(select(MediaFile).where(MediaFile.media_id.in_(world.hidden_media)))
        world.hidden_files = {hashlib.sha256(f.data).hexdigest() for f in found}
    return world


def samples(world: World) -> dict[tuple[str, str], list[str]]:
    """Values for each route parameter the walker knows; add one when a new kind appears."""
    return {
        ("int", "initiative_id"): [str(world.published_id), *map(str, world.hidden_ids)],
        ("string", "slug"): [world.published_slug, "sealed-draft"],
        ("string", "code"): [CANARY_COUNTRY, CANARY_COUNTRY.lower(), "fr", "zz"],
        **COMMON_SAMPLES,
        ("int", "media_id"): [str(i) for i in (*world.public_media, *world.hidden_media)],
        ("int", "link_id"): [str(i) for i in world.link_ids],
    }


def crawl(client: FlaskClient, world: World) -> tuple[int, list[str]]:
    """Request every route anonymously; return how many requests were made and the problems."""
    problems: list[str] = []
    requests = 0
    adapter = client.application.url_map.bind("localhost")
    for rule in routes(client.application):
        visibility = visibility_of(client.application.view_functions[rule.endpoint])
        method = method_of(rule)
        for path in urls(rule, samples(world)):
            # A file is a file whatever the query string: media routes are tried without one.
            queries = QUERIES if method == "GET" and "media_id" not in rule.arguments else ("",)
            for query in queries:
                url = path + query
                response = client.open(url, method=method)
                requests += 1
                data = response.get_data()
                body = data.decode("utf-8", "replace") + response.headers.get("Location", "")
                where = f"{method} {url} ({rule.endpoint}, {visibility}) -> {response.status_code}"
                if CANARY.lower() in body.lower():
                    problems.append(f"{where}: shows an unpublished record")
                if hashlib.sha256(data).hexdigest() in world.hidden_files:
                    problems.append(f"{where}: serves an unpublished record's file")
                if response.status_code >= 500:
                    problems.append(f"{where}: server error")
                if visibility == PRIVATE and response.status_code not in REFUSED:
                    problems.append(f"{where}: private route answers an anonymous visitor")
                _, args = adapter.match(path, method=method)
                opens_hidden = visibility != PRIVATE and (
                    args.get("initiative_id") in world.hidden_ids
                    or args.get("media_id") in world.hidden_media
                )
                if opens_hidden and response.status_code != 404:
                    problems.append(f"{where}: an unpublished record's route is not 404")
    return requests, problems


def test_anonymous_visitor_never_sees_an_unpublished_record(client, world):
    requests, problems = crawl(client, world)
    assert not problems, "\n".join(problems)
    get_routes = [r for r in routes(client.application) if method_of(r) == "GET"]
    assert requests >= len(get_routes) * len(QUERIES)


def test_the_published_record_is_reachable(client, world):
    """The crawl is only worth something if the same routes do show published records."""
    response = client.get(f"/initiatives/{world.published_id}", follow_redirects=True)
    assert response.status_code == 200
    assert "Citizen patrols" in response.get_data(as_text=True)
    api = client.get(f"/api/v1/initiatives/{world.published_id}").get_json()
    assert api["title"] == "Citizen patrols with the local police"  # not the pending edit
    image = world.public_media[0]
    served = client.get(f"/initiatives/{world.published_id}/media/{image}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    listed = client.get(f"/api/v1/initiatives/{world.published_id}/media").get_json()
    assert [(m["id"], m["alt"]) for m in listed] == [(image, "Volunteers at work")]


def test_the_crawl_catches_a_leaked_file(app, client, world):
    @app.get("/leaky-file/<int:media_id>")
    @public
    def leaky_file(media_id: int):
        from registry.extensions import db
        from registry.models import MediaFile

        return db().get(MediaFile, (media_id, "file")).data

    _, problems = crawl(client, world)
    assert any("/leaky-file/" in p and "serves an unpublished record's file" in p for p in problems)
    assert any("/leaky-file/" in p and "is not 404" in p for p in problems)


def test_the_crawl_catches_a_leaking_route(app, client, world):
    @app.get("/leaky/<int:initiative_id>")
    @public
    def leaky(initiative_id: int):
        from registry.extensions import db

        return initiatives.lookup(db(), initiative_id).title

    _, problems = crawl(client, world)
    assert any("/leaky/" in p and "shows an unpublished record" in p for p in problems)
    assert any("/leaky/" in p and "is not 404" in p for p in problems)


def test_the_crawl_catches_a_private_route_open_to_anyone(app, client, world):
    @app.get("/curators/queue")
    @private("curators only")
    def queue():
        return "everything awaiting review"

    _, problems = crawl(client, world)
    assert problems == [
        f"GET /curators/queue{q} (queue, private) -> 200: "
        "private route answers an anonymous visitor"
        for q in QUERIES
    ]


def test_a_route_the_crawler_cannot_fill_fails(app, client, world):
    @app.get("/tokens/<uuid:token>")
    @public
    def token(token):
        return "?"

    with pytest.raises(UnfillableRoute, match="<uuid:token>"):
        crawl(client, world)


def test_result_summaries_are_the_published_records_as_they_are(any_app, make_initiative):
    """Search hits are read as summaries (initiatives.published_summaries), not ORM objects:
    the same fields as the record, in the order asked, and nothing that is not published."""
    shown = make_initiative(
        target=any_app, title="Shown", stages=["evaluate", "plan"], tags=["b tag", "a tag"],
        evidence_level="anecdotal", start_year=2011,
    )  # fmt: skip
    bare = make_initiative(target=any_app, title="Bare", stages=["deliver"])
    hidden = {state: make_initiative(state, target=any_app) for state in HIDDEN_STATES}
    asked = [*hidden.values(), bare, 999_999, shown]
    with read_session(any_app.extensions["registry"].engine) as session:
        summaries = initiatives.published_summaries(session, asked)
        records = initiatives.published_in_order(session, asked)
        assert [s.id for s in summaries] == [r.id for r in records] == [bare, shown]
        for summary, record in zip(summaries, records, strict=True):
            for name in initiatives.SUMMARY_COLUMNS:
                assert getattr(summary, name) == getattr(record, name), name
            assert summary.codes("stages") == record.codes("stages")
            assert summary.tags == record.tags
        assert summaries[1].codes("stages") == ["plan", "evaluate"]
        assert summaries[1].tags == ["a tag", "b tag"]
        assert initiatives.published_summaries(session, []) == []
