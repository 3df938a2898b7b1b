"""Sign-in, sign-out and the account page (password, API tokens)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from .. import accounts, actions, i18n
from ..auth import SignedIn, current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..security import private, public
from .forms import PasswordForm, SignInForm, TokenForm
from .urls import local_path

bp = Blueprint("account", __name__)


def _safe_next(target: str | None) -> str:
    return local_path(target, url_for("contribute.mine"))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    if request.method == "POST":
        address = request.remote_addr or "unknown"
        try:
            principal = accounts.authenticate(
                registry_of().engine,
                form.email.data or "",
                form.password.data or "",
                address,
            )
        except accounts.Throttled as exc:
            flash(
                _(
                    "Too many failed sign-in attempts. Wait %(minutes)s minutes and try again.",
                    minutes=exc.minutes,
                ),
                "error",
            )
            page = render_template("account/sign_in.html", form=form)
            return page, 429, {"Retry-After": str(exc.minutes * 60)}
        if principal is None:
            flash(_("The email address or the password is not correct."), "error")
            return render_template("account/sign_in.html", form=form), 401
        session.clear()  # no value from before sign-in survives it
        login_user(SignedIn(principal))
        wanted = request.args.get("next")
        if not wanted and principal.is_curator:  # curators start at the review queue
            wanted = url_for("contribute.review_queue")
        response = redirect(_safe_next(wanted))
        if principal.locale in i18n.LANGUAGES:  # the account's choice, on this browser too
            i18n.remember(response, principal.locale)
        return response
    return render_template("account/sign_in.html", form=form)


@bp.post("/sign-out")
@private("the signed-in user")
@login_required
def sign_out():
    with write_session(registry_of().engine) as s:
        actions.end_sessions(s, current_principal())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("browse.home"))


def _account_page(password_form=None, token_form=None, new_token=None, status=200):
    user = current_principal()
    return (
        render_template(
            "account/account.html",
            user=user,
            password_form=password_form or PasswordForm(prefix="pw"),
            token_form=token_form or TokenForm(prefix="tk"),
            tokens=accounts.tokens_of(db(), user.id),
            new_token=new_token,
        ),
        status,
    )


@bp.get("/account")
@private("the signed-in user")
@login_required
def account():
    return _account_page()


@bp.post("/account/password")
@private("the signed-in user")
@login_required
def change_password():
    form = PasswordForm(prefix="pw")
    try:
        with write_session(registry_of().engine) as s:
            principal = actions.change_password(
                s, current_principal(), form.current.data or "", form.new.data or ""
            )
    except accounts.AccountError as exc:
        form.new.errors = [exc.args[0]]
        return _account_page(password_form=form, status=422)
    session.clear()
    login_user(SignedIn(principal))  # this session goes on; every other one ends
    flash(
        _("Your password is changed. Other sessions are signed out and your API tokens are "
          "revoked."),
        "info",
    )  # fmt: skip
    return redirect(url_for(".account"))


@bp.post("/account/sign-out-everywhere")
@private("the signed-in user")
@login_required
def sign_out_everywhere():
    with write_session(registry_of().engine) as s:
        actions.sign_out_everywhere(s, current_principal())
    logout_user()
    session.clear()
    flash(_("You are signed out everywhere, and your API tokens are revoked."), "info")
    return redirect(url_for("browse.home"))


@bp.post("/account/tokens")
@private("the signed-in user")
@login_required
def create_token():
    form = TokenForm(prefix="tk")
    try:
        with write_session(registry_of().engine) as s:
            token = actions.create_token(
                s, current_principal(), label=(form.label.data or "").strip()
            )
    except accounts.AccountError as exc:
        form.label.errors = [exc.args[0]]
        return _account_page(token_form=form, status=422)
    return _account_page(new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@private("the signed-in user")
@login_required
def revoke_token(token_id: int):
    try:
        with write_session(registry_of().engine) as s:
            actions.revoke_token(s, current_principal(), token_id)
    except accounts.AccountError:
        flash(_("No such token."), "error")
    else:
        flash(_("The token is revoked."), "info")
    return redirect(url_for(".account"))


@bp.post("/language/<code>")
@private("the signed-in user")
@login_required
def save_language(code: str):
    """The language switch of a signed-in person: the cookie and the account (a POST with a
    CSRF token, so another site cannot change it), then back to the same page."""
    if code not in i18n.LANGUAGES:
        abort(404)
    with write_session(registry_of().engine) as s:
        actions.set_locale(s, current_principal(), code)
    target = local_path(request.form.get("next"), url_for("browse.home"))
    return i18n.remember(redirect(target), code)
