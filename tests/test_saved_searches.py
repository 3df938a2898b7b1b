"""Saved searches and alerts (issue 18): a signed-in person saves a search, follows its private
feed, and gets at most one e-mail digest per period of what is new — received by a real SMTP
server (aiosmtpd) — with a signed link that stops it."""

from __future__ import annotations

import re
from datetime import timedelta

from click.testing import CliRunner
from flask import url_for
from lxml import etree
from sqlmodel import select

from registry import actions
from registry.cli import main
from registry.db import read_session, write_session
from registry.models import SavedSearch, utcnow
from registry.web.alerts import unsubscribe_token

from .conftest import csrf_from

ATOM = "{http://www.w3.org/2005/Atom}"


def engine_of(app):
    return app.extensions["registry"].engine


def feed_titles(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [
        e.findtext(f"{ATOM}title") for e in etree.fromstring(response.data).iter(f"{ATOM}entry")
    ]


def saved_of(app, user_id) -> list[SavedSearch]:
    with read_session(engine_of(app)) as s:
        query = select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.id)
        found = list(s.exec(query))
        s.expunge_all()
    return found


def test_a_person_saves_a_search_and_follows_its_feed(app, users, sign_in, make_initiative):
    make_initiative(title="French health case", country="FR", sector="health")
    make_initiative(title="Canadian health case", country="CA", sector="health")
    make_initiative("draft", title="French draft", country="FR", sector="health")
    me = sign_in(users["submitter"].email)
    token = csrf_from(me.get("/initiatives?country=FR&sector=health").text)
    form = {"csrf_token": token, "name": "Health in France",
            "query": "country=FR&sector=health&page=2"}  # fmt: skip
    response = me.post("/my/searches", data=form)
    assert response.status_code == 302
    page = me.get("/my/searches").text
    assert "Health in France" in page
    feed = re.search(r'href="(http://localhost/saved/[^"]+/feed.atom)"', page).group(1)
    anyone = app.test_client()
    assert feed_titles(anyone, feed) == ["French health case"]
    make_initiative(title="Another French health case", country="FR", sector="health")
    assert feed_titles(anyone, feed) == ["Another French health case", "French health case"]
    assert anyone.get("/saved/not-a-token-but-long-enough-to-try/feed.atom").status_code == 404
    [saved] = saved_of(app, users["submitter"].id)
    assert saved.query == "country=FR&sector=health"  # the page is not part of the search
    # Somebody else's saved search does not exist for them.
    other = sign_in(users["other"].email)
    assert "Health in France" not in other.get("/my/searches").text
    token = csrf_from(other.get("/my/searches").text)
    assert (
        other.post(f"/my/searches/{saved.id}/delete", data={"csrf_token": token}).status_code == 404
    )
    form = {"csrf_token": token, "name": "x", "digest": "daily"}
    assert other.post(f"/my/searches/{saved.id}", data=form).status_code == 404
    assert len(saved_of(app, users["submitter"].id)) == 1


def test_a_saved_search_needs_a_name_and_good_filters(app, users, sign_in):
    me = sign_in(users["submitter"].email)
    token = csrf_from(me.get("/my/searches").text)
    me.post("/my/searches", data={"csrf_token": token, "name": " ", "query": "year_from=abc"})
    page = me.get("/my/searches").text
    assert "give the search a name" in page
    assert saved_of(app, users["submitter"].id) == []


