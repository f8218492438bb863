"""Imports point one way: kernel <- crowdsourcing <- (mapping | workshops) <- factory/cli."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = {"crowdsourcing", "mapping", "workshops"}
# What each package may import among the project's packages.
ALLOWED = {
    "webapp": set(),
    "crowdsourcing": {"webapp"},
    "mapping": {"webapp", "crowdsourcing"},
    "workshops": {"webapp", "crowdsourcing"},
}
COMPOSITION_ROOT = {"webapp/factory.py", "webapp/cli.py"}
# The registry is how a domain package declares its kinds of submission to the pipeline.
PUBLIC_MODULES = {"services", "models", "registry"}


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"


def _violations():
    found = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = str(path.relative_to(ROOT))
            if rel in COMPOSITION_ROOT:
                continue
            for name in _imports(path):
                top = name.split(".")[0]
                if top in ALLOWED and top != package and top not in allowed:
                    found.append(f"{rel} imports {name}")
                elif top in DOMAIN and top != package:
                    parts = name.split(".")
                    if len(parts) > 1 and parts[1] not in PUBLIC_MODULES:
                        found.append(
                            f"{rel} reaches into {name} (only services, models and the registry)"
                        )
    return found


def test_imports_point_the_right_way():
    assert _violations() == []


def test_the_checker_sees_a_wrong_arrow(tmp_path, monkeypatch):
    fake = tmp_path / "webapp"
    fake.mkdir()
    (fake / "bad.py").write_text("from mapping.services import features\n")
    for name in ("crowdsourcing", "mapping", "workshops"):
        (tmp_path / name).mkdir()
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert "webapp/bad.py imports mapping.services" in _violations()
