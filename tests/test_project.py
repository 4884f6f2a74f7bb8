"""The project's own set-up files agree with each other."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml
from check_notebooks import main as check_notebooks_main
from check_notebooks import stored_notebook_problems

ROOT = Path(__file__).resolve().parents[1]

# conda-forge splits dask[distributed] into two packages.
CONDA_EXTRAS = {"dask": ["dask", "distributed"]}


def _requirement(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*>=\s*([0-9][0-9.]*)", spec.strip())
    assert match, f"requirement {spec!r} should be 'name>=version'"
    return match.group(1).lower().replace("_", "-"), match.group(2)


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    found: dict[str, str] = {}
    for spec in specs:
        name, bound = _requirement(spec)
        for conda_name in CONDA_EXTRAS.get(name, [name]):
            found[conda_name] = bound
    return found


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found: dict[str, str] = {}
    specs = [s for s in env["dependencies"] if isinstance(s, str)]
    specs += [s for d in env["dependencies"] if isinstance(d, dict) for s in d["pip"]]
    for spec in specs:
        if spec not in {"pip", "-e ."} and not spec.startswith("python"):
            name, bound = _requirement(spec)
            found[name] = bound
    return found


def test_environment_uses_conda_forge_without_the_default_channel() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"]
    pip_parts = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert len(pip_parts) == 1 and pip_parts[0]["pip"][-1] == "-e .", \
        "the package itself is installed with pip"
    # only what conda-forge does not carry comes from PyPI
    assert pip_parts[0]["pip"][:-1] == ["axe-playwright-python>=0.1.8"]


def test_environment_matches_pyproject_names_and_lower_bounds() -> None:
    assert _environment_requirements() == _pyproject_requirements()


def test_lock_file_pins_every_dependency_exactly_with_hashes() -> None:
    pins: dict[str, str] = {}
    hashes: dict[str, int] = {}
    name = ""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip().startswith("--hash=sha256:"):
            hashes[name] = hashes.get(name, 0) + 1
        elif line and not line[0].isspace() and not line.startswith("#"):
            requirement, _, version = line.removesuffix("\\").strip().partition("==")
            assert version, f"lock line {line!r} is not pinned with =="
            name = requirement.lower().replace("_", "-")
            pins[name] = version
    assert set(hashes) == set(pins), "every pin carries its sha256 hashes"
    for name, bound in _pyproject_requirements().items():
        assert name in pins, f"{name} is missing from requirements.lock"
        assert _version(pins[name]) >= _version(bound), f"{name} {pins[name]} < {bound}"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_python_version_and_console_script() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert project["scripts"]["wres"] == "wres.cli:main"


def test_ci_runs_make_test_and_nothing_else() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    commands = [line for line in lines if not line.startswith(("set ", "cd "))]
    assert commands == ["make test"]


def test_stored_notebooks_carry_no_outputs() -> None:
    # The same check pre-commit runs (.pre-commit-config.yaml).
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == 12
    assert [p for path in notebooks for p in stored_notebook_problems(path)] == []


def test_the_notebook_check_finds_outputs_and_counts(tmp_path: Path) -> None:
    stored = json.loads((ROOT / "notebooks" / "03-disciplinary.ipynb").read_text())
    code = next(c for c in stored["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "12\n"}]
    code["execution_count"] = 3
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps(stored))
    assert len(stored_notebook_problems(bad)) == 2
    assert check_notebooks_main([str(bad)]) == 1
