"""The layers of DESIGN.md, read from the source: which package may import which.

``web`` → capabilities → ``communities``/``people`` → ``ui``. A capability never
imports ``web``; ``communities`` never imports a capability; ``ui`` imports no
app of Ginnel's. The test reads every module's imports (top level and inside
functions) with ``ast``, so a late ``import`` inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ginnel

ROOT = Path(ginnel.__file__).parent

# The packages a capability is built on, and those every app may use.
FOUNDATION = {"communities", "people", "places", "ui"}
SHARED = {"errors", "env", "settings", "testing"}
# Apps that stand above the capabilities or beside them as tools.
ABOVE = {"web", "demo", "bench"}


def _apps() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "apps.py").exists())


CAPABILITIES = [a for a in _apps() if a not in FOUNDATION | ABOVE]


def _ginnel_imports(path: Path) -> set[str]:
    """The top-level Ginnel packages a module imports: ``ginnel.x.y`` gives ``x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "ginnel":
                names = [f"ginnel.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ginnel" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules(app: str, *, with_tests: bool = False) -> list[Path]:
    return [
        p
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts and (with_tests or "tests" not in p.parts)
    ]


def _offences(app: str, forbidden: set[str]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT.parent)} imports ginnel.{name}"
        for path in _modules(app)
        for name in _ginnel_imports(path) & forbidden
    )


def test_the_capabilities_are_found():
    assert {"timebank", "directory", "matching", "network"} <= set(CAPABILITIES)


@pytest.mark.parametrize("app", CAPABILITIES)
def test_a_capability_never_imports_the_web_app(app):
    assert _offences(app, {"web"}) == []


def test_the_tenancy_app_imports_no_capability_and_not_the_web_app():
    assert _offences("communities", set(CAPABILITIES) | ABOVE) == []


def test_people_never_imports_the_web_app():
    # people still reads the timebank's skill categories and matching's blocks
    # (the strengths conversation and the profile page); it must not reach up to web.
    assert _offences("people", ABOVE) == []


def test_the_design_system_imports_no_app():
    assert _offences("ui", set(_apps()) - {"ui"}) == []


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from ginnel.timebank.services import categories_seed\n")

    assert _ginnel_imports(module) == {"timebank"}


def test_a_new_community_gets_what_each_capability_registered(db):
    from ginnel.communities.services import community_create
    from ginnel.timebank.models import Category

    community = community_create(
        name="Hebble End Timebank",
        slug="hebble-end",
        kind="timebank",
        neighbourhoods=["Hebble End"],
        admin_email="ada@example.org",
        admin_name="Ada",
        admin_password="a long enough passphrase 42",
    )

    assert Category.objects.filter(community=community).exists()
