"""The layer rule, checked on the import graph: cli → deployments → flows → tasks → breachflow, no cycles."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import REPO

LAYERS = ["cli", "deployments", "flows", "tasks", "breachflow"]  # each may import only those after it
# Inside the domain: sub-packages ordered so that each imports only the ones after it.
DOMAIN_ORDER = [
    "usecases", "wiring", "reminders", "notification", "requests", "reporting", "rulepacks", "prevention",
    "leakcheck", "obligations", "approvals", "facts", "scoping", "casestore", "profile", "harm", "intake", "security", "templating",
    "processes", "interrupts", "progress", "vocabulary", "japan", "settings", "errors",
]


def _modules() -> dict[str, Path]:
    found = {}
    for top in LAYERS:
        for path in (REPO / top).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Every module each module imports, at any depth of its code, resolved to our own modules."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _unit(module: str) -> str:
    parts = module.split(".")
    return f"breachflow.{parts[1]}" if parts[0] == "breachflow" and len(parts) > 1 else parts[0]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_import_cycle():
    """No two of our modules import each other, directly or around a loop."""
    assert _cycles(_imports(_modules())) == []


def test_layers_import_downwards_only():
    """cli → deployments → flows → tasks → breachflow: nothing imports a layer above itself."""
    violations = []
    for module, targets in _imports(_modules()).items():
        here = LAYERS.index(module.split(".")[0])
        violations += [f"{module} -> {t}" for t in targets if LAYERS.index(t.split(".")[0]) < here]
    assert violations == []


def test_domain_packages_import_downwards_only():
    """Inside breachflow/, a package imports only packages below it (e.g. security never reaches casestore)."""
    order = {f"breachflow.{name}": i for i, name in enumerate(DOMAIN_ORDER)}
    violations = []
    for module, targets in _imports(_modules()).items():
        source = _unit(module)
        if source not in order:
            continue
        violations += [f"{module} -> {t}" for t in targets
                       if _unit(t) in order and _unit(t) != source and order[_unit(t)] < order[source]]
    assert violations == []
    units = {_unit(m) for m in _modules() if m.startswith("breachflow.")} - {"breachflow"}
    assert units <= set(order), f"place new domain packages in DOMAIN_ORDER: {sorted(units - set(order))}"


def test_the_domain_never_imports_prefect_or_typer():
    """breachflow/ is plain Python: no Prefect, no command-line framework."""
    offenders = []
    for name, path in _modules().items():
        if not name.startswith("breachflow"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{name}: {m}" for m in mods if m.split(".")[0] in {"prefect", "typer", "click"}]
    assert offenders == []


def test_tasks_reach_the_domain_through_use_cases():
    """A task module calls the domain through breachflow.usecases (models and errors aside), as the CLI does."""
    allowed_tops = {"breachflow.usecases", "breachflow.wiring", "breachflow.errors", "breachflow.interrupts"}
    offenders = []
    for module, targets in _imports(_modules()).items():
        if not module.startswith("tasks."):
            continue
        for target in targets:
            if target.startswith("breachflow") and _unit(target) not in allowed_tops and not target.endswith(
                    (".model", ".approvals", ".plan", ".sending", ".mailer", ".reminders", ".retention")):
                offenders.append(f"{module} -> {target}")
    assert offenders == []
