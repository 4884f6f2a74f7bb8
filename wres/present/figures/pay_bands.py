"""Indicator 1: the workforce by pay band and the minority ethnic share of each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from wres.core.frames import records
from wres.core.indicators import MINORITY, WHITE
from wres.present.figures.common import (
    _FONT,
    _HATCHES,
    _confidence,
    _latest_year,
    _new_figure,
    _palette,
    _share_with_interval,
    set_title,
)
from wres.present.narrative.words import (
    as_number,
    band_name,
    check_one_report,
    group_label,
    group_name,
    service_name,
)

# --- indicator 1: pay bands ----------------------------------------------------------------


def _band_shares(rows: list[dict]) -> pd.DataFrame:
    """Tidy shares of each group's staff per band, white from the minority rows."""
    entries = []
    for row in rows:
        group = str(row["group"])
        sources = [(group, "numerator", "denominator")]
        if group == MINORITY:
            sources.append((WHITE, "reference_numerator", "reference_denominator"))
        for name, num, den in sources:
            n, d = as_number(row.get(num)), as_number(row.get(den))
            share = n / d if n is not None and d else np.nan
            entries.append({"band": str(row["measure"]), "group": name, "share": share})
    return pd.DataFrame(entries)


def pay_band_plot(
    frame: pd.DataFrame, *, service: str = "all", year: int | None = None
) -> tuple[Figure, str]:
    """Indicator 1: each group's spread over pay bands, and the minority share of each band.

    The left panel shows the share of each group's staff in each band (minority ethnic,
    white and any broad groups). The right panel shows minority ethnic staff as a share of
    everyone of known ethnicity in the band, with Wilson intervals, against their share of
    all staff. A withheld band says "withheld" once in each panel (over the missing
    bars), and the alt text names it.

    Parameters
    ----------
    frame : DataFrame
        Indicator 1 results rows.
    service : str
        Service shown; ``all`` by default.
    year : int, optional
        Year shown; the latest by default.
    """
    check_one_report(frame, years=False)
    selected = frame[frame["service"].astype(str) == service]
    if selected.empty:
        raise ValueError(f"no indicator 1 rows for service {service!r}")
    selected, year = _latest_year(selected, year)
    rows = records(selected)
    bands = list(dict.fromkeys(str(r["measure"]) for r in rows))
    shares = _band_shares(rows)
    groups = list(dict.fromkeys(shares["group"]))
    groups = [g for g in (MINORITY, WHITE) if g in groups] + [
        g for g in groups if g not in (MINORITY, WHITE)
    ]
    shares["percent"] = 100 * shares["share"]
    shares["Group"] = shares["group"].map(group_label)

    fig, (left, right) = _new_figure(9, 3.8, ncols=2)
    colours = dict(zip([group_label(g) for g in groups], _palette(len(groups)), strict=True))
    sns.barplot(
        data=shares, x="band", y="percent", hue="Group", order=bands,
        hue_order=[group_label(g) for g in groups], palette=colours, errorbar=None, ax=left,
    )
    for container, hatch in zip(left.containers, _HATCHES, strict=False):
        for bar in container:
            bar.set_hatch(hatch)
            bar.set_edgecolor("0.2")
    _mark_withheld_bars(left, shares, bands, groups)
    left.set_xlabel("Pay band", fontsize=_FONT)
    left.set_ylabel("Share of the group's staff (%)", fontsize=_FONT)
    set_title(left, "Where each group's staff are")
    left.legend(fontsize=_FONT - 1, title=None)

    minority = [r for r in rows if str(r["group"]) == MINORITY]
    band_alt = _minority_share_panel(right, minority, bands)
    where = service_name(service)
    spread = []
    for band in bands:
        items = shares[shares["band"] == band]
        described = [
            f"{group_name(g)} {'withheld' if np.isnan(p) else f'{p:.1f}%'}"
            for g, p in zip(items["group"], items["percent"], strict=True)
        ]
        spread.append(f"band {band_name(band)}: " + ", ".join(described))
    alt = (
        f"Bar chart of the share of each group's staff in each pay band, {where}, {year}. "
        + "; ".join(spread) + ". " + band_alt
    )
    return fig, alt


