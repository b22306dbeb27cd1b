"""The house plan, read from the code itself: layers, import graph, names and where SQL lives."""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "comments_service"
ROOT = "comments_service"
FEATURES = ("submission", "moderation", "spam", "linkbacks", "notify", "porting", "baking", "rendering")
# Packages on PyPI whose names a module would shadow in a reader's mind, if not in Python's.
POPULAR = {"requests", "flask", "jinja2", "markdown", "pelican", "sqlalchemy", "alembic", "click", "lxml", "yaml"}
# Names that build SQL: outside the store only the session and connection types and the errors are used.
ALLOWED_SQLALCHEMY = {"Session", "Connection", "Engine"}
QUERY_CALLS = {"execute", "scalar", "scalars", "exec_driver_sql", "query"}


@dataclass(frozen=True)
class Module:
    """One module of the service: its dotted name, its file and its parsed source."""

    name: str
    path: Path
    tree: ast.Module

    @property
    def unit(self) -> str:
        """Return the package (or app-level module) this module belongs to, below comments_service."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else ROOT

    @property
    def package(self) -> str:
        """Return the dotted package relative imports start from."""
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]


@cache
def modules() -> tuple[Module, ...]:
    """Return every Python module of the service."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"))))
    return tuple(found)


def imports(module: Module) -> list[tuple[str, list[str], int]]:
    """Return each import in module (functions' lazy ones too) as (absolute module, names, line)."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.package.split(".")[: len(module.package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            if target.startswith(ROOT):
                # `from . import x` may name a module: count x as imported.
                found.extend((f"{target}.{name}", [], node.lineno) for name in names if _is_module(f"{target}.{name}"))
            found.append((target, names, node.lineno))
    return found


def _is_module(name: str) -> bool:
    return any(m.name == name for m in modules())


def _unit_of(target: str) -> str | None:
    parts = target.split(".")
    if parts[0] != ROOT:
        return None
    return parts[1] if len(parts) > 1 else ROOT


def test_the_service_folder_shows_the_architecture() -> None:
    app_modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert len(app_modules) <= 8, f"more than eight app-level modules: {app_modules}"
    assert "store" in packages
    assert set(FEATURES) <= set(packages), f"feature packages missing: {set(FEATURES) - set(packages)}"


def test_the_store_imports_nothing_above_it() -> None:
    wrong = [
        f"{m.name}:{line} imports {target}"
        for m in modules()
        if m.unit == "store"
        for target, _names, line in imports(m)
        if target.startswith(ROOT)
        and _unit_of(target) != "store"
        or target.split(".")[0] in ("flask", "jinja2", "werkzeug")
    ]
    assert not wrong, "the store imports from above it:\n" + "\n".join(wrong)


def test_no_sql_outside_the_store() -> None:
    wrong = []
    for m in modules():
        if m.unit == "store":
            continue
        for target, names, line in imports(m):
            if target.split(".")[0] == "sqlalchemy" and not names:
                # A plain `import sqlalchemy` (or of a submodule) binds the whole package, select() and all.
                wrong.append(f"{m.name}:{line} imports {target} whole")
            elif target == "sqlalchemy" and set(names) - ALLOWED_SQLALCHEMY:
                wrong.append(f"{m.name}:{line} imports {sorted(set(names) - ALLOWED_SQLALCHEMY)} from sqlalchemy")
            elif target.startswith("sqlalchemy.") and target not in ("sqlalchemy.orm", "sqlalchemy.exc"):
                wrong.append(f"{m.name}:{line} imports {target}")
            elif target == "sqlalchemy.orm" and set(names) - ALLOWED_SQLALCHEMY:
                wrong.append(f"{m.name}:{line} imports {sorted(set(names) - ALLOWED_SQLALCHEMY)} from sqlalchemy.orm")
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_CALLS:
                wrong.append(f"{m.name}:{node.lineno} runs .{node.func.attr}(…)")
    assert not wrong, "SQL outside comments_service/store/:\n" + "\n".join(wrong)


def test_no_package_imports_another_packages_private_names() -> None:
    wrong = [
        f"{m.name}:{line} imports {name} from {target}"
        for m in modules()
        for target, names, line in imports(m)
        if target.startswith(ROOT) and _unit_of(target) != m.unit
        for name in names
        if name.startswith("_") or any(part.startswith("_") and part != "__init__" for part in target.split("."))
    ]
    assert not wrong, "private names used across packages:\n" + "\n".join(wrong)


def test_no_import_cycle_runs_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for m in modules():
        for target, _names, _line in imports(m):
            unit = _unit_of(target)
            if unit is not None and unit not in (m.unit, ROOT) and m.unit != ROOT:
                graph[m.unit].add(unit)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"an import cycle runs between packages: {' -> '.join(error.args[1])}")


def test_no_module_carries_the_name_of_a_standard_or_popular_package() -> None:
    shadowing = [m.name for m in modules() if m.name.rpartition(".")[2] in (sys.stdlib_module_names | POPULAR)]
    assert not shadowing, f"modules named like a standard or popular package: {shadowing}"


def test_no_two_classes_share_a_name() -> None:
    classes: dict[str, list[str]] = defaultdict(list)
    for m in modules():
        for node in m.tree.body:
            if isinstance(node, ast.ClassDef):
                classes[node.name].append(m.name)
    shared = {name: where for name, where in classes.items() if len(where) > 1}
    assert not shared, f"class names used twice: {shared}"
