"""Only the action layer writes (docs/architecture.md, "The action layer"): a write outside an
action, or inside one that skipped its permission check, fails loudly at run time; and no module
outside `registry/actions/` reaches for the layer's storage or its write permit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from registry import actions, db
from registry.actions import guard, storage
from registry.db import UnguardedWrite, write_session
from registry.models import Initiative, Organisation

from .conftest import valid_record

REGISTRY = Path(__file__).resolve().parents[1] / "registry"
DOCS = Path(__file__).resolve().parents[1] / "docs"
# What only the layer may call: its storage module, its write permit, and the functions of
# registry.accounts that change accounts, organisations and tokens.
LAYER_ONLY_MODULES = {"registry.actions.storage", "registry.actions.guard"}
LAYER_ONLY_NAMES = {"WRITE_PERMIT", "permit", "storage"}
ACCOUNT_WRITES = {
    "create_user", "organisation_named", "create_token", "revoke_token", "revoke_tokens",
    "change_password", "end_sessions", "sign_out_everywhere", "set_locale",
}  # fmt: skip
GUARDED_MODELS = {"Initiative", "InitiativeTerm", "InitiativeTag", "InitiativeKey",
                  "Revision", "ChangeLog", "User", "Organisation"}  # fmt: skip


def test_writing_a_record_outside_an_action_fails(engine):
    with pytest.raises(UnguardedWrite, match="initiative"), write_session(engine) as s:
        s.add(Initiative(slug="x", title="Sneaked in", summary="S.", country="FR",
                         sector="health", maturity="pilot"))  # fmt: skip


def test_changing_an_account_outside_an_action_fails(engine):
    with pytest.raises(UnguardedWrite, match="organisation"), write_session(engine) as s:
        s.add(Organisation(name="Sneaked in"))


def test_changing_a_record_through_a_query_outside_an_action_fails(engine, make_initiative):
    from sqlalchemy import update

    record = make_initiative(target=engine)
    with pytest.raises(UnguardedWrite), write_session(engine) as s:
        s.execute(update(Initiative).where(Initiative.id == record).values(status="published"))


def test_an_action_that_forgets_its_permission_check_cannot_write(engine):
    @guard.action("careless")
    def careless(session, principal):
        initiative = storage.new_row(organisation_id=None, created_by_id=None, illustrative=False)
        session.add(initiative)

    try:
        with pytest.raises(UnguardedWrite), write_session(engine) as s:
            careless(s, actions.SYSTEM)
    finally:
        del guard.ACTIONS["careless"]


def test_a_permission_check_outside_an_action_permits_nothing():
    with pytest.raises(RuntimeError, match="outside an action"):
        guard.permit("edit")
    assert db.WRITE_PERMIT.get() is None


def test_the_permit_ends_with_the_action(engine):
    with write_session(engine) as s:
        actions.create(s, actions.SYSTEM, valid_record())
        assert db.WRITE_PERMIT.get() is None


def _modules():
    for path in sorted(REGISTRY.rglob("*.py")):
        relative = path.relative_to(REGISTRY.parent).with_suffix("")
        yield ".".join(relative.parts), path, ast.parse(path.read_text(encoding="utf-8"))


def _imported(name: str, node: ast.ImportFrom) -> str:
    """The absolute module of a `from … import …` in module `name` (a.b.__init__ for a
    package)."""
    if not node.level:
        return node.module or ""
    package = name.split(".")[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def test_no_module_outside_the_layer_reaches_its_storage_or_permit():
    problems = []
    for name, path, tree in _modules():
        if name.startswith("registry.actions") or ".migrations." in name:
            continue
        for node in ast.walk(tree):
            where = f"{path.relative_to(REGISTRY.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom):
                module = _imported(name, node)
                names = {a.name for a in node.names}
                if module in LAYER_ONLY_MODULES or (
                    module in ("registry.actions", "registry.db") and names & LAYER_ONLY_NAMES
                ):
                    problems.append(f"{where}: imports {module} {sorted(names)}")
            elif isinstance(node, ast.Attribute) and node.attr in LAYER_ONLY_NAMES - {"storage"}:
                problems.append(f"{where}: uses .{node.attr}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ACCOUNT_WRITES
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "accounts"
                and name != "registry.accounts"
            ):
                problems.append(f"{where}: calls accounts.{node.func.attr} (use registry.actions)")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("insert", "update", "delete")
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in GUARDED_MODELS
            ):
                problems.append(f"{where}: {node.func.id}({node.args[0].id}) outside the layer")
    assert not problems, "\n".join(problems)


def test_the_static_check_sees_a_module_that_writes_around_the_layer(tmp_path, monkeypatch):
    rogue = REGISTRY / "rogue_for_test.py"
    rogue.write_text(
        "from .actions.storage import save\nfrom . import accounts\n"
        "def f(s):\n    accounts.create_token(s, None)\n    s.execute(update(Initiative))\n",
        encoding="utf-8",
    )
    try:
        with pytest.raises(AssertionError) as caught:
            test_no_module_outside_the_layer_reaches_its_storage_or_permit()
    finally:
        rogue.unlink()
    report = str(caught.value)
    assert "imports registry.actions.storage" in report
    assert "calls accounts.create_token" in report and "update(Initiative)" in report


def test_the_architecture_document_lists_every_action():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    missing = [name for name in guard.ACTIONS if f"`{name}`" not in text]
    assert not missing, f"docs/architecture.md does not list {missing}"
    table = {(s.value, a) for s, a in actions.TABLE}
    undocumented = [f"{s} × {a}" for s, a in table if f"| {s} | {a} |" not in text]
    assert not undocumented, f"docs/architecture.md's state table lacks {undocumented}"
