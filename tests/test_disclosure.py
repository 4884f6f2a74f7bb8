"""Disclosure control: small counts hidden, and every hidden count keeps a protection interval."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from wres.analysis.disclosure import protection, suppression
from wres.analysis.disclosure.attack import DisclosureError
from wres.analysis.disclosure.leaks import find_small_counts
from wres.analysis.disclosure.protection import PROTECTION_INTERVAL, Constraints
from wres.analysis.disclosure.suppression import apply_disclosure, suppress_small_counts
from wres.analysis.results import compute_results

C = "[c]"


def _counts(cells: dict[tuple[str, str], tuple[int, int]], indicator: int = 3,
            measure: str = "disciplinary") -> pd.DataFrame:
    return pd.DataFrame([
        {"authority": "Testshire", "year": 2023, "service": service, "indicator": indicator,
         "measure": measure, "ethnic_group": group, "denominator": d, "numerator": n}
        for (service, group), (d, n) in cells.items()
    ])


def _row(table, service, group="minority"):
    return table[(table["service"] == service) & (table["group"] == group)].iloc[0]


def test_a_small_numerator_and_the_next_smallest_cell_of_its_sum_are_hidden():
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    shown = apply_disclosure(compute_results(counts))
    adults, children, pooled = (_row(shown, s) for s in ("adults", "children", "all"))
    assert adults["numerator"] == C and adults["denominator"] == 40
    assert children["numerator"] == C  # 12 < 15: the smallest cell beside 3 in all = a + c
    assert pooled["numerator"] == 15
    for column in ("rate", "rate_lower", "rate_upper", "relative_likelihood", "rl_lower",
                   "rl_upper", "flag", "significant", "verdict", "status"):
        assert adults[column] == C and children[column] == C
    assert pooled["relative_likelihood"] != C and pooled["status"] == "ok"
    assert adults["reference_numerator"] == 20 and adults["reference_rate"] != C


def test_a_small_white_count_hides_every_ratio_that_uses_it():
    counts = _counts({("adults", "white"): (200, 2), ("adults", "minority"): (40, 6),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    shown = apply_disclosure(compute_results(counts))
    adults = _row(shown, "adults")
    assert adults["reference_numerator"] == C and adults["relative_likelihood"] == C
    assert adults["numerator"] == 6 and adults["rate"] != C


def test_nothing_changes_when_no_count_is_small():
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 7),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    results = compute_results(counts)
    shown = apply_disclosure(results)
    assert not (shown == C).any().any()
    assert shown["numerator"].tolist() == results["numerator"].tolist()


def test_zero_is_shown_because_zero_events_must_stay_visible():
    shown = suppress_small_counts(pd.DataFrame({"numerator": [0, 1, 4, 5], "denominator": 9}))
    assert shown["numerator"].tolist() == [0, C, C, 5]


def test_the_checker_finds_small_counts_in_tables_and_marked_html():
    results = compute_results(_counts({("adults", "white"): (200, 20),
                                       ("adults", "minority"): (40, 3)}))
    found = find_small_counts(results)
    assert any("numerator = 3" in m for m in found)
    assert find_small_counts(apply_disclosure(results)) == []
    assert len(find_small_counts(results.to_html())) == len(found)
    html = ('<table><tr><td class="count">12</td><td class="rate count">3</td>'
            '<td data-count="2">[c]</td><td data-count>1,204</td><td>4</td>'
            '<td class="count">[c]</td></tr></table>')
    # the data-count value is checked even when the cell shows [c]: it is in the page source
    assert find_small_counts(html) == ["table 1, row 1, column 2: 3",
                                       "table 1, row 1, column 3: 2"]


def test_two_small_counts_that_add_up_to_a_published_eight_are_not_left_at_four_and_four():
    # the 140 sums: adults [c] + children [c] = all 8 gives 4 and 4 to anyone who
    # knows a hidden small count is 1 to 4; the total is hidden too
    counts = _counts({("adults", "white"): (300, 30), ("adults", "minority"): (60, 4),
                      ("children", "white"): (250, 25), ("children", "minority"): (50, 4)})
    shown = apply_disclosure(compute_results(counts))
    assert [_row(shown, s)["numerator"] for s in ("adults", "children")] == [C, C]
    assert _row(shown, "all")["numerator"] == C


def test_a_published_pair_with_a_small_complement_is_hidden():
    # the Hollowmere 2022: 13 of 17 minority staff tells that 4 did not report
    counts = _counts({("adults", "white"): (300, 120), ("adults", "minority"): (40, 20),
                      ("children", "white"): (250, 100), ("children", "minority"): (17, 13)},
                     indicator=6, measure="public")
    results = compute_results(counts)
    shown = apply_disclosure(results)
    children = _row(shown, "children")
    assert C in (children["numerator"], children["denominator"])
    assert children["relative_likelihood"] == C
    published = [(int(r["numerator"]), int(r["denominator"])) for r in shown.to_dict("records")
                 if C not in (r["numerator"], r["denominator"])]
    assert all(not 1 <= d - n <= 4 for n, d in published)


def test_the_status_of_a_hidden_ratio_is_hidden_so_it_cannot_reveal_a_zero():
    # children's white count is 0: "no events in either group" would give away a hidden 0
    counts = _counts({("adults", "white"): (200, 9), ("adults", "minority"): (40, 2),
                      ("children", "white"): (150, 0), ("children", "minority"): (60, 0)})
    results = compute_results(counts)
    assert _row(results, "children")["status"].startswith("not_computable")
    shown = apply_disclosure(results)
    for service in ("adults", "children"):
        row = _row(shown, service)
        assert (row["relative_likelihood"] == C) == (row["status"] == C)
    assert (shown["relative_likelihood"] == C).any()


def test_a_leak_in_the_result_is_never_returned(monkeypatch):
    # fail closed: with secondary suppression switched off, 3 = 15 - 12 is recoverable
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    monkeypatch.setattr(suppression, "secondary_suppression",
                        lambda structure, primary, **options: set(primary))
    with pytest.raises(DisclosureError, match="recovered") as raised:
        apply_disclosure(compute_results(counts))
    assert isinstance(raised.value, ValueError)
    found = raised.value.findings
    assert ((found["kind"] == "recovered") & (found["column"] == "numerator")
            & (found["service"] == "adults")).any()
    assert len(apply_disclosure(compute_results(counts), check=False)) == 3


GROUPS = {"minority": ["minority"], "broad": ["asian", "black", "mixed"]}


@st.composite
def _tables(draw):
    kind = draw(st.sampled_from(sorted(GROUPS)))
    cells = {}
    for service in ("adults", "children"):
        for group in ["white", "unknown", *GROUPS[kind]]:
            denominator = draw(st.integers(0, 25))
            cells[(service, group)] = (denominator, draw(st.integers(0, denominator)))
    return _counts(cells)


def _ranges(shown: pd.DataFrame, truth: pd.DataFrame, everything: bool = False):
    """Range of every hidden count (and small complement) given what is published.

    An independent linear programme: published sums and pairs, a hidden small
    count or complement in 1..4, any other hidden count 0 or more. With
    ``everything``, every count is taken as hidden (what no suppression can beat).
    """
    values, true = {}, {}
    for row, real in zip(shown.to_dict("records"), truth.to_dict("records"), strict=True):
        for group, n, d in ((row["group"], "numerator", "denominator"),
                            ("white", "reference_numerator", "reference_denominator"),
                            ("unknown", "unknown_numerator", "unknown_denominator")):
            if not pd.isna(row[n]):
                for kind, column in (("n", n), ("d", d)):
                    values[(row["service"], group, kind)] = C if everything else row[column]
                    true[(row["service"], group, kind)] = int(real[column])
    pairs = [(k[0], k[1]) for k in values if k[2] == "n"]
    for s, g in pairs:  # complements: m = d - n
        hidden = C in (values[(s, g, "n")], values[(s, g, "d")])
        values[(s, g, "m")] = C if hidden else values[(s, g, "d")] - values[(s, g, "n")]
        true[(s, g, "m")] = true[(s, g, "d")] - true[(s, g, "n")]
    hidden = sorted(k for k, v in values.items() if v == C)
    index = {k: i for i, k in enumerate(hidden)}
    groups = {g for _, g, _ in values}
    broad = sorted(groups - {"white", "unknown", "minority"})
    sums = [(("all", g, k), [("adults", g, k), ("children", g, k)]) for g in groups
            for k in "nd"]
    sums += [((s, "minority", k), [(s, b, k) for b in broad]) for s in ("adults", "children",
             "all") for k in "nd" if broad]
    sums += [((s, g, "d"), [(s, g, "n"), (s, g, "m")]) for s, g in pairs]
    a_eq, b_eq = [], []
    for total, parts in sums:
        if not all(c in values for c in (total, *parts)):
            continue
        if true[total] != sum(true[p] for p in parts):
            continue
        row, constant = np.zeros(len(hidden)), 0.0
        for cell, sign in [(total, 1), *((p, -1) for p in parts)]:
            if values[cell] == C:
                row[index[cell]] += sign
            else:
                constant -= sign * values[cell]
        if row.any():
            a_eq.append(row)
            b_eq.append(constant)
    bounds = [(1, 4) if 1 <= true[k] <= 4 else (0, None) for k in hidden]
    out = {}
    for cell in hidden:
        objective = np.zeros(len(hidden))
        objective[index[cell]] = 1
        options = {"A_eq": np.array(a_eq) if a_eq else None, "b_eq": b_eq or None,
                   "bounds": bounds}
        low, high = linprog(objective, **options), linprog(-objective, **options)
        out[cell] = (low.fun, -high.fun if high.status == 0 else np.inf, true[cell])
    return out


def _values(low: float, high: float) -> float:
    return np.inf if high == np.inf else np.floor(high + 1e-6) - np.ceil(low - 1e-6) + 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_every_hidden_count_keeps_its_protection_interval(counts):
    results = compute_results(counts)
    shown = apply_disclosure(results)
    assert find_small_counts(shown) == []
    ranges, anything = _ranges(shown, results), _ranges(shown, results, everything=True)
    for cell, (low, high, value) in ranges.items():
        if cell[2] == "m" and not 1 <= value <= 4:
            continue  # a complement that is not small need not be protected
        needed = min(PROTECTION_INTERVAL, 4 if 1 <= value <= 4 else np.inf)
        best = _values(*anything[cell][:2])
        assert _values(low, high) >= min(needed, best), (
            f"{cell} = {value} is left in {low:g}..{high:g}")


def test_the_independent_check_catches_primary_suppression_alone(monkeypatch):
    # Without secondary suppression 3 is hidden but the published 12 and 15 give it away.
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    monkeypatch.setattr(suppression, "secondary_suppression",
                        lambda structure, primary, **options: set(primary))
    results = compute_results(counts)
    shown = apply_disclosure(results, check=False)
    assert _row(shown, "adults")["numerator"] == C and _row(shown, "children")["numerator"] == 12
    fixed = {cell: low for cell, (low, high, _) in _ranges(shown, results).items()
             if high - low <= 0.5}
    assert fixed == {("adults", "minority", "n"): 3.0, ("adults", "minority", "m"): 37.0}


def test_a_hidden_pay_band_count_cannot_be_recovered_from_the_other_bands():
    bands = {"Band 1": (30, 60), "Band 2": (17, 14), "Band 3": (3, 6)}  # minority, white
    counts = pd.concat([
        _counts({("adults", "minority"): (50, m), ("adults", "white"): (80, w)}, 1, band)
        for band, (m, w) in bands.items()
    ])
    shown = apply_disclosure(compute_results(counts))
    minority = shown[(shown["service"] == "adults") & (shown["group"] == "minority")]
    assert minority["numerator"].tolist() == [30, C, C]  # 50 - 30 - 17 would reveal Band 3
    assert minority["denominator"].tolist() == [50, 50, 50]


def _system(draw) -> tuple[Constraints, dict]:
    """A random small system of sums over counts, with the true counts meeting it."""
    size = draw(st.integers(2, 7))
    truth = {i: draw(st.integers(0, 12)) for i in range(size)}
    view = Constraints()
    for i in range(size):
        small = 1 <= truth[i] <= 4 and draw(st.booleans())
        view.bounds[i] = (1.0, 4.0) if small else (0.0, np.inf)
    for _ in range(draw(st.integers(0, 4))):
        members = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=size,
                                unique=True))
        signs = [draw(st.sampled_from([1.0, -1.0])) for _ in members]
        total = sum(s * truth[m] for s, m in zip(signs, members, strict=True))
        slack = draw(st.sampled_from([0, 0, 1, 3]))
        view.add(zip(members, signs, strict=True), total - slack, total + slack)
    return view, truth


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_ranges_agree_with_one_linear_programme_per_cell(data):
    view, truth = _system(data.draw)
    cells = sorted(view.bounds)
    ranges = protection.feasible_ranges(view, cells)
    a_ub, b_ub = [], []
    for terms, low, high in view.rows:
        row = np.zeros(len(cells))
        for cell, value in terms:
            row[cell] = value
        a_ub += [row, -row]
        b_ub += [high, -low]
    # counts are far below 10 million: a cap keeps HiGHS from calling unbounded infeasible
    bounds = [(lo, min(hi, 1e7)) for lo, hi in (view.bounds[c] for c in cells)]
    outer = protection.propagate(view)
    for cell in cells:
        unit = np.eye(len(cells))[cell]
        low = linprog(unit, A_ub=a_ub or None, b_ub=b_ub or None, bounds=bounds)
        high = linprog(-unit, A_ub=a_ub or None, b_ub=b_ub or None, bounds=bounds)
        top = np.inf if -high.fun > 5e6 else -high.fun
        assert ranges[cell][0] == pytest.approx(low.fun, abs=1e-6)
        assert ranges[cell][1] == pytest.approx(top, abs=1e-6)
        # bound propagation never claims a narrower range than the programme
        assert outer[cell][0] <= low.fun + 1e-6 and outer[cell][1] >= top - 1e-6
    # shortcuts (feasible tables from the truth, propagation, local rows) change no answer
    needed = {c: PROTECTION_INTERVAL for c in cells}
    plain = protection.narrow_cells(view, needed)
    quick = protection.narrow_cells(view, needed, point=truth, exact=False)
    assert set(quick) == set(plain)


def test_a_count_left_as_wide_as_hiding_everything_allows_is_excused():
    # asian, black and mixed each 1 (small) and minority 3 (small): minority is at least 3
    # and at most 4 whatever is hidden, so its two values are as wide as it can ever be
    counts = _counts({("adults", "white"): (200, 20), ("adults", "asian"): (30, 1),
                      ("adults", "black"): (30, 1), ("adults", "mixed"): (30, 1),
                      ("adults", "minority"): (90, 3)})
    results = compute_results(counts)
    shown = apply_disclosure(results)
    assert (shown[shown["group"] != "white"]["numerator"] == C).all()


# --- the unit of disclosure control: one authority and year, every indicator -------------------


@pytest.fixture(scope="module")
def cindermoor() -> pd.DataFrame:
    from wres.core.paths import PACKAGE_DIR
    from wres.inputs.counts import read_counts

    return compute_results(read_counts(PACKAGE_DIR.parent / "data" / "sample" / "cindermoor.csv"))


def test_results_of_several_years_are_disclosed_year_by_year(cindermoor):
    published = apply_disclosure(cindermoor)
    for year, rows in cindermoor.groupby("year"):
        alone = apply_disclosure(rows)
        pd.testing.assert_frame_equal(
            published[published["year"] == year].reset_index(drop=True), alone)
    assert published[list(cindermoor.columns[:6])].astype(str).equals(
        cindermoor[list(cindermoor.columns[:6])].astype(str).reset_index(drop=True))


def test_a_page_of_one_indicator_hides_exactly_what_the_authoritys_results_file_hides(cindermoor):
    published = apply_disclosure(cindermoor)
    differs = []
    for indicator, rows in cindermoor.groupby("indicator"):
        page = apply_disclosure(rows, within=cindermoor)
        expected = published[published["indicator"] == indicator].reset_index(drop=True)
        pd.testing.assert_frame_equal(page, expected)
        differs.append(not apply_disclosure(rows).equals(expected))
    # decided on the indicator alone, some page would show what the file hides
    assert any(differs)


def test_a_page_whose_rows_are_missing_from_within_is_refused(cindermoor):
    others = cindermoor[cindermoor["indicator"] != 3]
    with pytest.raises(ValueError, match="'within' has no row"):
        apply_disclosure(cindermoor[cindermoor["indicator"] == 3], within=others)
