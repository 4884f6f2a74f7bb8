"""The disclosure attack: what an attacker works out of hidden counts from everything published.

Unit tests attack hand-built tables; the rest attack a small real run (three
sample authorities, 2024, indicator 3, the summaries and the national view;
run once for the module) and copies of it with a leak planted in them.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from wres import stats
from wres.analysis.disclosure import readback, secondary, suppression
from wres.analysis.disclosure.attack import attack
from wres.analysis.disclosure.audit import audit_output
from wres.analysis.disclosure.knowledge import (
    BESIDE_HIDDEN,
    NARROWED,
    RECOVERED,
    SHOWN_ELSEWHERE,
    SMALL_COMPLEMENT,
)
from wres.analysis.disclosure.pages import FIGURE_COLUMNS, read_tables
from wres.analysis.disclosure.suppression import apply_disclosure
from wres.analysis.results import compute_results

ROOT = Path(__file__).resolve().parents[1]
WRES = ROOT / ".venv" / "bin" / "wres"
AUTHORITIES = ("ashbourne-vale", "cindermoor", "juniper-coast")
YEAR = 2024
C = "[c]"


def _counts(cells: dict[tuple[str, str], tuple[int, int]], indicator: int = 3,
            measure: str = "disciplinary", authority: str = "Testshire") -> pd.DataFrame:
    return pd.DataFrame([
        {"authority": authority, "year": YEAR, "service": service, "indicator": indicator,
         "measure": measure, "ethnic_group": group, "denominator": d, "numerator": n}
        for (service, group), (d, n) in cells.items()
    ])


def _primary_only(results: pd.DataFrame, monkeypatch) -> pd.DataFrame:
    """What publication looked like with small counts hidden and nothing hidden beside them."""
    monkeypatch.setattr(suppression, "secondary_suppression",
                        lambda structure, primary, **options: set(primary))
    return apply_disclosure(results, check=False)


def _found(findings: pd.DataFrame, kind: str, **where) -> pd.DataFrame:
    rows = findings[findings["kind"] == kind]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows


# --- the attack on hand-built tables ---------------------------------------------------------


def test_two_hidden_small_counts_adding_up_to_eight_are_four_and_four(monkeypatch):
    counts = _counts({("adults", "white"): (300, 30), ("adults", "minority"): (60, 4),
                      ("children", "white"): (250, 25), ("children", "minority"): (50, 4)})
    results = compute_results(counts)
    shown = _primary_only(results, monkeypatch)
    assert shown.loc[shown["service"] == "all", "numerator"].tolist() == [8]
    found = _found(attack(shown, truth=results), RECOVERED, column="numerator")
    assert sorted(found["service"]) == ["adults", "children"]
    assert found["low"].tolist() == [4, 4] and found["value"].tolist() == [4, 4]
    monkeypatch.undo()  # what publication does now: nothing to work out
    assert attack(apply_disclosure(results), truth=results).empty


def test_without_the_true_counts_the_attacker_still_solves_a_sum_with_one_unknown(monkeypatch):
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    results = compute_results(counts)
    found = attack(_primary_only(results, monkeypatch))
    recovered = _found(found, RECOVERED, column="numerator", service="adults")
    assert recovered["low"].tolist() == [3] and recovered["high"].tolist() == [3]


def test_a_published_small_complement_is_found():
    # Hollowmere 2022, indicator 6, children: 13 of 17 says 4 did not report harassment
    counts = _counts({("adults", "white"): (300, 120), ("adults", "minority"): (40, 20),
                      ("children", "white"): (250, 100), ("children", "minority"): (17, 13)},
                     indicator=6, measure="public")
    results = compute_results(counts)
    found = _found(attack(results, truth=results), SMALL_COMPLEMENT)
    assert found[["service", "group", "low"]].values.tolist() == [["children", "minority", 4]]
    assert attack(apply_disclosure(results), truth=results).empty


def test_an_unmasked_status_gives_away_a_hidden_zero():
    # children: no minority ethnic and no white staff entered the process; were the 0 hidden,
    # "not_computable: no events in either group" beside it would say it is 0
    counts = _counts({("adults", "white"): (200, 9), ("adults", "minority"): (40, 2),
                      ("children", "white"): (150, 0), ("children", "minority"): (60, 0)})
    results = compute_results(counts)
    children = results.index[(results["service"] == "children")
                             & (results["group"] == "minority")]
    assert results.loc[children[0], "status"] == stats.NO_EVENTS_EITHER
    leaked = apply_disclosure(results)
    leaked.loc[children, ["numerator", "relative_likelihood", "rl_lower", "rl_upper", "flag",
                          "significant", "verdict", "rate", "rate_lower", "rate_upper"]] = C
    found = attack(leaked, truth=results)
    assert _found(found, BESIDE_HIDDEN, column="status", service="children").shape[0] == 1
    zero = _found(found, RECOVERED, service="children", column="numerator")
    assert zero[["low", "high"]].values.tolist() == [[0, 0]]
    masked = leaked.copy()
    masked.loc[children, "status"] = C  # what publication does: the status goes with the ratio
    assert _found(attack(masked, truth=results), RECOVERED, service="children").empty


def test_a_full_precision_ratio_beside_a_hidden_count_gives_the_count_back():
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    results = compute_results(counts)
    leaked = apply_disclosure(results)
    adults = leaked.index[(leaked["service"] == "adults") & (leaked["group"] == "minority")]
    leaked.loc[adults, "relative_likelihood"] = results.loc[adults, "relative_likelihood"]
    found = attack(leaked, truth=results)
    assert _found(found, BESIDE_HIDDEN, column="relative_likelihood").shape[0] == 1
    recovered = _found(found, RECOVERED, service="adults", column="numerator")
    assert recovered["low"].tolist() == [3]


def _pooled(results: pd.DataFrame, authorities: list[str], text: str) -> pd.DataFrame:
    """Figures of a region row showing ``text`` for the authorities' summed counts."""
    row = results[(results["service"] == "all") & (results["group"] == "minority")].iloc[0]
    numbers = [float(v) for v in text.replace("(", " ").replace(")", " ").replace("–", " ")
               .split()]
    half = 0.005 * (1 + 1e-9)
    return pd.DataFrame([
        {"file": "2024/national/10-benchmark.publication.html", "where": "region table, North",
         "authorities": tuple(authorities), "pooled": True, "year": YEAR, "indicator": 3,
         "measure": "disciplinary", "service": "all", "group": "minority", "quantity": q,
         "value": v, "low": v - half, "high": v + half, "ci_method": row["ci_method"],
         "rate_method": row["rate_method"], "confidence_level": row["confidence_level"]}
        for q, v in zip(("relative_likelihood", "rl_lower", "rl_upper"), numbers, strict=True)
    ], columns=FIGURE_COLUMNS)


