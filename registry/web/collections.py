"""Curated collections: the public listing, a collection's page, feed and exports, and the
curators' form. What a collection shows is registry.collections' rule: its published items
only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from .. import actions, initiatives
from .. import collections as curated
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..filters import Filters
from ..i18n import current_locale
from ..models import Collection, Initiative
from ..schemas import ValidationFailed, whole_number
from ..security import private, public
from ..transfer import LICENCE, atom, exporting
from .labels import country_name, label
from .media import external_urls
from .opendata import LICENCE_LINK, page_url

bp = Blueprint("collections", __name__)
FORM_FIELDS = ("title_en", "title_fr", "introduction_en", "introduction_fr")
# An initiative named on the form: its id, or the address of its page.
INITIATIVE_REFERENCE = re.compile(r"(?:/initiatives/)?(\d{1,10})(?:[/?#].*)?$")


def _found(collection_id: int) -> Collection:
    collection = curated.get(db(), collection_id)
    if collection is None:
        abort(404)
    return collection


def title_of(collection: Collection) -> str:
    return curated.title(collection, current_locale())


def collections_of(initiative: Initiative) -> list[Collection]:
    """For the initiative page: the collections a published initiative is in."""
    if initiative.status != "published":
        return []
    return curated.of_initiative(db(), initiative.id)


HELPERS = {"collection_title": title_of, "collections_of": collections_of}


def _may_curate() -> bool:
    user = current_principal()
    return user is not None and user.is_curator


@bp.get("/collections")
@public
def listing():
    return render_template(
        "collections/listing.html", collections=curated.listing(db()), may_curate=_may_curate()
    )


@bp.get("/collections/<int:collection_id>")
@bp.get("/collections/<int:collection_id>/<slug>")
@public
def collection_page(collection_id: int, slug: str | None = None):
    collection = _found(collection_id)
    if slug != collection.slug:
        return redirect(url_for(".collection_page", collection_id=collection.id,
                                slug=collection.slug), 301)  # fmt: skip
    return render_template(
        "collections/page.html",
        collection=collection,
        items=curated.public_items(db(), collection),
        introduction=curated.introduction(collection, current_locale()),
        may_curate=_may_curate(),
    )


@bp.get("/collections/<int:collection_id>/feed.atom")
@public
def feed(collection_id: int):
    """The collection's initiatives as an Atom feed (newest additions first)."""
    collection = _found(collection_id)
    items = sorted(curated.public_items(db(), collection), key=lambda it: it.position)
    entries = [
        atom.Entry(
            id=url_for("browse.initiative_page", initiative_id=i.id, _external=True),
            title=i.title,
            url=page_url(i),
            summary=f"{item.note}\n\n{i.summary}" if item.note else i.summary,
            updated=i.updated_at,
            published=i.published_at,
            author=i.lead_organisation,
            language=i.language,
            categories=[
                (i.sector, label("sector", i.sector)),
                (i.country, country_name(i.country)),
            ],
        )
        for item in items
        for i in [item.initiative]
    ]
    moments = [collection.updated_at, *(it.initiative.updated_at for it in items)]
    updated = max((m if m.tzinfo else m.replace(tzinfo=UTC)) for m in moments)
    here = url_for(".feed", collection_id=collection.id, _external=True)
    body = atom.build(
        feed_id=here,
        title=_("Collection: %(title)s", title=title_of(collection)),
        self_url=here,
        alternate_url=url_for(
            ".collection_page", collection_id=collection.id, slug=collection.slug, _external=True
        ),
        updated=updated or datetime.now(UTC),
        author=_("Coproduction Registry"),
        rights=LICENCE["name"],
        entries=entries,
        language=current_locale(),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Link"] = LICENCE_LINK
    return response


def _records(collection: Collection) -> Iterator[dict]:
    items = curated.public_items(db(), collection)
    notes = {it.initiative.id: it.note for it in items}
    for record in exporting.records([it.initiative for it in items], page_url, external_urls,
                                    db()):  # fmt: skip
        yield {**record, "note": notes.get(record["id"], "")}


@bp.get("/collections/<int:collection_id>/export.csv")
@public
def export_csv(collection_id: int):
    collection = _found(collection_id)
    body = "".join(exporting.csv_chunks(_records(collection)))
    response = Response(body, content_type="text/csv; charset=utf-8")
    filename = f"collection-{collection.id}-{collection.slug}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Link"] = LICENCE_LINK
    return response