def test_the_digest_lists_new_matches_once_per_period_and_its_link_stops_it(
    app, users, cli_env, smtp_server, make_initiative, client
):
    owner = users["submitter"]
    with write_session(engine_of(app)) as s:
        actions.save_search(s, owner, "French cases", "country=FR", "daily")
    make_initiative(title="A new French case", country="FR")
    make_initiative(title="A Canadian case", country="CA")
    make_initiative("submitted", title="A French case in review", country="FR")
    runner = CliRunner()
    tomorrow = (utcnow() + timedelta(days=1, minutes=1)).replace(tzinfo=None).isoformat()
    result = runner.invoke(main, ["mail", "digests", "--now", tomorrow])
    assert result.exit_code == 0, result.output
    assert "1 messages queued" in result.output
    assert runner.invoke(main, ["mail", "send"]).exit_code == 0
    [message] = smtp_server.messages
    assert message["To"] == owner.email
    assert "French cases" in message["Subject"]
    body = message.get_content()
    assert "A new French case" in body
    assert "Canadian" not in body and "in review" not in body
    link = re.search(r"(http://localhost/unsubscribe/\S+)", body).group(1)
    assert message["List-Unsubscribe"].strip() == f"<{link}>"
    assert message["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    # At most one per period: the same day again sends nothing.
    result = runner.invoke(main, ["mail", "digests", "--now", tomorrow])
    assert "0 saved searches covered" in result.output
    # The link: one button, then no more digests.
    path = link.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and "French cases" in page.text
    assert client.post(path, data={"csrf_token": csrf_from(page.text)}).status_code == 200
    assert [s.digest for s in saved_of(app, owner.id)] == ["none"]
    assert client.get(path[:-3] + "xyz").status_code == 404  # a forged signature
    in_a_week = (utcnow() + timedelta(days=8)).replace(tzinfo=None).isoformat()
    result = runner.invoke(main, ["mail", "digests", "--now", in_a_week])
    assert "0 saved searches covered" in result.output


def test_a_mail_clients_one_click_post_stops_the_digest(app, client, users):
    """RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the link, with no page,
    cookie or CSRF token; the signed link alone is the authority."""
    with write_session(engine_of(app)) as s:
        saved = actions.save_search(s, users["submitter"], "French cases", "country=FR", "daily")
        saved_id = saved.id
    with app.test_request_context():
        path = url_for("alerts.unsubscribe", token=unsubscribe_token(saved_id))
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert [s.digest for s in saved_of(app, users["submitter"].id)] == ["none"]
    assert client.post(path[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_no_digest_when_nothing_is_new(app, users, cli_env, smtp_server, make_initiative):
    make_initiative(title="Old French case", country="FR")
    with write_session(engine_of(app)) as s:
        actions.save_search(s, users["submitter"], "French cases", "country=FR", "weekly")
    runner = CliRunner()
    in_a_week = (utcnow() + timedelta(days=7, minutes=1)).replace(tzinfo=None).isoformat()
    result = runner.invoke(main, ["mail", "digests", "--now", in_a_week])
    assert "1 saved searches covered, 0 messages queued" in result.output
    runner.invoke(main, ["mail", "send"])
    assert smtp_server.messages == []


def test_the_search_page_offers_to_follow_and_download_its_results(
    app, users, sign_in, make_initiative
):
    make_initiative(title="French case", country="FR")
    make_initiative(title="Canadian case", country="CA")
    anonymous = app.test_client().get("/initiatives?country=FR&page=1").text
    assert "Follow these results" in anonymous and "Download these results" in anonymous
    for link in ("/export/initiatives.csv?country=FR", "/export/initiatives.json?country=FR",
                 "/feed.atom?country=FR"):  # fmt: skip
        assert f'href="{link}"' in anonymous, link
    rows = app.test_client().get("/export/initiatives.csv?country=FR").text
    assert "French case" in rows and "Canadian case" not in rows
    assert "Save this search" not in anonymous and "to save this search" in anonymous
    me = sign_in(users["submitter"].email)
    page = me.get("/initiatives?country=FR").text
    assert 'name="query" value="country=FR"' in page
    form = {"csrf_token": csrf_from(page), "name": "France", "query": "country=FR",
            "digest": "weekly"}  # fmt: skip
    assert me.post("/my/searches", data=form).status_code == 302
    [saved] = saved_of(app, users["submitter"].id)
    assert (saved.name, saved.query, saved.digest) == ("France", "country=FR", "weekly")


def test_an_edit_the_public_does_not_see_is_not_news(app, users, cli_env, smtp_server, make_owned):
    owner = users["submitter"]
    live = make_owned(owner, "published", title="Published before", country="FR")
    with write_session(engine_of(app)) as s:
        actions.save_search(s, users["colleague"], "French cases", "country=FR", "daily")
        # The owner's edit waits for review: the public still sees the old version.
        actions.edit(s, owner, live, {"title": "Secret new title"}, expected_version=None)
    tomorrow = (utcnow() + timedelta(days=1, minutes=1)).replace(tzinfo=None).isoformat()
    result = CliRunner().invoke(main, ["mail", "digests", "--now", tomorrow])
    assert "1 saved searches covered, 0 messages queued" in result.output
