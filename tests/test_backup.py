"""`registry backup FILE` while the site is written to, `registry restore FILE` into a new
instance: every write acknowledged before the backup began is there, and the rebuilt index
agrees with the database (issue 20, finding 9). On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from registry import actions
from registry.db import make_engine, read_session, write_session
from registry.models import Initiative

from .conftest import bring_to, valid_record

pytestmark = pytest.mark.slow


def registry(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "registry", *args], env={**os.environ, **env},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def new_database(request, tmp_path):
    """Where the restored instance keeps its data: a new SQLite file or a new, empty
    PostgreSQL database."""

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / 'restored' / 'registry.sqlite3'}"
        admin, _template = request.getfixturevalue("postgres_server")
        name = f"registry_r_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        request.addfinalizer(lambda: _drop(admin, name))
        return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)

    return make


def _drop(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_backup_under_writes_restores_every_acknowledged_write(
    database_url, instance, tmp_path, new_database
):
    engine = make_engine(database_url)
    acknowledged: list[tuple[float, int, str, bool]] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        n = 0
        while not stop.is_set():
            title = f"Written by worker {worker} number {n}"
            with write_session(engine) as s:
                created = actions.create(s, actions.SYSTEM, valid_record(title=title))
                if n % 2:
                    bring_to(s, created.id, "published", actions.SYSTEM)
                created_id = created.id
            acknowledged.append((time.monotonic(), created_id, title, n % 2 == 1))
            n += 1

    def written(count: int) -> None:
        """Wait until `count` writes were acknowledged (however slow the machine is)."""
        deadline = time.monotonic() + 120
        while len(acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    written(12)
    started = time.monotonic()
    source = {"REGISTRY_INSTANCE_DIR": str(instance), "REGISTRY_DATABASE_URL": database_url,
              "REGISTRY_SECRET_KEY": "k"}  # fmt: skip
    backup_file = tmp_path / "registry.backup"
    made = registry(source, "backup", str(backup_file))
    written(len(acknowledged) + 3)  # writes go on after the backup, too
    stop.set()
    for t in threads:
        t.join()
    engine.dispose()
    assert made.returncode == 0, made.stderr
    before = [(i, title) for at, i, title, _ in acknowledged if at < started]
    published = [title for at, _, title, public in acknowledged if at < started and public]
    assert len(before) > 10 and len(acknowledged) > len(before)  # writes went on meanwhile

    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    target_url = new_database(kind)
    target = {"REGISTRY_INSTANCE_DIR": str(tmp_path / "restored"),
              "REGISTRY_DATABASE_URL": target_url, "REGISTRY_SECRET_KEY": "k"}  # fmt: skip
    restored = registry(target, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    restored_engine = make_engine(target_url)
    with read_session(restored_engine) as s:
        titles = dict(s.execute(select(Initiative.id, Initiative.title)).all())
    restored_engine.dispose()
    missing = [(i, title) for i, title in before if titles.get(i) != title]
    assert not missing, missing[:5]
    check = registry(target, "index", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    exported = registry(target, "export", "--format", "json").stdout
    assert all(f'"{title}"' in exported for title in published)

    again = registry(target, "restore", str(backup_file))
    assert again.returncode != 0 and "--force" in again.stderr
    forced = registry(target, "restore", "--force", str(backup_file))
    assert forced.returncode == 0, forced.stderr
    assert registry(target, "index", "check").returncode == 0


def test_restore_refuses_a_file_that_is_not_a_backup(cli_env, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    result = registry(
        {"REGISTRY_INSTANCE_DIR": str(tmp_path / "x"),
         "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'x' / 'r.sqlite3'}"},
        "restore", str(bogus),
    )  # fmt: skip
    assert result.returncode != 0
    assert "not a registry backup" in result.stderr and "Traceback" not in result.stderr
