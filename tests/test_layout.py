"""The house's wiring (issue 10): the domain core imports no shell, no package import cycles,
every package directory is packaged, and the package data ships with a wheel."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "etl", "webmap", "hazmap")


def _modules() -> dict[str, Path]:
    out = {}
    for root in PACKAGES:
        for path in (REPO / root).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(REPO).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every module named in an import statement (top-level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def test_geo_imports_no_shell():
    offenders = {}
    for name, path in _modules().items():
        if name.split(".")[0] != "geo":
            continue
        bad = sorted(m for m in _imports(path) if m.split(".")[0] in ("etl", "webmap", "hazmap"))
        if bad:
            offenders[name] = bad
    assert offenders == {}


def test_no_import_cycles_between_modules():
    mods = _modules()
    graph = defaultdict(set)
    for name, path in mods.items():
        for m in _imports(path):
            # resolve "a.b.c" to the longest project module prefix (a name imported from a module)
            parts = m.split(".")
            for i in range(len(parts), 0, -1):
                cand = ".".join(parts[:i])
                if cand in mods and cand != name:
                    if not name.startswith(cand + "."):  # a package's own __init__ is not a cycle
                        graph[name].add(cand)
                    break
    cycles = []
    state: dict[str, int] = {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(mods):
        if n not in state:
            visit(n, [])
    assert cycles == []


def test_every_package_directory_is_listed():
    conf = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(conf["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for root in PACKAGES
             for p in (REPO / root).rglob("__init__.py")}
    assert found - listed == set()
    assert conf["package-dir"]["hazmap_data"] == "data"


def test_wheel_carries_the_data(tmp_path):
    src = tmp_path / "src"  # build from a copy: setuptools writes build/ into the tree it builds
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "node_modules",
                                                             "tests", "rejects", "__pycache__"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                          "-w", str(tmp_path), str(src)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    names = zipfile.ZipFile(next(tmp_path.glob("hazmap-*.whl"))).namelist()
    for f in ("hazmap_data/reference/chemicals.csv", "hazmap_data/reference/VERSION",
              "hazmap_data/rules/separation_rules.csv", "hazmap_data/rules/risk_model.toml",
              "hazmap/db/migrations/env.py", "webmap/static/map.js", "webmap/templates/map.html"):
        assert f in names, f
    assert not any(re.match(r"hazmap_data/(demo|sources)/", n) for n in names)
    assert any(re.match(r"hazmap/db/migrations/versions/0001_.*\.py", n) for n in names)
