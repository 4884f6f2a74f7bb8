"""The package's layers: imports flow downwards only, and every module is short.

``wres`` is built in layers, lowest first: ``core`` (domain definitions, names,
paths), ``stats`` (the statistics), ``inputs`` (reading and checking what users
give), ``analysis`` (results, the national view, disclosure control),
``present`` (words, tables, figures, what notebooks show), ``batch`` (``wres
run``) and ``cli``. A module may import from its own layer or any layer below
it, never above: the statistics cannot depend on how a page looks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wres"
LAYERS = ("core", "stats", "inputs", "analysis", "present", "batch", "cli")
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "notebooks" not in p.parts)


def _layer(module: str) -> int:
    """Rank of a dotted ``wres`` module name; the package root counts as ``core``."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__init__":
        return 0
    return LAYERS.index(parts[1])


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``wres`` module imported anywhere in ``path`` (top level or inside functions)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("wres")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wres"):
            if node.module == "wres":
                found += [(node.lineno, f"wres.{a.name}") for a in node.names
                          if a.name.split(".")[0] in LAYERS]
            else:
                found.append((node.lineno, node.module))
    return found


def test_every_top_level_folder_of_the_package_is_a_known_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS) - {"cli"}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _name(p))
def test_imports_only_flow_downwards(path: Path) -> None:
    own = _layer(_name(path))
    upward = [f"line {line}: imports {target} ({LAYERS[_layer(target)]})"
              for line, target in _imports(path) if _layer(target) > own]
    assert not upward, f"{_name(path)} is in layer {LAYERS[own]} but " + "; ".join(upward)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from wres.batch.run import run_batch\n")
    assert _imports(module) == [(2, "wres.batch.run")]
    assert _layer("wres.batch.run") > _layer("wres.stats.ratios")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _name(p))
def test_no_module_is_longer_than_one_sitting(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines; split it by job"