def test_a_region_total_at_two_decimals_gives_back_a_hidden_count():
    # the issue's North 2024: a region's ratio with the other authority's counts published
    small = _counts({("adults", "white"): (300, 30), ("adults", "minority"): (60, 2),
                     ("children", "white"): (250, 25), ("children", "minority"): (50, 2)},
                    authority="Cinder")
    large = _counts({("adults", "white"): (500, 40), ("adults", "minority"): (90, 12),
                     ("children", "white"): (450, 35), ("children", "minority"): (80, 10)},
                    authority="Ashby")
    results = compute_results(pd.concat([small, large], ignore_index=True))
    shown = apply_disclosure(results)
    assert attack(shown, truth=results).empty
    pooled = results[(results["service"] == "all") & (results["group"] == "minority")]
    sums = pooled[["numerator", "denominator", "reference_numerator",
                   "reference_denominator"]].sum()
    rl = stats.relative_likelihood(*(np.array([v]) for v in sums)).iloc[0]
    text = f"{rl.relative_likelihood:.2f} ({rl.rl_lower:.2f}–{rl.rl_upper:.2f})"
    found = attack(shown, truth=results, figures=_pooled(results, ["Cinder", "Ashby"], text))
    leaks = found[found["kind"].isin([RECOVERED, NARROWED])]
    assert not leaks.empty
    assert set(leaks["file"]) == {"2024/national/10-benchmark.publication.html"}
    assert set(leaks["authority"]) <= {"Cinder"}


