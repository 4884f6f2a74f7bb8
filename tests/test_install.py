"""`wres` works installed, not only from a checkout.

A wheel is built from a copy of the project and installed into a fresh virtual
environment; the commands then run from a folder outside the checkout. The new
environment borrows the project's dependencies (a ``.pth`` line pointing at the
project environment's site-packages) so the test needs no network and stays
quick; ``wres`` itself comes only from the wheel, with its notebooks, templates,
ethnicity map and published figures as package data. (nbconvert's own templates
are data files of the dependencies, so ``JUPYTER_PATH`` points at the project
environment's, as a normal install of nbconvert would place them.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "fernleigh-downs.csv"
EXTRACTS = ROOT / "data" / "sample" / "extracts"


def _run(args: list[str | Path], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    # nbconvert's templates are data files of the borrowed dependencies, not of wres.
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin`` folder of a fresh environment with the ``wres`` wheel installed."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", "outputs", ".git", "build", "*.egg-info", "__pycache__", ".*_cache",
        ".hypothesis"))
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--wheel-dir", root / "dist", source], cwd=root)
    wheel = next((root / "dist").glob("wres-*.whl"))
    env = root / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([sys.executable, "-m", "pip", "--python", env / "bin" / "python", "install",
          "--quiet", "--no-deps", wheel], cwd=root)
    return env / "bin"


def test_the_installed_package_is_the_wheel_with_its_data(installed: Path, tmp_path: Path) -> None:
    code = ("import wres, wres.core.paths as p; print(wres.__file__); "
            "print(sorted(x.name for x in p.NOTEBOOKS.glob('*.ipynb'))[:2]); "
            "print(p.ETHNICITY_MAP.is_file(), (p.TEMPLATES / 'index.html.j2').is_file())")
    lines = _run([installed / "python", "-c", code], cwd=tmp_path).stdout.splitlines()
    assert "site-packages" in lines[0] and str(ROOT) not in lines[0]
    assert lines[1] == "['00-summary.ipynb', '01-pay-bands.ipynb']"
    assert lines[2] == "True True"
    assert not (Path(lines[0]).parent / "notebooks").is_symlink()


def test_results_and_aggregate_run_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "counts.csv")
    _run([installed / "wres", "results", "counts.csv", "--output", "results.csv"], cwd=tmp_path)
    results = pd.read_csv(tmp_path / "results.csv")
    assert set(results["authority"]) == {"Fernleigh Downs"} and len(results) > 100
    staff = EXTRACTS / "fernleigh-downs" / "2024" / "staff.csv"
    _run([installed / "wres", "aggregate", "--authority", "Fernleigh Downs", "--year", "2024",
          "--staff", staff, "--output", "aggregated.csv"], cwd=tmp_path)
    assert (tmp_path / "aggregated.csv").stat().st_size > 0  # used the shipped ethnicity map


def test_run_outside_the_checkout_writes_both_pages(installed: Path, tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "counts.csv")
    params = tmp_path / "fernleigh.yaml"
    params.write_text(yaml.safe_dump({"authority": "Fernleigh Downs", "years": [2024],
                                      "data": "counts.csv", "region": "South"}))
    _run([installed / "wres", "run", "--params", params, "--output", "out", "--indicator", "3",
          "--jobs", "1", "--quiet"], cwd=tmp_path, timeout=600)
    folder = tmp_path / "out" / "2024" / "fernleigh-downs"
    assert (folder / "03-disciplinary.html").is_file()
    assert (folder / "03-disciplinary.publication.html").is_file()
    assert (tmp_path / "out" / "index.html").is_file()
