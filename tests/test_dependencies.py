"""Dependencies: every declared one is used, and the lock files pin each of them with hashes
(issue 20, findings 8 and "locked, audited dependencies"; issue 19: running installs no test
tools)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUN_LOCK = ROOT / "requirements" / "run.txt"
TEST_LOCK = ROOT / "requirements" / "test.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", re.M)


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def _imported_distributions(folder: Path) -> set[str]:
    modules = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    owners = packages_distributions()
    return {canonicalize_name(d) for m in modules for d in owners.get(m, [])}


# Declared although nothing imports them by name, and why.
USED_WITHOUT_IMPORT = {
    "psycopg": "SQLAlchemy loads it for postgresql:// URLs",
    "jinja2": "Flask renders the templates with it; 3.1.4 fixed CVE-2024-34064",
}


def test_every_runtime_dependency_is_imported_by_the_registry():
    declared = _names(PROJECT["dependencies"]) - set(USED_WITHOUT_IMPORT)
    unused = declared - _imported_distributions(ROOT / "registry")
    assert not unused, f"declared but never imported: {sorted(unused)}"


def _pins(lock: Path) -> dict[str, str]:
    return {canonicalize_name(m[1]): m[3] for m in PIN.finditer(lock.read_text())}


def test_the_lock_files_pin_every_dependency_with_hashes():
    run, test = _pins(RUN_LOCK), _pins(TEST_LOCK)
    assert _names(PROJECT["dependencies"]) <= set(run)
    assert _names(PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]) <= set(test)
    for lock in (RUN_LOCK, TEST_LOCK):
        entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text().split("\n\n", 1)[-1])
        for entry in entries:
            if PIN.match(entry):
                assert "--hash=sha256:" in entry, (lock.name, entry.splitlines()[0])
    assert all(test[name] == version for name, version in run.items() if name in test)


def test_running_installs_no_test_tool():
    run = set(_pins(RUN_LOCK))
    for tool in ("pytest", "playwright", "schemathesis", "hypothesis", "ruff", "pip-audit"):
        assert tool not in run, tool


def test_the_installed_versions_are_the_locked_ones():
    from importlib.metadata import PackageNotFoundError, version

    for name, pinned in _pins(TEST_LOCK).items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # e.g. build tools installed only while building
        assert canonicalize_name(installed) == canonicalize_name(pinned), name


@pytest.mark.slow
def test_the_audit_fails_loudly_when_its_service_is_unreachable(tmp_path):
    """`make audit` must never pass silently without having asked the vulnerability service."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "PIP_AUDIT_TIMEOUT": "3"}  # fmt: skip
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "audit-only", f"BIN={Path(sys.executable).parent}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert "audit: FAILED" in result.stderr and "ProxyError" in result.stderr, result.stderr[-2000:]
