"""Accounts on the web (issue 19): admins invite people, change their role, deactivate them and
add organisations; a signed, dated, single-use link lets a person set a password (invitation)
or choose a new one (reset). Every change is an action of registry.actions.invites."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from .. import accounts, actions
from ..accounts import AccountError
from ..auth import current_principal
from ..db import write_session
from ..extensions import db, registry_of
from ..i18n import current_locale, localized
from ..models import Organisation, User
from ..security import private, public
from .forms import InviteForm, NewPasswordForm, OrganisationForm, ResetForm

bp = Blueprint("admin", __name__)
MAX_AGE = {"invite": 7 * 24 * 3600, "reset": 3600}


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="registry-password-link")


def link_maker(kind: str):
    """A function giving the absolute password link of a user, for the actions' e-mails."""

    def link(user: User) -> str:
        token = _signer().dumps({"u": user.id, "f": actions.invites.fingerprint(user), "k": kind})
        return url_for("admin.password_link", token=token, _external=True)

    return link


def _admin_only() -> None:
    if not actions.may_manage_accounts(current_principal()):
        abort(403)


def _users_page(invite_form=None, organisation_form=None, status: int = 200):
    session = db()
    people = session.execute(
        select(User, Organisation.name)
        .outerjoin(Organisation, User.organisation_id == Organisation.id)
        .order_by(func.lower(User.email))
    ).all()
    organisations = session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template(
        "admin/users.html",
        people=people,
        organisations=organisations,
        invite_form=invite_form or InviteForm(prefix="inv"),
        organisation_form=organisation_form or OrganisationForm(prefix="org"),
        roles=accounts.ROLES,
        me=current_principal(),
    ), status


@bp.get("/admin/users")
@private("administrators only")
@login_required
def users_page():
    _admin_only()
    return _users_page()


@bp.post("/admin/users/invite")
@private("administrators only")
@login_required
def invite():
    _admin_only()
    form = InviteForm(prefix="inv")
    if not form.validate():
        return _users_page(invite_form=form, status=400)
    try:
        with write_session(registry_of().engine) as s:
            user = actions.invite_user(
                s, current_principal(), form.email.data or "", role=form.role.data or "",
                organisation=(form.organisation.data or "").strip() or None,
                link_for=link_maker("invite"), locale=current_locale(),
            )  # fmt: skip
            email = user.email
    except AccountError as exc:
        form.email.errors = [localized(exc.args[0])]
        return _users_page(invite_form=form, status=422)
    flash(_("%(email)s is invited: the invitation waits in the outbox.", email=email), "success")
    return redirect(url_for(".users_page"))


@bp.post("/admin/users/<int:user_id>/role")
@private("administrators only")
@login_required
def change_role(user_id: int):
    _admin_only()
    role = request.form.get("role", "")
    done = _("The role is changed; it applies from the person's next sign-in.")
    return _change(lambda s: actions.change_role(s, current_principal(), user_id, role), done)


@bp.post("/admin/users/<int:user_id>/active")
@private("administrators only")
@login_required
def set_active(user_id: int):
    _admin_only()
    active = request.form.get("active") == "1"
    done = _("The account is active again.") if active else _("The account is deactivated.")
    return _change(lambda s: actions.set_active(s, current_principal(), user_id, active), done)


def _change(run, done: str):
    try:
        with write_session(registry_of().engine) as s:
            run(s)
    except AccountError as exc:
        flash(localized(exc.args[0]), "error")
    else:
        flash(done, "success")
    return redirect(url_for(".users_page"))


@bp.post("/admin/organisations")
@private("administrators only")
@login_required
def add_organisation():
    _admin_only()
    form = OrganisationForm(prefix="org")
    if not form.validate():
        return _users_page(organisation_form=form, status=400)
    try:
        with write_session(registry_of().engine) as s:
            actions.add_organisation(s, current_principal(), form.name.data or "")
    except AccountError as exc:
        form.name.errors = [localized(exc.args[0])]
        return _users_page(organisation_form=form, status=422)
    flash(_("The organisation is added."), "success")
    return redirect(url_for(".users_page") + "#organisations")


def _read(token: str) -> dict | None:
    """The link's content when its signature is right and it is not too old; else None."""
    try:
        kind = _signer().loads(token)["k"]
        data = _signer().loads(token, max_age=MAX_AGE.get(kind, 0))
    except (SignatureExpired, BadSignature, KeyError, TypeError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), int) else None


@bp.route("/password/<token>", methods=["GET", "POST"])
@public
def password_link(token: str):
    """Set a password through an invitation or reset link (no account data is shown)."""
    data = _read(token)
    user = db().get(User, data["u"]) if data is not None else None
    if user is None or not user.active or actions.invites.fingerprint(user) != data["f"]:
        return render_template("account/password_link.html", form=None, expired=True), 410
    form = NewPasswordForm()
    if request.method == "GET":
        return render_template("account/password_link.html", form=form, kind=data["k"])
    if not form.validate():
        return render_template("account/password_link.html", form=form, kind=data["k"]), 400
    if form.new.data != form.again.data:
        form.again.errors = [_("The two passwords are not the same.")]
        return render_template("account/password_link.html", form=form, kind=data["k"]), 422
    try:
        with write_session(registry_of().engine) as s:
            actions.use_password_link(s, data["u"], data["f"], form.new.data or "")
    except AccountError as exc:
        if "link" in str(exc.args[0]):
            return render_template("account/password_link.html", form=None, expired=True), 410
        form.new.errors = [localized(exc.args[0])]
        return render_template("account/password_link.html", form=form, kind=data["k"]), 422
    flash(_("Your password is set. Sign in with your e-mail address and it."), "success")
    return redirect(url_for("account.sign_in"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password():
    form = ResetForm()
    if request.method == "GET":
        return render_template("account/forgot.html", form=form)
    if not form.validate():
        return render_template("account/forgot.html", form=form), 400
    try:
        with write_session(registry_of().engine) as s:
            actions.request_password_reset(
                s, form.email.data or "", request.remote_addr or "",
                link_for=link_maker("reset"), locale=current_locale(),
            )  # fmt: skip
    except accounts.Throttled as exc:
        flash(_("Too many requests. Wait %(minutes)s minutes and try again.",
                minutes=exc.minutes), "error")  # fmt: skip
        return render_template("account/forgot.html", form=form), 429
    return render_template("account/forgot.html", form=None, sent=True)
