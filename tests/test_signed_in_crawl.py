"""A signed-in crawl: as a submitter and as a curator, follow every internal link from the home
page (bounded) on the seeded registry. No page answers 5xx, and the drafts and other unpublished
canaries of another organisation never appear for the submitter — not in lists, search, facets,
exports or feeds, nor at their own addresses.

test_no_leaks.py walks every route anonymously; this follows what a signed-in person can click.
"""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest

from registry import actions, seeds
from registry.db import write_session

from . import media_files
from .conftest import bring_to
from .test_no_leaks import CANARY, HIDDEN_STATES, canary_record

MAX_PAGES = 300  # the crawl's bound: every kind of page is reached well before it
PER_SHAPE = 3  # pages visited per path and set of query parameters (facet links multiply)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def internal(base: str, href: str) -> str | None:
    """The path and query of a link to this site (not static files), or None."""
    url = urlsplit(urljoin(base, href))
    if url.scheme not in ("", "http") or url.netloc not in ("", "localhost"):
        return None
    if url.path.startswith("/static/"):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def crawl(client, start: list[str], limit: int = MAX_PAGES) -> tuple[list[str], list[str]]:
    """Breadth-first from `start`; returns the URLs visited and the problems seen."""
    queue, seen, shapes = deque(start), set(start), Counter()
    visited, problems = [], []
    while queue and len(visited) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        shape = (parts.path, tuple(sorted({k for k, _ in parse_qsl(parts.query)})))
        if shapes[shape] >= PER_SHAPE and url not in start:
            continue
        shapes[shape] += 1
        response = client.get(url)
        visited.append(url)
        body = response.get_data().decode("utf-8", "replace")  # images and PDFs are bytes
        if response.status_code >= 500:
            problems.append(f"{url} -> {response.status_code}")
        if CANARY.lower() in (body + response.headers.get("Location", "")).lower():
            problems.append(f"{url} -> {response.status_code}: shows another organisation's record")
        targets = [response.headers["Location"]] if response.status_code in (301, 302, 303) else []
        if response.mimetype == "text/html":
            parser = Links()
            parser.feed(body)
            targets += parser.hrefs
        for href in targets:
            link = internal(f"http://localhost{url}", href)
            if link and link not in seen:
                seen.add(link)
                queue.append(link)
    return visited, problems


@pytest.fixture
def registry_with_canaries(app, users, make_owned):
    """The seeded records, the submitter's own draft and submission, and a canary of another
    organisation (Stadt Wien) in every unpublished state, each with an image and a document
    whose texts carry the canary. Returns the canaries' ids and their media's addresses."""
    engine = app.extensions["registry"].engine
    seeds.seed(engine)
    make_owned(users["submitter"], title="Our own draft about school meals")
    make_owned(users["submitter"], status="submitted", title="Our own submitted bus panel")
    hidden, media = [], []
    other = users["other"]
    texts = {"alt": f"{CANARY} alt", "credit": f"{CANARY} credit", "licence": "cc0"}
    with write_session(engine) as s:
        for state in HIDDEN_STATES:
            record = actions.create(s, other, canary_record(state))
            image = actions.add_media(s, other, record.id, "image", media_files.image(), texts)
            document = actions.add_media(s, other, record.id, "document", media_files.pdf(),
                                         {"title": f"{CANARY} report"})  # fmt: skip
            media += [f"/initiatives/{record.id}/media/{image.id}",
                      f"/initiatives/{record.id}/media/{image.id}/thumbnail",
                      f"/initiatives/{record.id}/media/{document.id}",
                      f"/api/v1/initiatives/{record.id}/media/{document.id}"]  # fmt: skip
            if state == "rejected":
                actions.submit(s, other, record.id)
                actions.reject(s, actions.SYSTEM, record.id, f"{CANARY} note")
            else:
                bring_to(s, record.id, state, other)
            hidden.append(record.id)
    return hidden, media


def direct_addresses(ids: list[int]) -> list[str]:
    return [
        f"{prefix}{i}{suffix}"
        for i in ids
        for prefix, suffix in [
            ("/initiatives/", ""),
            ("/my/initiatives/", "/edit"),
            ("/my/initiatives/", "/history"),
            ("/api/v1/initiatives/", ""),
            ("/api/v1/initiatives/", "/revisions"),
            ("/api/v1/initiatives/", "/media"),
        ]
    ]


def test_submitter_crawl_never_meets_another_organisations_unpublished_record(
    sign_in, users, registry_with_canaries
):
    client = sign_in("sub@lyon.example")
    hidden, media = registry_with_canaries
    visited, problems = crawl(client, ["/", *direct_addresses(hidden), *media])
    assert not problems, "\n".join(problems)
    assert all(client.get(address).status_code == 404 for address in media)
    reached = " ".join(visited)
    for page in ("/my/initiatives", "/my/initiatives/new", "/account", "/export", "/feed.atom"):
        assert page in reached  # the crawl got to the signed-in and open-data pages
    assert sum("/initiatives/" in v for v in visited) > 30
    assert len(visited) > 100


def test_curator_crawl_meets_no_server_error(sign_in, users, registry_with_canaries):
    client = sign_in("cur@registry.example")
    hidden, media = registry_with_canaries
    visited, problems = crawl(client, ["/", *direct_addresses(hidden), *media])
    server_errors = [p for p in problems if "shows another" not in p]
    assert not server_errors, "\n".join(server_errors)
    assert "/review" in visited
    assert any(v.endswith("/history") for v in visited)


def test_the_crawl_would_see_a_leak(sign_in, users, registry_with_canaries, app):
    """The check is real: a curator is allowed to see submitted canaries, and does."""
    client = sign_in("cur@registry.example")
    _, problems = crawl(client, ["/review"], limit=3)
    assert any("shows another organisation's record" in p for p in problems)
