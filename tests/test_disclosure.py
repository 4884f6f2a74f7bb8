"""Disclosure control: small counts hidden, and impossible to recover from what is shown."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from wres.analysis.disclosure import secondary, suppression
from wres.analysis.disclosure.leaks import find_small_counts
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
                   "rl_upper", "flag", "significant", "verdict"):
        assert adults[column] == C and children[column] == C
    assert pooled["relative_likelihood"] != C
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


def _bounds(shown: pd.DataFrame) -> list[tuple[str, float, float]]:
    """Min and max of each hidden count given everything published (an independent LP)."""
    values = {}
    for row in shown.to_dict("records"):
        for group, n, d in ((row["group"], "numerator", "denominator"),
                            ("white", "reference_numerator", "reference_denominator"),
                            ("unknown", "unknown_numerator", "unknown_denominator")):
            if not pd.isna(row[n]):
                values[(row["service"], group, "n")] = row[n]
                values[(row["service"], group, "d")] = row[d]
    hidden = sorted(k for k, v in values.items() if v == C)
    index = {k: i for i, k in enumerate(hidden)}
    groups = {g for _, g, _ in values}
    broad = sorted(groups - {"white", "unknown", "minority"})
    sums = [(("all", g, k), [("adults", g, k), ("children", g, k)]) for g in groups
            for k in "nd"]
    sums += [((s, "minority", k), [(s, b, k) for b in broad]) for s in ("adults", "children",
             "all") for k in "nd" if broad]
    a_eq, b_eq = [], []
    for total, parts in sums:
        if not all(c in values for c in (total, *parts)):
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
    rows, rhs = _pair_constraints(values, index)
    return _ranges(hidden, index, a_eq, b_eq, rows, rhs)


def _pair_constraints(values, index):
    """Numerator <= denominator for every pair with a hidden member."""
    a_ub = []
    for service, group, kind in values:
        if kind == "n":
            row = np.zeros(len(index))
            n, d = (service, group, "n"), (service, group, "d")
            if values[n] == C or values[d] == C:
                a_ub.append((row, n, d))
    rows, rhs = [], []
    for row, n, d in a_ub:
        constant = 0.0
        for cell, sign in ((n, 1), (d, -1)):
            if values[cell] == C:
                row[index[cell]] += sign
            else:
                constant -= sign * values[cell]
        rows.append(row)
        rhs.append(constant)
    return rows, rhs


def _ranges(hidden, index, a_eq, b_eq, rows, rhs):
    """Smallest and largest feasible value of each hidden count."""
    out = []
    for cell in hidden:
        objective = np.zeros(len(hidden))
        objective[index[cell]] = 1
        options = {"A_eq": np.array(a_eq) if a_eq else None, "b_eq": b_eq or None,
                   "A_ub": np.array(rows) if rows else None, "b_ub": rhs or None,
                   "bounds": (0, None)}
        low = linprog(objective, **options)
        high = linprog(-objective, **options)
        out.append((str(cell), low.fun, -high.fun if high.status == 0 else np.inf))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_no_hidden_count_can_be_recovered_from_the_published_totals(counts):
    shown = apply_disclosure(compute_results(counts))
    assert find_small_counts(shown) == []
    for cell, low, high in _bounds(shown):
        assert high - low > 0.5, f"{cell} is fixed at {low} by the published counts"


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


def test_the_recovery_check_catches_primary_suppression_alone(monkeypatch):
    # Without secondary suppression 3 is hidden but the published 12 and 15 give it away.
    counts = _counts({("adults", "white"): (200, 20), ("adults", "minority"): (40, 3),
                      ("children", "white"): (150, 9), ("children", "minority"): (60, 12)})
    monkeypatch.setattr(suppression, "secondary_suppression",
                        lambda cells, eqs, pairs, hidden: hidden)
    shown = apply_disclosure(compute_results(counts))
    assert _row(shown, "adults")["numerator"] == C and _row(shown, "children")["numerator"] == 12
    fixed = [(cell, low) for cell, low, high in _bounds(shown) if high - low <= 0.5]
    assert fixed == [("('adults', 'minority', 'n')", 3.0)]


def test_the_range_screen_is_a_lower_bound_on_the_linear_programme():
    # hidden a + c = 15 (published total), a <= 40, c <= 60: each can move from 0 to 15
    problem = {"A_eq": np.array([[1.0, 1.0]]), "b_eq": np.array([15.0]), "A_ub": None,
               "b_ub": None, "bounds": [(0.0, 40), (0.0, 60)]}
    assert secondary._wide_ranges(np.array([3.0, 12.0]), problem) == pytest.approx([15, 15])
    # a + c = 15 and a - c = -9 pin both: the screen must not call them free
    pinned = dict(problem, A_eq=np.array([[1.0, 1.0], [1.0, -1.0]]), b_eq=np.array([15, -9]))
    assert secondary._wide_ranges(np.array([3.0, 12.0]), pinned).tolist() == [0.0, 0.0]
    # n <= d with n hidden and d = n published: n can only go down, from 4 to 0
    capped = {"A_eq": None, "b_eq": None, "A_ub": None, "b_ub": None, "bounds": [(0.0, 4)]}
    assert secondary._wide_ranges(np.array([4.0]), capped) == pytest.approx([4.0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_the_range_screen_changes_nothing_against_a_programme_for_every_cell(counts):
    results = compute_results(counts)
    screened = apply_disclosure(results)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secondary, "_wide_ranges", lambda values, problem: np.zeros(values.size))
        every_cell = apply_disclosure(results)
    pd.testing.assert_frame_equal(screened, every_cell)
