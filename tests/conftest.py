"""Fixtures: an app on a temporary instance (real SQLite file, real Whoosh index folder), a
client, a CLI runner, factories that write through the service layer, and the same storage
on a real PostgreSQL database where one answers (tests marked `postgres`)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from registry import accounts, actions, create_app, schema_migrations
from registry.db import make_engine, write_session

from .smtp_server import smtp_server  # noqa: F401 (a fixture: a real SMTP server, issue 18)

POSTGRES_URL = os.environ.get(
    "REGISTRY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


# What a curator needs before a record's first review (schemas.REVIEW_NEEDS), as test values.
REVIEW_READY: dict[str, Any] = {
    "description": "Lorem ipsum dolor sit amet.",
    "start_year": 2012,
    "sources": [{"title": "Lorem report", "url": "https://example.org/lorem"}],
}


def draft_record(**overrides: Any) -> dict[str, Any]:
    """A minimal valid initiative: what a draft needs; override any field."""
    record = {
        "title": "Citizen patrols with the local police",
        "summary": "Volunteers and officers walk the neighbourhood together.",
        "country": "FR",
        "sector": "public_safety",
        "stages": ["design", "deliver"],
        "maturity": "pilot",
    }
    record.update(overrides)
    return record


def valid_record(**overrides: Any) -> dict[str, Any]:
    """A valid initiative that can also be submitted for review (draft_record with
    REVIEW_READY's description, start year and source); override any field."""
    return draft_record(**{**REVIEW_READY, **overrides})


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "registry.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    schema_migrations.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def instance(tmp_path, sqlite_template) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "registry.sqlite3")
    return folder


# --- PostgreSQL ---------------------------------------------------------------------------


def _postgres_admin() -> Engine | None:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        engine.dispose()
        return None
    return engine


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[tuple[Engine, str]]:
    """An admin connection and a migrated template database, private to this test run."""
    admin = _postgres_admin()
    if admin is None:
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL}")
    template = f"registry_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{template}"'))
    url = make_url(POSTGRES_URL).set(database=template).render_as_string(hide_password=False)
    engine = make_engine(url)
    schema_migrations.upgrade(engine)
    engine.dispose()
    yield admin, template
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_server) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    admin, template = postgres_server
    name = f"registry_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- Storage on either engine ---------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, instance) -> str:
    """Run a test on SQLite and again on PostgreSQL."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{instance / 'registry.sqlite3'}"


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


# --- The application ------------------------------------------------------------------------


def _app(instance: Path, database_url: str):
    app = create_app(
        {
            "instance_dir": instance,
            "database_url": database_url,
            "index_dir": instance / "index",
            "secret_key": "test-secret",
            "TESTING": True,
        }
    )
    return app


@pytest.fixture
def app(instance):
    """An app on a real SQLite file in a temporary instance folder."""
    app = _app(instance, f"sqlite:///{instance / 'registry.sqlite3'}")
    yield app
    app.extensions["registry"].engine.dispose()


@pytest.fixture
def any_app(instance, database_url):
    """The app on SQLite, and again on PostgreSQL."""
    app = _app(instance, database_url)
    yield app
    app.extensions["registry"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


# The workflow steps that bring a new draft to each state, as (action, who) with who being
# "owner" or "curator" (registry.actions.workflow.TABLE).
PATHS: dict[str, tuple[tuple[str, str], ...]] = {
    "draft": (),
    "submitted": (("submit", "owner"),),
    "published": (("submit", "owner"), ("publish", "curator")),
    "rejected": (("submit", "owner"), ("reject", "curator")),
    "withdrawn": (("submit", "owner"), ("withdraw", "owner")),
    "deleted": (("delete", "curator"),),
}


def bring_to(session, initiative_id: int, status: str, owner, curator=actions.SYSTEM) -> None:
    """Move a draft to `status` through the actions, as its owner and a curator would."""
    for name, who in PATHS[status]:
        principal = owner if who == "owner" else curator
        if name == "reject":
            actions.reject(session, principal, initiative_id, "needs sources")
        else:
            getattr(actions, name)(session, principal, initiative_id)


def engine_of(target) -> Engine:
    return target.extensions["registry"].engine if hasattr(target, "extensions") else target


def run_import(target, rows, principal=actions.SYSTEM, **options: Any):
    """Import `rows` as the command line does (through the import action, one transaction)."""
    with write_session(engine_of(target)) as session:
        return actions.import_rows(session, principal, rows, actions.ImportOptions(**options))


def propose_edit(target, initiative_id: int, **changes: Any) -> None:
    """Put an edit, waiting for review, beside one of the registry's own published records (as
    a curator's import without publishing does)."""
    from registry import initiatives
    from registry.models import Initiative
    from registry.transfer.importing import Row

    with write_session(engine_of(target)) as s:
        record = initiatives.editable_fields(s.get(Initiative, initiative_id))
        actions.import_rows(s, actions.SYSTEM, [Row("edit", {**record, **changes})])