def _withheld_text(ax, x: float, y: float) -> None:
    ax.text(x, y, "withheld", rotation=90, ha="center", va="bottom", fontsize=_FONT - 1,
            style="italic", color="0.3")


def _mark_withheld_bars(ax, shares: pd.DataFrame, bands: list[str], groups: list[str]) -> None:
    """Write "withheld" where a group's bar is missing: once per band when every group's
    share in it is withheld, else once over each missing bar (never read as 0%).

    Bars are dodged side by side within a band, ``width`` apart, in ``groups`` order.
    """
    drawn = [bar for container in ax.containers for bar in container]
    width = drawn[0].get_width() if drawn else 0.8 / max(len(groups), 1)
    for position, band in enumerate(bands):
        missing, present = [], 0
        for index, group in enumerate(groups):
            share = shares.loc[(shares["band"] == band) & (shares["group"] == group), "share"]
            present += len(share) > 0
            if len(share) and np.isnan(share.iloc[0]):
                missing.append(position + (index - (len(groups) - 1) / 2) * width)
        if missing and len(missing) == present:
            _withheld_text(ax, position, 0.5)
        else:
            for x in missing:
                _withheld_text(ax, x, 0.5)


def _minority_share_panel(ax, minority: list[dict], bands: list[str]) -> str:
    """Draw minority share of each band; return the alt text for the panel."""
    ax.set_xlabel("Pay band", fontsize=_FONT)
    ax.set_ylabel("Minority ethnic share of the band (%)", fontsize=_FONT)
    set_title(ax, "Minority ethnic staff as a share of each band")
    if not minority:
        ax.text(0.5, 0.5, "no minority ethnic rows", ha="center", transform=ax.transAxes)
        return "No minority ethnic rows to show each band's make-up."
    points, texts = [], []
    for position, band in enumerate(bands):
        row = next((r for r in minority if str(r["measure"]) == band), None)
        if row is None:
            texts.append(f"band {band_name(band)} withheld")
            continue
        count, reference = (as_number(row.get(k)) for k in ("numerator", "reference_numerator"))
        if count is None or reference is None or count + reference == 0:
            texts.append(f"band {band_name(band)} withheld")
            _withheld_text(ax, position, 2)
            continue
        share, low, high = _share_with_interval(count, count + reference, _confidence(row))
        points.append((position, 100 * share, 100 * low, 100 * high))
        texts.append(
            f"band {band_name(band)} {100 * share:.0f}% ({100 * low:.0f} to {100 * high:.0f})"
        )
    colour = _palette(1)[0]
    if points:
        x, y, lo, hi = (np.array(v) for v in zip(*points, strict=True))
        ax.errorbar(x, y, yerr=np.clip([y - lo, hi - y], 0.0, None), fmt="o", color=colour,
                    capsize=3, label="Share of band")
    overall = _workforce_share(minority[0])
    if overall is not None:
        ax.axhline(100 * overall, color="0.3", linestyle="--", linewidth=1,
                   label=f"Share of all staff ({100 * overall:.0f}%)")
    ax.set_xticks(range(len(bands)))
    ax.set_xticklabels(bands)
    ax.set_xlim(-0.5, len(bands) - 0.5)
    ax.set_ylim(0, 100)
    ax.legend(fontsize=_FONT - 1)
    tail = "" if overall is None else f", against {100 * overall:.0f}% of all staff"
    return "Minority ethnic share of each band: " + ", ".join(texts) + tail + "."


def _workforce_share(row: dict) -> float | None:
    d1, d0 = as_number(row.get("denominator")), as_number(row.get("reference_denominator"))
    if d1 is None or d0 is None or d1 + d0 == 0:
        return None
    return d1 / (d1 + d0)
