"""The apps' one-way dependencies (docs/architecture.md), checked on the source."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app may import only the apps listed for it (and itself, lib and config).
ALLOWED = {
    "lib": set(),
    "org": set(),
    "notifications": {"org"},
    "supervision": {"org", "notifications"},
    "petitions": {"org", "notifications"},
    "dispatch": {"org", "notifications", "supervision", "petitions"},
    "evaluation": {"org", "notifications", "supervision", "petitions", "dispatch"},
    "disclosure": {"org", "notifications", "supervision"},
    "open311": {"org", "petitions", "dispatch"},
    "knowledge": {"org", "notifications", "petitions", "disclosure"},
    "citizens": {"org", "notifications", "petitions", "disclosure", "evaluation", "knowledge"},
    "hotline": {"org", "notifications", "supervision", "petitions", "dispatch", "knowledge"},
    "channels": {"org", "notifications", "supervision", "petitions", "dispatch", "evaluation", "citizens"},
}
APPS = set(ALLOWED) - {"lib"}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & APPS
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_app_imports_an_app_downstream_of_it(package):
    offending = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        bad = imported_apps(path) - ALLOWED[package] - {package}
        if bad:
            offending[str(path.relative_to(ROOT))] = sorted(bad)
    assert offending == {}


# --- modules inside the apps: no import cycles ---------------------------------------------------------------
# Every project module is a node; every import of another project module (at module level or inside a
# function) is an edge. A cycle means a rule lives in the wrong file, so the graph must be acyclic, with one
# tolerated exception: an import inside a function that carries, on its own or the previous line, a comment
# `# cycle: a <-> b` naming the cycle it breaks (the usual one: a Celery task and the service that queues it).
# Imports inside functions are otherwise refused, except in apps.py, which Django loads before the models
# (AppConfig.ready is where receivers are connected). Third-party libraries loaded lazily (openpyxl, pikepdf,
# jieba...) are not project modules and are not governed here.
PACKAGES = sorted(set(ALLOWED) | {"config"})
CYCLE_COMMENT = "# cycle:"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
            if "migrations" not in p.parts}


def _targets(node, module: str, modules) -> set[str]:
    """The project modules an import statement loads (`from dispatch import services` loads dispatch.services)."""
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")[: len(module.split(".")) - node.level]
            base = ".".join(package + ([base] if base else []))
        candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
    found = set()
    for name in candidates:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def _imports(modules):
    """(module, target, line, inside_function, has_cycle_comment) for every import of a project module."""
    rows = []
    for module, path in modules.items():
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source, str(path))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        inner = {id(n) for f in functions for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            nearby = " ".join(lines[max(node.lineno - 2, 0): node.lineno])
            for target in _targets(node, module, modules):
                rows.append((module, target, node.lineno, id(node) in inner, CYCLE_COMMENT in nearby))
    return rows


def _reaches(graph, start, goal) -> bool:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, ()))
    return False


def test_imports_inside_functions_name_the_cycle_they_break():
    modules = _project_modules()
    unexplained = [f"{modules[m].relative_to(ROOT)}:{line} imports {t}"
                   for m, t, line, inner, commented in _imports(modules)
                   if inner and not commented and not m.endswith(".apps")]
    assert unexplained == [], "move these imports to the top of the module, or name the cycle they break"


def test_no_import_cycle_between_modules():
    modules = _project_modules()
    rows = _imports(modules)
    graph: dict[str, set[str]] = {}
    for module, target, _line, inner, commented in rows:
        if not (inner and commented):
            graph.setdefault(module, set()).add(target)
    cycles = sorted({f"{m} -> {t}" for m, ts in graph.items() for t in ts if _reaches(graph, t, m)})
    assert cycles == []
    # A `# cycle:` comment must be true: without that import the target would import the module back.
    stale = [f"{modules[m].relative_to(ROOT)}:{line}" for m, t, line, inner, commented in rows
             if inner and commented and not _reaches(graph, t, m)]
    assert stale == [], "these imports break no cycle: move them to the top of the module"