def test_a_count_hidden_in_one_row_and_shown_in_another_is_found():
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    results = compute_results(counts)
    shown = apply_disclosure(results)
    figures = pd.DataFrame([{
        "file": "page.html", "where": "table 1, row 2", "authorities": ("Testshire",),
        "pooled": False, "year": YEAR, "indicator": 3, "measure": "disciplinary",
        "service": "adults", "group": "minority", "quantity": "count:numerator", "value": 3.0,
        "low": 3.0, "high": 3.0, "ci_method": None, "rate_method": None,
        "confidence_level": 0.95}], columns=FIGURE_COLUMNS)
    found = attack(shown, truth=results, figures=figures)
    assert _found(found, SHOWN_ELSEWHERE, file="page.html")["low"].tolist() == [3]


def test_the_sample_data_publishes_nothing_to_work_out():
    from wres.inputs.counts import read_counts

    counts = read_counts(sorted((ROOT / "data" / "sample").glob("c*.csv")))
    results = compute_results(counts)
    for _, part in results.groupby("authority"):
        truth = part.reset_index(drop=True)
        assert attack(apply_disclosure(truth), truth=truth).empty


def _sample(slug: str) -> pd.DataFrame:
    from wres.inputs.counts import read_counts

    return compute_results(read_counts([ROOT / "data" / "sample" / f"{slug}.csv"]))


def _one(table: pd.DataFrame, year: int, indicator: int, service: str) -> pd.Series:
    return table[(table["year"] == year) & (table["indicator"] == indicator)
                 & (table["service"] == service) & (table["group"] == "minority")].iloc[0]


def test_the_issues_small_complement_and_four_plus_four_are_gone_from_the_sample():
    # Hollowmere 2022, indicator 6, children: 13 of 17 (4 did not report) was published
    hollowmere = _sample("hollowmere")
    assert (_one(hollowmere, 2022, 6, "children")[["numerator", "denominator"]].tolist()
            == [13, 17])
    shown = apply_disclosure(hollowmere)
    assert C in _one(shown, 2022, 6, "children")[["numerator", "denominator"]].tolist()
    # Eastmarsh 2022, indicator 8: adults [c] + children [c] = all 8 said 4 and 4
    eastmarsh = _sample("eastmarsh")
    assert [_one(eastmarsh, 2022, 8, s)["numerator"] for s in ("adults", "children", "all")] \
        == [4, 4, 8]
    shown = apply_disclosure(eastmarsh)
    assert _one(shown, 2022, 8, "all")["numerator"] == C
    for truth, published in ((hollowmere, apply_disclosure(hollowmere, check=False)),
                             (eastmarsh, shown)):
        assert attack(published, truth=truth).empty


def test_secondary_suppression_names_every_relation_it_uses():
    results = compute_results(_counts({("adults", "white"): (200, 20),
                                       ("adults", "minority"): (40, 3),
                                       ("children", "white"): (150, 9),
                                       ("children", "minority"): (60, 12)}))
    structure = secondary.cell_structure(results)
    kinds = {tuple(sorted(c[0] for c, _ in eq)) for eq in structure.equations}
    assert ("d", "m", "n") in kinds  # every numerator's complement
    assert ("n", "n", "n") in kinds and ("d", "d", "d") in kinds  # all = adults + children


# --- the issue's recoveries from the national view, kept as regression cases ------------------


def _national_view(slugs: tuple[str, ...], year: int, indicators: list[int]):
    from wres.analysis.national import build_national_view

    return build_national_view(year, [ROOT / "data" / "sample" / f"{s}.csv" for s in slugs],
                               params_dir=ROOT / "params", indicators=indicators,
                               profile="publication")


def _page(view, regions_from=None) -> str:
    """The national view's region table (of ``regions_from``'s totals) and positions tables."""
    from wres.analysis.national import MEASURE_KEYS
    from wres.present import national

    return national.regions_html(regions_from or view) + "".join(
        national.positions_html(view, rows)
        for _, rows in view.national.groupby(MEASURE_KEYS, sort=False))


