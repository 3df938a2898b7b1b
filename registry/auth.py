"""Who is asking: a signed-in browser session (Flask-Login) or an API bearer token. Web pages
and the JSON API both ask `current_principal()`.

CSRF is checked on every unsafe request, except one authenticated by a bearer token — decided
per request, never by exempting an endpoint. Sessions carry the user's session version, so
signing out (which bumps it) ends the session on the server for every worker.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import lazy_gettext
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from . import accounts
from .accounts import Principal
from .errors import error_response
from .extensions import db, is_api_request, token_uses
from .messages import msg
from .models import User

login_manager = LoginManager()
csrf = CSRFProtect()
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
SIGN_IN_FIRST = msg("send Authorization: Bearer <token> (or sign in)")


class SignedIn(UserMixin):
    """The Flask-Login user: a principal whose id includes its session version."""

    def __init__(self, principal: Principal):
        self.principal = principal

    def get_id(self) -> str:
        return f"{self.principal.id}:{self.principal.session_version}"


class Anonymous(AnonymousUserMixin):
    principal = None


def current_principal() -> Principal | None:
    """The bearer-token user on API requests that carry one, else the session's user."""
    if g.get("bearer_principal") is not None:
        return g.bearer_principal
    return current_user.principal if current_user.is_authenticated else None


@login_manager.user_loader
def _load_user(user_id: str) -> SignedIn | None:
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db().get(User, uid)
    if user is None or not user.active or user.session_version != version:
        return None
    return SignedIn(Principal.of(user))


# Endpoints whose unsafe requests carry their own authority, a signed link that only its
# recipient holds (a digest's one-click unsubscribe, RFC 8058): no CSRF token is asked.
SIGNED_LINK_ENDPOINTS: set[str] = set()


def _authenticate_and_protect():
    """Bearer tokens on the API (401 when bad); otherwise CSRF on every unsafe request."""
    g.bearer_principal = None
    header = request.headers.get("Authorization", "")
    if is_api_request() and header[:7].lower() == "bearer ":
        found = accounts.token_holder(db(), header[7:])  # a read: no write lock is taken
        if found is None:
            return error_response(401, "unauthorized", msg("the bearer token is not valid"))
        user, token_id = found
        g.bearer_principal = Principal.of(user)
        token_uses().note(token_id)
        return None  # this request is authenticated by its token: nothing for CSRF to protect
    if request.method in SAFE_METHODS or request.endpoint in SIGNED_LINK_ENDPOINTS:
        return None
    if is_api_request() and not current_user.is_authenticated:
        return error_response(401, "unauthorized", SIGN_IN_FIRST)
    csrf.protect()
    return None


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked per request in the hook above
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "account.sign_in"
    login_manager.login_message = lazy_gettext("Sign in to see this page.")
    login_manager.session_protection = None  # the session version does this, across workers
    app.before_request(_authenticate_and_protect)
    app.jinja_env.globals["current_principal"] = current_principal
