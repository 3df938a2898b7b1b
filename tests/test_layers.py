"""The modules of registry/ import only downward, never in a circle, and never inside a function.

Every `import` of every module is read with `ast`, those inside functions included (a deferred
import is still a dependency, only a hidden one), and checked against LAYERS: the ranked table
that docs/architecture.md describes. The checks name the file, the line and the way out.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "registry"

# Lowest first. A module may import modules of its own rank or of a lower one, never of a higher
# one. A name is a module or a package of registry/ (with its submodules, unless one of them is
# ranked on its own); "__init__" and "__main__" are the package's own files.
LAYERS: tuple[tuple[str, ...], ...] = (
    # Foundations: settings, messages and the controlled vocabularies; no database.
    (
        "paths",
        "config",
        "messages",
        "vocab",
        "countries",
        "markdown",
        "regions",
        "charts",
        "estimates",
        "jsontext",
        "completeness",
        "map_svg",
    ),
    # The survey's reference figures and the reading of data files.
    ("survey",),
    # Tables and engines.
    ("models", "db", "schema_migrations", "migrations", "backup"),
    # The contract's models: validation of incoming records and uploaded files, the shapes of
    # outgoing JSON.
    ("schemas", "shapes", "media"),
    # Reading records and their media (the visibility rules, the record shapes), and the
    # account rows.
    ("initiatives", "accounts", "media.reading", "curation", "links", "translations"),
    # Reads over storage: filters, public browsing, search, statistics, the open-data formats
    # (reading and writing files) and the OpenAPI document.
    ("filters", "catalogue", "search", "stats", "transfer", "openapi", "token_uses"),
    # (issue 18) The mail outbox (queueing in an action's transaction, SMTP delivery); reading
    # and checking curated collections; citations of published versions; saved searches;
    # personal lists.
    ("mail", "collections", "citations", "alerts", "lists"),
    # Every change to a record or an account: permissions, the state table, the writes.
    ("actions",),
    # Writers through the actions: the seeds.
    ("seeds",),
    # (issue 18) Delivering the outbox through the actions.
    ("outbox",),
    # What the two interfaces share: app-held objects and request helpers, who is asking, the
    # language, security headers, the JSON error body.
    ("extensions", "auth", "i18n", "security", "errors"),
    # The interfaces: HTML pages and the JSON API.
    ("web", "api"),
    # Entry points.
    ("app", "cli", "wsgi", "__init__", "__main__"),
)
# Modules of one rank may import each other, except these: neither interface uses the other (what
# both need lives in the rank below).
APART = (("web", "api"),)


@dataclass(frozen=True)
class Import:
    source: str  # dotted module name
    target: str  # dotted module name, resolved
    path: Path
    line: int
    in_function: bool


def _module_files() -> dict[str, Path]:
    files = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    return files


def _resolve(base: str, name: str, modules: dict[str, Path]) -> str:
    """`base.name` when that is a module, else `base` (`name` is then an attribute of it)."""
    candidate = f"{base}.{name}" if base else name
    return candidate if candidate in modules else base


def _imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - child.level + 1])
                    base = f"{base}.{child.module}" if child.module else base
                else:
                    base = child.module or ""
                targets = [_resolve(base, alias.name, modules) for alias in child.names]
            for target in targets:
                found.append(Import(module, target, path, child.lineno, inside))
            visit(child, inside)

    visit(tree, False)
    return found


@cache
def _graph() -> tuple[dict[str, Path], tuple[Import, ...]]:
    """Every module of the package and every import between two of them.

    Importing `registry.a.b` from outside `registry.a` first runs `registry/a/__init__.py`, so
    it also depends on that package (not on `registry` itself: Python runs the root package
    before anything else, and nothing imports it).
    """
    modules = _module_files()
    edges: dict[tuple[str, str, int], Import] = {}
    for module, path in modules.items():
        for imp in _imports_of(module, path, modules):
            if imp.target != PACKAGE and not imp.target.startswith(PACKAGE + "."):
                continue
            edges.setdefault((module, imp.target, imp.line), imp)
            parts = imp.target.split(".")
            for n in range(2, len(parts)):
                parent = ".".join(parts[:n])
                if not (module == parent or module.startswith(parent + ".")):
                    implied = Import(module, parent, imp.path, imp.line, imp.in_function)
                    edges.setdefault((module, parent, imp.line), implied)
    return modules, tuple(edges.values())


def _short(module: str) -> str:
    if module == PACKAGE:
        return "__init__"
    return module.removeprefix(PACKAGE + ".")


def _entry(module: str) -> str | None:
    """The LAYERS name that ranks `module`: the longest that is the module or a package of it."""
    short = _short(module)
    names = [n for rank in LAYERS for n in rank if short == n or short.startswith(n + ".")]
    return max(names, key=len, default=None)


def _rank(module: str) -> int:
    entry = _entry(module)
    return next(i for i, rank in enumerate(LAYERS) if entry in rank)


def _where(imp: Import) -> str:
    return f"{imp.path.relative_to(ROOT)}:{imp.line}"


def _layer(module: str) -> str:
    rank = _rank(module)
    return f"rank {rank} ({', '.join(LAYERS[rank])})"


def test_every_module_has_a_rank():
    modules, _ = _graph()
    unranked = [str(path.relative_to(ROOT)) for m, path in modules.items() if _entry(m) is None]
    assert not unranked, (
        "modules without a place in LAYERS (tests/test_layers.py): "
        + ", ".join(unranked)
        + "\nadd each to the rank of what it does, then check that its imports agree"
    )


def test_no_module_imports_a_higher_layer():
    _, edges = _graph()
    upward = [
        f"  {_where(imp)}: {_short(imp.source)} imports {_short(imp.target)}\n"
        f"      {_short(imp.source)} is in {_layer(imp.source)}\n"
        f"      {_short(imp.target)} is in {_layer(imp.target)}"
        for imp in edges
        if _entry(imp.source) and _entry(imp.target) and _rank(imp.target) > _rank(imp.source)
    ]
    assert not upward, (
        "imports that reach up a layer (LAYERS in tests/test_layers.py, lowest first):\n"
        + "\n".join(upward)
        + "\nmove what the lower module needs down to its layer (or below), or let the higher "
        "module pass it in; do not hide the import inside a function"
    )


def test_the_interfaces_do_not_import_each_other():
    _, edges = _graph()
    apart = {frozenset(pair) for pair in APART}
    crossing = [
        f"  {_where(imp)}: {_short(imp.source)} imports {_short(imp.target)}"
        for imp in edges
        if frozenset({_area(imp.source), _area(imp.target)}) in apart
    ]
    assert not crossing, (
        "the interfaces reach into each other:\n"
        + "\n".join(crossing)
        + "\nmove what both need to the rank below them (extensions, auth, i18n, errors)"
    )


def _area(module: str) -> str:
    return _short(module).split(".")[0]


def _cycle_through(start: str, graph: dict[str, set[str]]) -> list[str]:
    """A shortest path start → … → start (breadth first)."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        current = queue.pop(0)
        for nxt in sorted(graph[current]):
            if nxt == start:
                return [*paths[current], start]
            if nxt not in paths:
                paths[nxt] = [*paths[current], nxt]
                queue.append(nxt)
    return []