def _check(view, page: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The findings of the national view's fail-closed check (empty when it passes)."""
    from wres.analysis.disclosure import DisclosureError
    from wres.analysis.disclosure.national_check import check_national_view

    try:
        check_national_view(page, frame, view.published, view.truth, regions=view.regions)
    except DisclosureError as error:
        return error.findings
    return pd.DataFrame(columns=["kind"])


@pytest.mark.parametrize(("slugs", "year", "indicator", "authority", "recovered"), [
    # North 2024, indicator 2, 0.83 (0.61-1.13) gave Cindermoor appointed = 4
    (("ashbourne-vale", "cindermoor"), 2024, 2, "Cindermoor", [("numerator", 4)]),
    # South 2024, indicator 3 gave Juniper Coast disciplinary = 1
    (("juniper-coast", "kestrel-bay"), 2024, 3, "Juniper Coast", [("numerator", 1)]),
    # London 2023, indicator 4 gave Brightwater minority = 4 and white = 3
    (("brightwater", "marrowfield"), 2023, 4, "Brightwater",
     [("numerator", 4), ("reference_numerator", 3)]),
])
def test_the_issues_region_totals_are_now_of_published_figures_only(
        slugs, year, indicator, authority, recovered):
    from dataclasses import replace

    from wres.analysis.national import publication_frame

    view = _national_view(slugs, year, [indicator])
    frame = publication_frame(view.national)
    assert _check(view, _page(view), frame).empty
    # the region table as it was: every authority of the region pooled
    before = _check(view, _page(view, replace(view, profile="analyst")), frame)
    found = _found(before, RECOVERED, authority=authority, indicator=indicator, service="all")
    assert sorted(zip(found["column"], found["low"], strict=True)) == sorted(recovered)
    assert (found["low"] == found["value"]).all()


def test_the_issues_full_precision_national_csv_is_now_rounded_and_of_published_figures():
    # national.csv wrote the national RL at full precision: Cindermoor 2024 came back exactly
    # (indicator 2 appointed = 4, indicator 7 managers = 3)
    from wres.analysis.national import national_benchmark, publication_frame

    view = _national_view(("ashbourne-vale", "brightwater", "cindermoor"), 2024, [2, 7])
    frame = publication_frame(view.national)
    assert _check(view, _page(view), frame).empty
    everyone = national_benchmark(view.results, shown=view.shown).set_index(
        ["authority", "indicator", "measure"])
    before = frame.copy()
    for column in ("national_rl", "national_rl_lower", "national_rl_upper"):
        before[column] = [repr(float(everyone.loc[(a, int(i), m), column])) for a, i, m in
                          zip(frame["authority"], frame["indicator"], frame["measure"],
                              strict=True)]
    found = _found(_check(view, _page(view), before), RECOVERED, authority="Cindermoor",
                   service="all", column="numerator")
    assert {(2, "appointed", 4), (7, "managers", 3)} <= set(
        zip(found["indicator"], found["measure"], found["low"], strict=True))
    assert set(found["file"]) == {"national.csv"}


# --- a real run, and copies of it with leaks planted -----------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A small run: three sample authorities (two in one region), 2024, indicators 3 and 8.

    Both indicators count among staff in post, so their pages share denominators.
    """
    root = tmp_path_factory.mktemp("attack")
    params = root / "params"
    params.mkdir()
    for slug in AUTHORITIES:
        body = yaml.safe_load((ROOT / "params" / f"{slug}.yaml").read_text())
        body["data"] = str(ROOT / "data" / "sample" / f"{slug}.csv")
        (params / f"{slug}.yaml").write_text(yaml.safe_dump(body))
    output = root / "outputs"
    done = subprocess.run([str(WRES), "run", "--params", str(params), "--output", str(output),
                           "--year", str(YEAR), "--indicator", "3", "--indicator", "8",
                           "--indicator", "10", "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return output


def _copy(run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "outputs"
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("*.ipynb", ".wres-lock"))
    return copy


def _national(path: str) -> bool:
    return "/national/" in f"/{path}"


def _indicator_page(path: str) -> bool:
    name = Path(path).name
    return name.endswith(".publication.html") and name[:2].isdigit() and 1 <= int(name[:2]) <= 9


def test_nothing_in_the_results_file_index_and_summaries_gives_a_hidden_count_away(run):
    audit = audit_output(run)
    assert audit.figures > 100
    assert {"results.publication.csv", "index.html"} <= set(audit.files)
    assert any(f.endswith("03-disciplinary.publication.html") for f in audit.files)
    found = audit.findings
    outside = found[~found["file"].map(_national) & ~found["file"].map(_indicator_page)]
    assert outside.empty, "\n".join(audit.lines())


def test_nothing_on_the_indicator_pages_gives_a_hidden_count_away(run):
    audit = audit_output(run)
    pages = audit.findings[audit.findings["file"].map(_indicator_page)]
    assert pages.empty, "\n".join(audit.lines())


def test_nothing_in_the_national_view_gives_a_hidden_count_away(run):
    audit = audit_output(run)
    national = audit.findings[audit.findings["file"].map(_national)]
    assert national.empty, "\n".join(audit.lines())


def _normal_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def test_output_files_have_the_users_normal_permissions(run):
    for name in ("results.publication.csv", "index.html", "results.csv",
                 f"{YEAR}/cindermoor/03-disciplinary.results.csv"):
        assert stat.S_IMODE((run / name).stat().st_mode) == _normal_mode(), name


def test_published_pages_have_the_users_normal_permissions(run):
    for name in (f"{YEAR}/cindermoor/03-disciplinary.publication.html", "manifest.json"):
        assert stat.S_IMODE((run / name).stat().st_mode) == _normal_mode(), name


def _cli(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(WRES), "audit", str(folder)], capture_output=True, text=True,
                          timeout=300)


def test_wres_audit_exits_zero_on_a_clean_run_and_names_file_and_cell_on_a_leak(run, tmp_path):
    clean = _copy(run, tmp_path)
    done = _cli(clean)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no hidden count can be worked out" in done.stdout
    published = pd.read_csv(clean / "results.publication.csv", dtype=object)
    truth = pd.read_csv(clean / "results.csv")
    hidden = published.index[published["numerator"] == C][0]
    published.loc[hidden, "rate"] = truth.loc[hidden, "rate"]
    published.to_csv(clean / "results.publication.csv", index=False)
    done = _cli(clean)
    assert done.returncode == 1
    row = truth.loc[hidden]
    assert f"results.publication.csv: line {hidden + 2}, rate ({row['authority']} {YEAR}" \
        in done.stdout
    assert "figure beside a hidden count" in done.stdout


def test_a_planted_full_precision_ratio_is_found(run, tmp_path):
    copy = _copy(run, tmp_path)
    published = pd.read_csv(copy / "results.publication.csv", dtype=object)
    truth = pd.read_csv(copy / "results.csv")
    rows = published.index[(published["numerator"] == C)
                           & truth["status"].eq("ok") & (truth["numerator"] > 0)]
    published.loc[rows[0], ["relative_likelihood", "rl_lower", "rl_upper"]] = truth.loc[
        rows[0], ["relative_likelihood", "rl_lower", "rl_upper"]]
    published.to_csv(copy / "results.publication.csv", index=False)
    found = audit_output(copy).findings
    here = found[found["where"].str.contains(f"line {rows[0] + 2},")]
    assert {BESIDE_HIDDEN, RECOVERED} <= set(here["kind"])
    assert truth.loc[rows[0], "numerator"] in here["low"].tolist()


def test_a_planted_small_complement_is_found(run, tmp_path):
    copy = _copy(run, tmp_path)
    published = pd.read_csv(copy / "results.publication.csv", dtype=object)
    shown = published[(published["numerator"] != C) & (published["denominator"] != C)]
    row = shown.index[shown["denominator"].astype(int) >= 9][0]
    # 2 of the denominator's staff are left without the event: a count of 2, published
    published.loc[row, "numerator"] = str(int(published.loc[row, "denominator"]) - 2)
    published.to_csv(copy / "results.publication.csv", index=False)
    found = _found(audit_output(copy).findings, SMALL_COMPLEMENT)
    assert f"line {row + 2}, numerator of its denominator" in found["where"].tolist()
    assert found.loc[found["where"] == f"line {row + 2}, numerator of its denominator",
                     "low"].tolist() == [2]


def test_a_planted_unmasked_status_is_found(run, tmp_path):
    copy = _copy(run, tmp_path)
    published = pd.read_csv(copy / "results.publication.csv", dtype=object)
    truth = pd.read_csv(copy / "results.csv")
    row = published.index[published["status"] == C][0]
    published.loc[row, "status"] = truth.loc[row, "status"]
    published.to_csv(copy / "results.publication.csv", index=False)
    found = _found(audit_output(copy).findings, BESIDE_HIDDEN, column="status")
    assert found["where"].tolist() == [f"line {row + 2}, status"]


def test_a_planted_region_total_is_found(run, tmp_path):
    copy = _copy(run, tmp_path)
    page = copy / str(YEAR) / "national" / "10-benchmark.publication.html"
    truth = pd.read_csv(copy / "results.csv")
    published = pd.read_csv(copy / "results.publication.csv")
    north = ["Ashbourne Vale", "Cindermoor"]
    rows = truth[(truth["service"] == "all") & (truth["group"] == "minority")
                 & truth["authority"].isin(north) & (truth["indicator"] == 3)]
    assert (published.loc[rows.index, "numerator"].astype(str) == C).any()
    sums = rows[["numerator", "denominator", "reference_numerator",
                 "reference_denominator"]].sum()
    rl = stats.relative_likelihood(*(np.array([v]) for v in sums)).iloc[0]
    text = f"{rl.relative_likelihood:.2f} ({rl.rl_lower:.2f}–{rl.rl_upper:.2f})"
    html = page.read_text(encoding="utf-8")
    header = next(t.header for t in read_tables(html) if t.caption.startswith(
        "Relative likelihood pooled over each region"))
    start = html.index('<th scope="row">North</th>')
    end = html.index("</tr>", start)
    cells = re.split(r"(?=<td[ >])", html[start:end])  # cells[i] is column i (0: the region)
    cells[header.index("3")] = f"<td>{text}</td>"
    page.write_text(html[:start] + "".join(cells) + html[end:], encoding="utf-8")
    found = audit_output(copy).findings
    leaks = found[found["kind"].isin([RECOVERED, NARROWED]) & found["file"].str.contains(
        "10-benchmark.publication.html") & found["authority"].isin(north)]
    assert not leaks.empty


def test_a_planted_full_precision_national_ratio_is_found(run, tmp_path):
    copy = _copy(run, tmp_path)
    path = copy / str(YEAR) / "national" / "national.csv"
    national = pd.read_csv(path, dtype=str, keep_default_na=False)
    truth = pd.read_csv(copy / "results.csv")
    leavers = truth[(truth["service"] == "all") & (truth["group"] == "minority")
                    & (truth["indicator"] == 8)]
    assert (national.loc[national["indicator"] == "8", "withheld"] == "True").any()
    sums = leavers[["numerator", "denominator", "reference_numerator",
                    "reference_denominator"]].sum()
    pooled = readback.national_interval(
        dict(zip(("group_n", "group_d", "reference_n", "reference_d"),
                 (np.array([float(v)]) for v in sums), strict=True)), 0.95)
    # the national ratio of every authority, at full precision, as national.csv once wrote it
    for column, values in pooled.items():
        national.loc[national["indicator"] == "8", column] = repr(float(values[0]))
    national.to_csv(path, index=False)
    found = audit_output(copy).findings
    leaks = found[found["kind"].isin([RECOVERED, NARROWED])
                  & (found["file"] == f"{YEAR}/national/national.csv")]
    assert not leaks.empty and set(leaks["indicator"]) == {8}


#: One authority-year whose minority counts (4) are small in both services.
_SMALL_MINORITY = {("adults", "white"): (300, 30), ("adults", "minority"): (60, 4),
                   ("children", "white"): (250, 25), ("children", "minority"): (50, 4)}


def _in_a_batch(monkeypatch, tmp_path) -> None:
    """Disclosure control from here on runs as in a batch: with its private cache folder."""
    from wres.core.cache import CACHE_ENV

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv(CACHE_ENV, str(folder))


def _counted(monkeypatch, name: str) -> list[int]:
    """Count the calls to ``suppression.<name>`` (which still does its work): one 1 a call."""
    calls: list[int] = []
    real = getattr(suppression, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(suppression, name, counting)
    return calls


def test_a_batch_decides_each_authority_year_once_and_never_keeps_a_failed_check(
        monkeypatch, tmp_path):
    from wres.analysis.disclosure import DisclosureError

    counts = _counts(_SMALL_MINORITY)
    results = compute_results(counts)
    alone = apply_disclosure(results)
    _in_a_batch(monkeypatch, tmp_path)
    decided = _counted(monkeypatch, "secondary_suppression")
    attacked = _counted(monkeypatch, "check_publication")
    first, second = apply_disclosure(results), apply_disclosure(results)
    assert (len(decided), len(attacked)) == (1, 1)  # the second call loaded both
    pd.testing.assert_frame_equal(first, alone)
    pd.testing.assert_frame_equal(second, alone)
    other = compute_results(counts.assign(numerator=counts["numerator"] + 5))
    apply_disclosure(other)
    assert (len(decided), len(attacked)) == (2, 2)  # other counts: decided afresh

    def failing(*args, **kwargs):
        attacked.append(1)
        raise DisclosureError("the publication results", pd.DataFrame(columns=["kind"]))

    monkeypatch.setattr(suppression, "check_publication", failing)
    third = compute_results(counts.assign(denominator=counts["denominator"] + 1))
    for _ in range(2):
        with pytest.raises(ValueError, match="not written"):
            apply_disclosure(third)
    assert len(attacked) == 4  # a failure is checked again every time


def test_a_batchs_later_pages_load_each_authority_years_published_rows_whole(
        monkeypatch, tmp_path):
    results = compute_results(_counts(_SMALL_MINORITY))
    alone = apply_disclosure(results)
    _in_a_batch(monkeypatch, tmp_path)
    structures = _counted(monkeypatch, "cell_structure")
    first = apply_disclosure(results)
    again = apply_disclosure(results.copy())
    assert len(structures) == 1  # the second page did none of the unit's work
    pd.testing.assert_frame_equal(first, alone)
    pd.testing.assert_frame_equal(again, alone)
    apply_disclosure(results, min_count=10)
    assert len(structures) == 2  # another threshold: decided afresh


def test_the_national_views_unchecked_rows_are_the_pages_checked_ones_loaded(
        monkeypatch, tmp_path):
    """The national view (``check=False``) after the authority's pages takes the rows their
    checked call kept: nothing decided again, and the same rows as deciding afresh."""
    results = compute_results(_counts(_SMALL_MINORITY))
    alone = apply_disclosure(results, check=False)
    _in_a_batch(monkeypatch, tmp_path)
    structures = _counted(monkeypatch, "cell_structure")
    apply_disclosure(results)  # a page: decided and checked
    pd.testing.assert_frame_equal(apply_disclosure(results, check=False), alone)
    assert len(structures) == 1
    apply_disclosure(results, min_count=10, check=False)  # no page kept these: decided
    assert len(structures) == 2


def test_a_row_groups_heading_is_not_read_as_a_row_of_figures():
    page = ('<table><caption>c</caption><thead><tr><th scope="col">Service</th>'
            '<th scope="col">Minority ethnic n</th></tr></thead><tbody>'
            '<tr><th colspan="2" scope="rowgroup">From colleagues</th></tr>'
            '<tr><th scope="row">Total</th><td class="count" data-count="21">21</td></tr>'
            "</tbody></table>")
    (table,) = read_tables(page)
    assert [[c.text for c in row] for row in table.rows] == [["Total", "21"]]
