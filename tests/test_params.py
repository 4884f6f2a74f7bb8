"""Params files are checked once, when loaded: one clear error naming the file and the key.

A wrong params file stops its own authority before any notebook starts; the other
authorities still run and the batch exits non-zero.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from wres.inputs.params import ParamsError, check_against_data, load_params

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _params(folder: Path, name: str = "marrowfield", **changes) -> Path:
    body = {"authority": "Marrowfield", "years": [2022, 2024],
            "data": str(SAMPLE / "marrowfield.csv")}
    body.update(changes)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def _error(path: Path) -> ParamsError:
    with pytest.raises(ParamsError) as caught:
        check_against_data(load_params(path))
    return caught.value


def test_a_good_params_file_loads_with_canonical_method_names(tmp_path):
    params = load_params(_params(tmp_path, ci_method="Koopman", rate_method="exact"))
    check_against_data(params)
    assert params.ci_method == "koopman-score" and params.rate_method == "clopper-pearson"
    assert params.data == [(SAMPLE / "marrowfield.csv").resolve()]


@pytest.mark.parametrize(("changes", "key", "expected"), [
    ({"ci_method": "katz-logg"}, "ci_method", "expected one of katz-log, koopman-score"),
    ({"rate_method": "wald"}, "rate_method", "expected one of wilson, clopper-pearson"),
    ({"indicators": [3, 12]}, "indicators", "indicator 12 is not one of 1-9"),
    ({"data": "no-such-file.csv"}, "data", "no-such-file.csv matches no file"),
    ({"data": "../nowhere/*.csv"}, "data", "matches no file"),
    ({"years": [2022, 2031]}, "years", "2031 is not in marrowfield.csv for Marrowfield "
                                       "(it has 2022, 2023, 2024)"),
    ({"authority": "Marowfield"}, "authority", "'Marowfield' is not in the authority column"),
    ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ({"adjust": "bonferroni"}, "adjust", "expected one of none, holm, fdr_bh"),
])
def test_each_mistake_is_one_error_naming_the_file_and_the_key(tmp_path, changes, key,
                                                               expected):
    path = _params(tmp_path, **changes)
    error = _error(path)
    assert error.key == key and error.path == path
    assert str(error).startswith(f"{path}: key '{key}': ")
    assert expected in str(error)


def test_the_multiple_comparisons_adjustment_reaches_every_report_notebook(tmp_path):
    assert load_params(_params(tmp_path)).adjust == "none"
    params = load_params(_params(tmp_path, adjust="FDR-BH"))
    assert params.adjust == "fdr_bh"
    assert params.method_options()["adjust"] == "fdr_bh"  # passed as the notebooks' `adjust`


def test_data_patterns_are_globs_relative_to_the_params_file(tmp_path):
    params = load_params(_params(tmp_path, data=str(SAMPLE / "m*field.csv")))
    assert [p.name for p in params.data] == ["marrowfield.csv"]


def test_a_bad_params_file_fails_once_at_plan_time_and_the_others_still_run(tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    _params(folder, "good", years=[2024])
    _params(folder, "bad", authority="Fernleigh Downs", years=[2024], ci_method="katz-logg",
            data=str(SAMPLE / "fernleigh-downs.csv"))
    out = tmp_path / "out"
    process = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "wres"), "run", "--params", str(folder), "--output",
         str(out), "--indicator", "3", "--quiet"], capture_output=True, text=True, timeout=300)
    assert process.returncode == 1
    assert process.stderr.count("katz-logg") == 1
    assert f"{folder / 'bad.yaml'}: key 'ci_method': unknown ratio interval method" \
        in process.stderr
    runs = json.loads((out / "manifest.json").read_text())["runs"]
    assert {r["authority"] for r in runs} == {"Marrowfield"}  # no notebook of the bad one ran
    assert all(r["status"] == "ok" for r in runs)
    assert "1 params file(s) failed" in process.stdout
