"""Saved searches: saving the current search, the person's list of them (feed, digest, delete),
each one's private Atom feed, and the digest's one-click unsubscribe page (registry.alerts)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeSerializer

from .. import actions, alerts
from ..auth import SIGNED_LINK_ENDPOINTS, current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..i18n import current_locale
from ..models import Initiative, SavedSearch, User
from ..schemas import ValidationFailed
from ..security import private, public
from ..transfer import LICENCE, atom, exporting
from . import discovery
from .labels import country_name, label
from .opendata import LICENCE_LINK, describe, page_url, text_query_ids

bp = Blueprint("alerts", __name__)
FEED_SIZE = 50
SALT = "registry-unsubscribe"
discovery.UNLISTED_ENDPOINTS.update({"alerts.feed", "alerts.unsubscribe"})
SIGNED_LINK_ENDPOINTS.add("alerts.unsubscribe")


def unsubscribe_token(search_id: int) -> str:
    """The signed part of a digest's unsubscribe link (it never expires)."""
    return URLSafeSerializer(current_app.secret_key, salt=SALT).dumps(search_id)


def _signed_search(token: str) -> int:
    try:
        found = URLSafeSerializer(current_app.secret_key, salt=SALT).loads(token[:200])
    except BadSignature:
        abort(404)
    if not isinstance(found, int) or isinstance(found, bool):
        abort(404)
    return found


def search_url(saved: SavedSearch) -> str:
    return url_for("browse.catalogue_page", _external=True) + (
        f"?{saved.query}" if saved.query else ""
    )


def feed_url(saved: SavedSearch) -> str:
    return url_for("alerts.feed", token=saved.feed_token, _external=True)


def follow_links(filters) -> dict[str, str]:
    """For the search page: its feed, its downloads and what saving it sends."""
    args = [(k, v) for k, v in filters.to_args() if k not in alerts.LEFT_OUT]
    query = alerts.canonical_query(filters)
    suffix = f"?{query}" if query else ""
    return {
        "feed": url_for("opendata.feed") + suffix,
        "csv": url_for("opendata.export_csv") + suffix,
        "json": url_for("opendata.export_json") + suffix,
        "query": query,
        "name": (describe(filters) or _("All initiatives"))[: alerts.MAX_NAME] if args else
        _("All initiatives"),
    }  # fmt: skip


HELPERS = {"follow_links": follow_links}


def _mine() -> list[SavedSearch]:
    return alerts.of_user(db(), current_principal().id)


@bp.get("/my/searches")
@private("the account holder")
@login_required
def searches():
    return render_template(
        "alerts/searches.html", searches=_mine(), search_url=search_url, feed_url=feed_url,
        describe=lambda s: describe(alerts.filters_of(s)),
    )  # fmt: skip


@bp.post("/my/searches")
@private("the account holder")
@login_required
def save():
    form = request.form
    try:
        with write_session(registry_of().engine) as session:
            actions.save_search(session, current_principal(), form.get("name", ""),
                                form.get("query", ""), form.get("digest", "none"))  # fmt: skip
    except ValidationFailed as exc:
        for messages in exc.fields.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for(".searches"))
    flash(_("The search is saved. Follow it by its feed, or by e-mail below."), "success")
    return redirect(url_for(".searches"))


@bp.post("/my/searches/<int:search_id>")
@private("the account holder")
@login_required
def update(search_id: int):
    try:
        with write_session(registry_of().engine) as session:
            actions.update_saved_search(session, current_principal(), search_id,
                                        request.form.get("name", ""),
                                        request.form.get("digest", "none"))  # fmt: skip
    except actions.SavedSearchNotFound:
        abort(404)
    except ValidationFailed as exc:
        for messages in exc.fields.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for(".searches"))
    flash(_("The saved search is changed."), "success")
    return redirect(url_for(".searches"))


