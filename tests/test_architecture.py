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
    "citizens": {"org", "notifications", "petitions", "disclosure", "evaluation"},
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