@bp.get("/collections/<int:collection_id>/export.json")
@public
def export_json(collection_id: int):
    collection = _found(collection_id)
    meta = exporting.metadata(Filters(), url_for("browse.home", _external=True))
    meta.pop("filters", None)
    meta["collection"] = {
        "id": collection.id,
        "title": {"en": collection.title_en, "fr": collection.title_fr},
        "url": url_for(
            ".collection_page", collection_id=collection.id, slug=collection.slug, _external=True
        ),
    }
    body = "".join(exporting.json_chunks(meta, _records(collection)))
    response = Response(body, content_type="application/json; charset=utf-8")
    response.headers["Link"] = LICENCE_LINK
    return response


# --- The curators' form -------------------------------------------------------------------


def _curator_only() -> None:
    if not _may_curate():
        abort(403)


def _payload(form) -> tuple[dict, list[str]]:
    """The form as the actions' payload; problems with the references to add, in words."""
    payload = {name: form.get(name, "") for name in FORM_FIELDS}
    problems: list[str] = []
    kept: list[tuple[int, int, str]] = []
    for n, raw in enumerate(form.getlist("item")[: curated.MAX_ITEMS + 1]):
        try:
            ident = whole_number(raw, 1, 2**31 - 1)
        except ValueError:
            continue
        if form.get(f"remove_{ident}"):
            continue
        try:
            position = whole_number(form.get(f"position_{ident}", "") or str(n + 1), 0, 10_000)
        except ValueError:
            position = n + 1
        kept.append((position, n, str(ident)))
    items = [
        {"initiative_id": int(ident), "note": form.get(f"note_{ident}", "")}
        for _p, _n, ident in sorted(kept)
    ]
    for line in form.get("add", "").splitlines()[: curated.MAX_ITEMS + 1]:
        line = line.strip()
        if not line:
            continue
        match = INITIATIVE_REFERENCE.search(line)
        if match is None:
            problems.append(
                _("“%(text)s” is not an initiative's number or address", text=line[:80])
            )
            continue
        items.append({"initiative_id": int(match.group(1)), "note": ""})
    payload["items"] = items
    return payload, problems


def _form(collection: Collection | None, payload: dict | None, errors: dict, status: int = 200):
    if payload is None and collection is not None:
        payload = {name: getattr(collection, name) for name in FORM_FIELDS}
        payload["items"] = [
            {"initiative_id": it.initiative.id, "note": it.note}
            for it in curated.all_items(db(), collection)
        ]
    payload = payload or {"items": []}
    found = initiatives.by_ids(db(), {it["initiative_id"] for it in payload["items"]})
    return (
        render_template(
            "collections/form.html",
            collection=collection,
            payload=payload,
            found=found,
            errors=errors,
        ),
        status,
    )


def _save(collection: Collection | None):
    payload, problems = _payload(request.form)
    if problems:
        return _form(collection, payload, {"items": problems}, 422)
    try:
        with write_session(registry_of().engine) as session:
            if collection is None:
                saved = actions.create_collection(session, current_principal(), payload)
            else:
                saved = actions.update_collection(
                    session, current_principal(), collection.id, payload
                )
            target = url_for(".collection_page", collection_id=saved.id, slug=saved.slug)
    except ValidationFailed as exc:
        return _form(collection, payload, exc.fields, 422)
    flash(_("The collection is saved."), "success")
    return redirect(target)


@bp.route("/curate/collections/new", methods=["GET", "POST"])
@private("curators only")
@login_required
def new():
    _curator_only()
    if request.method == "GET":
        return _form(None, None, {})
    return _save(None)


@bp.route("/collections/<int:collection_id>/edit", methods=["GET", "POST"])
@private("curators only")
@login_required
def edit(collection_id: int):
    _curator_only()
    collection = _found(collection_id)
    if request.method == "GET":
        return _form(collection, None, {})
    return _save(collection)


@bp.post("/collections/<int:collection_id>/delete")
@private("curators only")
@login_required
def delete(collection_id: int):
    _curator_only()
    with write_session(registry_of().engine) as session:
        try:
            actions.delete_collection(session, current_principal(), collection_id)
        except curated.CollectionNotFound:
            abort(404)
    flash(_("The collection is deleted."), "success")
    return redirect(url_for(".listing"))