@bp.post("/my/searches/<int:search_id>/delete")
@private("the account holder")
@login_required
def delete(search_id: int):
    try:
        with write_session(registry_of().engine) as session:
            actions.delete_saved_search(session, current_principal(), search_id)
    except actions.SavedSearchNotFound:
        abort(404)
    flash(_("The saved search is deleted."), "success")
    return redirect(url_for(".searches"))


def entries(records: list[Initiative]) -> list[atom.Entry]:
    return [
        atom.Entry(
            id=url_for("browse.initiative_page", initiative_id=i.id, _external=True),
            title=i.title, url=page_url(i), summary=i.summary, updated=i.updated_at,
            published=i.published_at, author=i.lead_organisation, language=i.language,
            categories=[(i.sector, label("sector", i.sector)),
                        (i.country, country_name(i.country))],
        )
        for i in records
    ]  # fmt: skip


@bp.get("/saved/<token>/feed.atom")
@public
def feed(token: str):
    """The saved search's newest matches; its address is the secret (not listed for robots)."""
    saved = alerts.by_token(db(), token)
    if saved is None:
        abort(404)
    filters = alerts.filters_of(saved)
    ids = text_query_ids(filters) if filters.q else None
    newest = list(exporting.select_public(db(), filters, ids, limit=FEED_SIZE))
    here = feed_url(saved)
    updated = max((i.updated_at for i in newest), default=None) or saved.created_at
    body = atom.build(
        feed_id=here,
        title=_("Coproduction Registry: %(name)s", name=saved.name),
        self_url=here,
        alternate_url=search_url(saved),
        updated=updated if updated.tzinfo else updated.replace(tzinfo=UTC),
        author=_("Coproduction Registry"),
        rights=LICENCE["name"],
        entries=entries(newest),
        language=current_locale(),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Link"] = LICENCE_LINK
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    """The digest's link: a page with one button (a GET never writes); the button, or a mail
    client's one-click POST (RFC 8058, `List-Unsubscribe-Post`), stops it. The signed token is
    the authority, so the POST needs no CSRF token: only the recipient holds the link."""
    search_id = _signed_search(token)
    if request.method == "GET":
        saved = db().get(SavedSearch, search_id) if search_id < 2**31 else None
        return render_template("alerts/unsubscribe.html", saved=saved, done=False)
    with write_session(registry_of().engine) as session:
        saved = actions.stop_digest(session, search_id)
        name = saved.name if saved is not None else None
    return render_template("alerts/unsubscribe.html", saved=None, name=name, done=True)


# --- Digests (registry mail digests) ------------------------------------------------------


def queue_digests(now: datetime | None = None) -> tuple[int, int]:
    """Queue every due digest in the outbox; (searches covered, messages queued).

    Runs in a request context whose base URL is the site's (the command line's), for links.
    """
    now = now or datetime.now(UTC)
    engine = registry_of().engine
    covered = queued = 0
    for saved in alerts.due(db(), now):
        filters = alerts.filters_of(saved)
        ids = text_query_ids(filters) if filters.q else None
        start = alerts.since(saved)
        found = alerts.new_matches(db(), saved, start, now, ids)
        digest = None
        if found:
            owner_locale = saved_owner_locale(saved)
            digest = alerts.compose(
                saved, [(i.title, page_url(i)) for i in found], start, owner_locale,
                search_url=search_url(saved), feed_url=feed_url(saved),
                unsubscribe_url=url_for("alerts.unsubscribe",
                                        token=unsubscribe_token(saved.id), _external=True),
            )  # fmt: skip
        with write_session(engine) as session:
            if actions.send_digest(session, actions.SYSTEM, saved.id, digest, now):
                covered += 1
                queued += digest is not None
    return covered, queued


def saved_owner_locale(saved: SavedSearch) -> str:
    owner = db().get(User, saved.user_id)
    return (owner.locale if owner is not None and owner.locale else "en")[:2]
