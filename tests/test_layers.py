"""The one-way stack: calendars → config → coverage → routing → app.py. A package never imports
one above it (read with the project's own imports, at module level or inside functions)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["calendars", "config", "coverage", "routing"]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_every_import_points_down_the_stack():
    upward = []
    for rank, package in enumerate(ORDER):
        for path in sorted((ROOT / package).rglob("*.py")):
            above = _imports(path) & set(ORDER[rank + 1:] + ["app"])
            upward += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(above)]

    assert upward == []


def test_the_core_of_calendars_and_coverage_knows_nothing_of_flask_or_twilio():
    edges = {"flask.py", "cli.py", "views.py", "pages.py", "auth.py", "security.py", "practice.py", "errors.py"}
    offenders = []
    for package in ("calendars", "coverage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name in edges:
                continue
            bad = _imports(path) & {"flask", "twilio", "werkzeug"}
            offenders += [f"{path.relative_to(ROOT)} imports {name}" for name in sorted(bad)]

    assert offenders == []