@pytest.fixture
def make_initiative(request):
    """make_initiative(status, target=app or engine, **fields) -> id of one of the registry's
    own records (owned by the curators), brought to `status` through the actions."""

    def make(status: str = "published", target=None, **fields: Any) -> int:
        engine = engine_of(target or request.getfixturevalue("app"))
        with write_session(engine) as session:
            initiative = actions.create(session, actions.SYSTEM, valid_record(**fields))
            bring_to(session, initiative.id, status, actions.SYSTEM)
            return initiative.id

    return make


@pytest.fixture
def cli_env(monkeypatch, instance):
    """Environment for `registry` commands run in-process on the temporary instance."""
    monkeypatch.setenv("REGISTRY_INSTANCE_DIR", str(instance))
    monkeypatch.setenv("REGISTRY_DATABASE_URL", f"sqlite:///{instance / 'registry.sqlite3'}")
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "test-secret")
    return instance


# --- Accounts (issue 4) ---------------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashes():
    """Hash the tests' passwords with argon2's cheapest parameters (a real argon2 hash, checked
    by the real verifier, which reads the parameters from the hash): the default ones cost
    ~0.2 s per account by design."""
    default = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    accounts._hasher = default


def create_people(engine: Engine, people: dict[str, tuple[str, str, str]]) -> dict[str, Any]:
    """Accounts made through the actions, password PASSWORD: {key: (email, role, organisation)}
    -> {key: Principal}."""
    found: dict[str, Any] = {}
    with write_session(engine) as s:
        for key, (email, role, org) in people.items():
            user = actions.create_user(
                s, actions.SYSTEM, email, role=role, password=PASSWORD, organisation=org
            )
            found[key] = accounts.Principal.of(user)
    return found


@pytest.fixture
def users(app) -> dict[str, Any]:
    """Accounts of every role: a submitter and a colleague in "Ville de Lyon", a curator and an
    admin in "Registry curators", a submitter in "Stadt Wien". Maps keys to Principals."""
    return create_people(
        app.extensions["registry"].engine,
        {
            "submitter": ("sub@lyon.example", "submitter", "Ville de Lyon"),
            "curator": ("cur@registry.example", "curator", "Registry curators"),
            "admin": ("admin@registry.example", "admin", "Registry curators"),
            "other": ("sub@wien.example", "submitter", "Stadt Wien"),
            "colleague": ("colleague@lyon.example", "submitter", "Ville de Lyon"),
        },
    )


def csrf_from(html: str) -> str:
    """The CSRF token of the first form of a page, as a browser would send it back."""
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def sign_in(app):
    """sign_in(email) -> a test client signed in through the real form (with its CSRF token)."""

    def make(email: str, password: str = PASSWORD):
        client = app.test_client()
        token = csrf_from(client.get("/sign-in").get_data(as_text=True))
        response = client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def api_token(app):
    """api_token(email) -> headers with a fresh bearer token for that account."""

    def make(email: str) -> dict[str, str]:
        with write_session(app.extensions["registry"].engine) as s:
            token = actions.create_token(s, actions.SYSTEM, for_email=email)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def make_owned(app):
    """make_owned(principal, status=..., **fields) -> id of an initiative of that user's
    organisation, brought to `status` through the actions (a curator publishes or rejects)."""

    def make(owner, status: str = "draft", **fields: Any) -> int:
        with write_session(app.extensions["registry"].engine) as s:
            i = actions.create(s, owner, valid_record(**fields))
            bring_to(s, i.id, status, owner)
            return i.id

    return make
