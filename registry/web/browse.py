"""Home, catalogue and initiative pages: what a visitor browses."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import catalogue, i18n, search, stats
from ..extensions import db, search_index
from ..filters import MAX_QUERY_LENGTH, parse_filters
from ..security import public
from . import contribute
from .figures import illustrative_switch
from .urls import local_path, url_with

bp = Blueprint("browse", __name__)


@bp.get("/")
@public
def home():
    session = db()
    switch = illustrative_switch()  # the statistics' illustrative switch (issue 17)
    return render_template(
        "home.html",
        figures=stats.overview(session, switch.include),
        switch=switch,
        latest=catalogue.latest(session),
    )


@bp.get("/initiatives")
@public
def catalogue_page():
    """The search page; browsing is a search without a text query."""
    filters = parse_filters(request.args, max_per_page=100)
    result = search.search(search_index(), db(), filters)
    if result.pages and filters.page > result.pages:  # beyond the last page: the last one
        return redirect(url_with(filters, page=result.pages))
    return render_template("catalogue.html", page=result, result=result, filters=filters)


@bp.get("/initiatives/<int:initiative_id>")
@bp.get("/initiatives/<int:initiative_id>/<slug>")
@public
def initiative_page(initiative_id: int, slug: str | None = None):
    initiative = contribute.viewable(initiative_id)
    # The words of the search that led here, marked on the page (`hl`, from a result's link).
    searched = " ".join(request.args.get("hl", "").split())[:MAX_QUERY_LENGTH]
    if slug != initiative.slug:
        return redirect(
            url_for(
                ".initiative_page", initiative_id=initiative.id, slug=initiative.slug,
                hl=searched or None,
            ),
            301,
        )  # fmt: skip
    if contribute.is_manager(initiative):
        return render_template(
            "contribute/initiative.html",
            initiative=initiative,
            **contribute.manage_context(initiative),
        )
    marks = {k: Markup(v) for k, v in search.highlighted(initiative, searched).items()}
    return render_template("initiative.html", initiative=initiative, searched=searched, marks=marks)


@bp.get("/language/<code>")
@public
def choose_language(code: str):
    """Switch the interface language (a cookie) and go back to the same page (`next`, a local
    path). Signed-in people post to account.save_language instead, which also sets the account.
    """
    if code not in i18n.LANGUAGES:
        abort(404)
    return i18n.remember(redirect(local_path(request.args.get("next"), url_for(".home"))), code)