def test_no_modules_import_each_other_in_a_circle():
    _, edges = _graph()
    graph: dict[str, set[str]] = defaultdict(set)
    lines: dict[tuple[str, str], Import] = {}
    for imp in edges:
        if imp.source != imp.target:
            graph[imp.source].add(imp.target)
            lines.setdefault((imp.source, imp.target), imp)
    cycles, seen = [], set()
    for start in sorted(graph):
        cycle = _cycle_through(start, graph)
        if cycle and frozenset(cycle) not in seen:
            seen.add(frozenset(cycle))
            steps = [
                f"      {_short(a)} → {_short(b)} ({_where(lines[a, b])})"
                for a, b in pairwise(cycle)
            ]
            cycles.append(f"  {' → '.join(map(_short, cycle))}\n" + "\n".join(steps))
    assert not cycles, (
        "modules that import each other in a circle:\n"
        + "\n".join(cycles)
        + "\nbreak each circle by moving what both sides need into a module below them "
        "(for a package: its __init__ registers, a sibling module holds what its modules share)"
    )


def test_no_registry_module_is_imported_inside_a_function():
    _, edges = _graph()
    hidden = [
        f"  {_where(imp)}: {_short(imp.source)} imports {_short(imp.target)} inside a function"
        for imp in edges
        if imp.in_function
    ]
    assert not hidden, (
        "imports of the registry's own modules belong at the top of the file, where the layer "
        "checks and the reader see them:\n" + "\n".join(hidden)
    )


def test_other_imports_inside_functions_say_why_they_are_deferred():
    """Deferring a heavy or optional dependency is fine, with a comment on the line or above."""
    modules, _ = _graph()
    silent = []
    for module, path in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for imp in _imports_of(module, path, modules):
            if not imp.in_function or imp.target.split(".")[0] == PACKAGE:
                continue
            above = lines[imp.line - 2] if imp.line > 1 else ""
            said = "#" in lines[imp.line - 1] or above.strip().startswith("#")
            if not said:
                silent.append(f"  {_where(imp)}: {imp.target}")
    assert not silent, (
        "imports inside functions without a comment saying why they are deferred "
        "(import at the top of the file unless the dependency is heavy or optional):\n"
        + "\n".join(silent)
    )


def test_the_checks_see_an_upward_import_inside_a_function(tmp_path):
    """The walker reads imports nested in functions and resolves relative ones."""
    source = tmp_path / "probe.py"
    source.write_text(
        "import json\n\n\ndef f():\n    from . import forms\n    from ..app import db\n"
    )
    found = _imports_of("registry.web.probe", source, _module_files())
    assert [(i.target, i.line, i.in_function) for i in found] == [
        ("json", 1, False),
        ("registry.web.forms", 5, True),
        ("registry.app", 6, True),
    ]
    assert _rank("registry.web.browse") > _rank("registry.vocab")
    assert _rank("registry.seeds") > _rank("registry.transfer.importing")
    assert _rank("registry.actions.publish") > _rank("registry.initiatives")
