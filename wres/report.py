"""What the indicator notebooks call: load, compute, and show each part of a report.

A notebook stays thin: a ``parameters`` cell, then one call per section. Each
``show_*`` function displays its own output. When a run asks for several
renderings (``render_profiles``), every section is displayed once per profile
with the profile recorded in the output's metadata, so one execution gives
both the analyst and the publication HTML (`wres.render` keeps the outputs of
the profile it renders). The publication variant passes through
`wres.disclosure` first.
"""

from __future__ import annotations

import glob
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wres import disclosure, narrative, plots, stats, tables
from wres.atomic import write_csv_atomic
from wres.data import read_counts
from wres.indicators import ALL_SERVICES, INDICATORS, MINORITY, Indicator, get_indicator
from wres.results import EXTRA_COLUMNS, RESULT_COLUMNS, compute_results

PROFILES = ("analyst", "publication")
_ALIGN = ["indicator", "measure", "service", "group"]


@dataclass
class Report:
    """Everything one authority-year report needs, computed once.

    ``results`` holds every year of the authority's rows for the indicators
    reported (earlier years feed the figure and the year-on-year change);
    ``current`` is the report year's rows.
    """

    authority: str
    year: int
    indicators: tuple[Indicator, ...]
    results: pd.DataFrame
    thresholds: tuple[float, float]
    confidence_level: float
    ci_method: str
    min_count: int
    profile: str
    render_profiles: tuple[str, ...]
    submitted: tuple[int, ...] = field(default=())
    _rows: dict = field(default_factory=dict, repr=False)

    @property
    def current(self) -> pd.DataFrame:
        return self.results[self.results["year"] == self.year].reset_index(drop=True)

    @property
    def previous_year(self) -> int | None:
        earlier = self.results.loc[self.results["year"] < self.year, "year"]
        return int(earlier.max()) if len(earlier) else None

    def rows(self, profile: str, *, year: int | str | None = None) -> pd.DataFrame:
        """Rows of ``year`` (default the report year, ``"all"`` every year) for ``profile``."""
        key = (profile, year)
        if key not in self._rows:
            self._rows[key] = self._select(profile, year)
        return self._rows[key]

    def _select(self, profile: str, year: int | str | None) -> pd.DataFrame:
        frame = self.results if year == "all" else self.results[
            self.results["year"] == (self.year if year is None else year)
        ]
        frame = frame.reset_index(drop=True)
        if profile == "publication" and len(frame):
            return disclosure.apply_disclosure(frame, min_count=self.min_count)
        return frame


def resolve_data(data: str | Sequence[str]) -> list[Path]:
    """Counts files named by ``data``: a path, a glob pattern, or a list of them."""
    patterns = [data] if isinstance(data, str | Path) else list(data)
    paths: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(str(pattern)))
        if not matches and not glob.has_magic(str(pattern)):
            matches = [str(pattern)]  # read_counts reports a missing file clearly
        paths.extend(Path(m) for m in matches)
    if not paths:
        raise FileNotFoundError(f"no counts files match {data!r}")
    return paths


def load(
    indicators: int | Iterable[int],
    *,
    authority: str,
    year: int,
    data: str | Sequence[str],
    ci_method: str = "katz-log",
    rate_method: str = "wilson",
    confidence_level: float = 0.95,
    thresholds: Sequence[float] = (0.80, 1.25),
    min_count: int = 5,
    profile: str = "analyst",
    pay_bands: Sequence[str] | None = None,
    render_profiles: Sequence[str] | None = None,
) -> Report:
    """Read and validate the counts, then compute the authority's results.

    Raises
    ------
    wres.validation.ValidationError
        If a counts file has problems (each named by file, row and column).
    ValueError
        If ``profile`` is not ``analyst`` or ``publication``.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be 'analyst' or 'publication', not {profile!r}")
    wanted = (indicators,) if isinstance(indicators, int) else tuple(indicators)
    counts = read_counts(resolve_data(data))
    counts = counts[(counts["authority"] == authority) & counts["indicator"].isin(wanted)]
    counts = counts[counts["year"] <= int(year)]
    results = compute_results(
        counts,
        ci_method=ci_method,
        rate_method=rate_method,
        confidence_level=confidence_level,
        thresholds=(float(thresholds[0]), float(thresholds[1])),
        pay_bands=pay_bands,
    )
    submitted = tuple(sorted(set(results.loc[results["year"] == int(year), "indicator"])))
    return Report(
        authority=authority,
        year=int(year),
        indicators=tuple(get_indicator(n) for n in wanted),
        results=results,
        thresholds=(float(thresholds[0]), float(thresholds[1])),
        confidence_level=float(confidence_level),
        ci_method=ci_method,
        min_count=int(min_count),
        profile=profile,
        render_profiles=tuple(render_profiles or (profile,)),
        submitted=tuple(int(n) for n in submitted),
    )


def _display(report: Report, build) -> None:
    """Display ``build(profile)`` (an HTML string) once per rendering profile."""
    from IPython.display import HTML, display

    for profile in report.render_profiles:
        content = build(profile)
        if content:
            display(HTML(content), metadata={"wres": {"profile": profile}})


def _paragraphs(lines: Iterable[str], css_class: str = "finding") -> str:
    return "".join(f'<p class="{css_class}">{html.escape(line)}</p>' for line in lines)


def show_header(report: Report) -> None:
    """Title, what the indicator measures, the method used, or "not submitted"."""
    definition = report.indicators[0]

    def build(profile: str) -> str:
        parts = [
            f"<h1>Indicator {definition.number}: {html.escape(definition.title)}</h1>",
            f"<p><strong>{html.escape(report.authority)}</strong>, {report.year}. "
            f"Counted among {html.escape(definition.denominator)}.</p>",
        ]
        if definition.number not in report.submitted:
            message = narrative.not_submitted_message(
                definition.number, report.year, report.authority
            )
            parts.append(f'<p class="not-submitted"><strong>Not submitted for {report.year}.'
                         f"</strong> {html.escape(message)}</p>")
            return "".join(parts)
        low, high = report.thresholds
        parts.append(
            "<p>The relative likelihood divides the rate among minority ethnic staff by the "
            f"rate among white staff. Results outside {low:.2f}–{high:.2f} are flagged for "
            f"action. Intervals are {narrative.format_confidence(report.confidence_level)} "
            f"confidence intervals ({html.escape(report.ci_method)} method).</p>"
        )
        if profile == "publication":
            parts.append(
                f"<p>Counts from 1 to {report.min_count - 1} are shown as [c] to protect "
                "small groups of staff, with any figure that would reveal them.</p>"
            )
        return "".join(parts)

    _display(report, build)


def _submitted(report: Report) -> bool:
    return report.indicators[0].number in report.submitted


def show_findings(report: Report) -> None:
    """Findings in plain words, one per service and measure."""
    if not _submitted(report):
        return
    number = report.indicators[0].number

    def build(profile: str) -> str:
        rows = report.rows(profile)
        if number == 1:
            lines = [narrative.pay_band_sentence(row, min_count=report.min_count)
                     for _, row in rows.iterrows()
                     if row["service"] == ALL_SERVICES and row["group"] == MINORITY]
        else:
            lines = narrative.findings(rows, thresholds=report.thresholds,
                                       min_count=report.min_count)
        if number == 9:
            lines += [narrative.senior_share_sentence(row, min_count=report.min_count)
                      for _, row in rows.iterrows() if row["group"] == MINORITY]
        return "<h2>Findings</h2>" + _paragraphs(lines)

    _display(report, build)


def show_table(report: Report) -> None:
    """The Total / Adults / Children table as published SC-WRES action plans lay it out."""
    if not _submitted(report):
        return

    def build(profile: str) -> str:
        rows = report.rows(profile)
        out = ["<h2>Results table</h2>"]
        for group in dict.fromkeys(rows["group"]):
            table = tables.action_plan_table(rows, group=group)
            caption = (f"{report.indicators[0].title}, {report.authority} {report.year}: "
                       f"{narrative.group_label(group)} compared with white staff")
            out.append(tables.to_html(table, caption=caption))
        return "".join(out)

    _display(report, build)


def show_figure(report: Report) -> None:
    """The indicator's figure, embedded as an image with alt text."""
    if not _submitted(report):
        return
    drawn: dict[str, str] = {}

    def build(profile: str) -> str:
        # The publication figure is the analyst one whenever nothing was suppressed.
        for other, page in drawn.items():
            if report.rows(other, year="all").equals(report.rows(profile, year="all")):
                return page
        drawn[profile] = "<h2>Figure</h2>" + _figure(report, profile)
        return drawn[profile]

    _display(report, build)


def _figure(report: Report, profile: str) -> str:
    number = report.indicators[0].number
    if number == 1:
        fig, alt = plots.pay_band_plot(report.rows(profile))
    elif number == 9:
        fig, alt = plots.senior_management_plot(report.rows(profile))
    else:
        fig, alt = plots.forest_plot(report.rows(profile, year="all"),
                                     thresholds=report.thresholds)
    return plots.figure_to_html(fig, alt)


def show_unknown(report: Report) -> None:
    """How many staff had no recorded ethnicity, and the bounds that puts on each ratio."""
    if not _submitted(report):
        return

    def build(profile: str) -> str:
        rows = report.rows(profile)
        rows = rows[(rows["group"] == MINORITY) & rows["unknown_denominator"].notna()]
        if report.indicators[0].number == 1:
            rows = rows.head(0) if rows.empty else rows[rows["service"] == ALL_SERVICES]
        if rows.empty:
            return ("<h2>Unknown ethnicity</h2><p>No counts of staff with unknown ethnicity "
                    "were given for this indicator.</p>")
        lines = [narrative.unknown_sentence(row, min_count=report.min_count)
                 for _, row in rows.iterrows()]
        return "<h2>Unknown ethnicity</h2>" + _paragraphs(lines)

    _display(report, build)


def year_on_year(results: pd.DataFrame, year: int) -> pd.DataFrame:
    """Change in each relative likelihood since the latest earlier year in ``results``.

    Returns one row per indicator x measure x service x group present in both
    years, with the columns of `wres.stats.change_between_years` plus
    ``previous_year``, ``previous_rl`` and ``current_rl``.
    """
    earlier = results.loc[results["year"] < year, "year"]
    if earlier.empty:
        return pd.DataFrame()
    before = int(earlier.max())
    now = results[results["year"] == year]
    then = results[results["year"] == before]
    paired = now.merge(then, on=_ALIGN, suffixes=("", "_previous"))
    if paired.empty:
        return pd.DataFrame()
    parts = []
    for number, part in paired.groupby("indicator", sort=True):
        previous = part[[c + "_previous" for c in ("numerator", "denominator",
                                                   "reference_numerator",
                                                   "reference_denominator",
                                                   "relative_likelihood", "rl_lower",
                                                   "rl_upper", "ci_method",
                                                   "confidence_level", "status")]]
        previous.columns = [c.removesuffix("_previous") for c in previous.columns]
        change = stats.change_between_years(
            part.reset_index(drop=True), previous.reset_index(drop=True),
            confidence_level=float(part["confidence_level"].iloc[0]),
            adverse=INDICATORS[int(number)].adverse,
        )
        change = change.reset_index(drop=True)
        keys = part[_ALIGN].reset_index(drop=True)
        keys["previous_year"] = before
        keys["previous_rl"] = part["relative_likelihood_previous"].to_numpy()
        keys["current_rl"] = part["relative_likelihood"].to_numpy()
        parts.append(pd.concat([keys, change], axis=1))
    return pd.concat(parts, ignore_index=True)


def show_change(report: Report) -> None:
    """Year on year: the change since the previous year, with its test."""
    if not _submitted(report):
        return
    changes = year_on_year(report.results, report.year)

    def build(profile: str) -> str:
        if changes.empty:
            return ("<h2>Change since last year</h2><p>No earlier year was submitted, so "
                    "there is no change to report.</p>")
        rows = changes[changes["group"] == MINORITY]
        if profile == "publication":
            hidden = _suppressed_keys(report)
            rows = rows[[tuple(k) not in hidden for k in rows[_ALIGN].itertuples(index=False)]]
        lines = []
        for _, row in rows.iterrows():
            where = narrative.service_label(row["service"])
            label = narrative.measure_label(int(row["indicator"]), row["measure"])
            sentence = narrative.change_sentence(
                row, previous_year=int(row["previous_year"]),
                previous_rl=row["previous_rl"], current_rl=row["current_rl"],
            )
            lines.append(f"{where}, {label}: {sentence}")
        return "<h2>Change since last year</h2>" + _paragraphs(lines)

    _display(report, build)


def _suppressed_keys(report: Report) -> set[tuple]:
    """Comparisons whose ratio is withheld in this year or the previous one."""
    keys: set[tuple] = set()
    for year in (report.year, report.previous_year):
        if year is None:
            continue
        rows = report.rows("publication", year=year)
        withheld = rows["relative_likelihood"].astype(str) == disclosure.MARKER
        keys |= {tuple(k) for k in rows.loc[withheld, _ALIGN].itertuples(index=False)}
    return keys


def write_results(report: Report, output_dir: str | Path, name: str) -> Path | None:
    """Write the report year's rows, in the `wres results` columns, beside the report."""
    rows = report.current
    path = Path(output_dir) / f"{name}.results.csv"
    return write_csv_atomic(rows.loc[:, RESULT_COLUMNS + EXTRA_COLUMNS], path)


def show_summary(report: Report) -> None:
    """The page a board reads first: every indicator's headline in one table."""

    all_changes = year_on_year(report.results, report.year)

    def build(profile: str) -> str:
        parts = [f"<h1>SC-WRES summary: {html.escape(report.authority)}, {report.year}</h1>"]
        missing = [d for d in report.indicators if d.number not in report.submitted]
        rows = report.rows(profile)
        if rows.empty:
            parts.append(f'<p class="not-submitted">No indicators were submitted for '
                         f"{report.year}.</p>")
            return "".join(parts)
        changes = all_changes
        if profile == "publication" and not changes.empty:
            hidden = _suppressed_keys(report)
            changes = changes[[tuple(k) not in hidden
                               for k in changes[_ALIGN].itertuples(index=False)]]
        low, high = report.thresholds
        parts.append(
            "<p>Each cell shows the relative likelihood for minority ethnic staff compared "
            f"with white staff, its {narrative.format_confidence(report.confidence_level)} "
            f"interval and its flag (outside {low:.2f}–{high:.2f}).</p>"
        )
        table = tables.summary_table(rows[rows["indicator"] != 1],
                                     changes=changes if len(changes) else None)
        parts.append(tables.to_html(
            table, caption=f"Headline results, {report.authority} {report.year}"))
        headline = rows[(rows["service"] == ALL_SERVICES) & (rows["group"] == MINORITY)
                        & (rows["indicator"] != 1)]
        lines = narrative.findings(headline, thresholds=report.thresholds,
                                   min_count=report.min_count)
        parts.append("<h2>Headlines (all services)</h2>" + _paragraphs(lines))
        if missing:
            lines = [narrative.not_submitted_message(d.number, report.year, report.authority)
                     for d in missing]
            parts.append("<h2>Not submitted</h2>" + _paragraphs(lines, "not-submitted"))
        return "".join(parts)

    _display(report, build)


def show_comparison(report: Report, national: str | Path | None) -> None:
    """"Compared with other authorities": this authority's funnel-plot positions."""
    from wres import national as national_view

    def build(profile: str) -> str:
        title = "<h2>Compared with other authorities</h2>"
        path = Path(national) if national else None
        if path is None or not path.exists():
            return (title + "<p>The national comparison for this year has not been run, so "
                    "positions against other authorities are not shown.</p>")
        frame = pd.read_csv(path)
        mine = national_view.authority_comparison(frame, report.authority)
        if profile == "publication" and not mine.empty:
            hidden = _suppressed_keys(report)
            mine = mine[[(int(r.indicator), r.measure, ALL_SERVICES, MINORITY) not in hidden
                         for r in mine.itertuples()]]
        lines = national_view.comparison_sentences(mine)
        return title + (_paragraphs(lines) if lines else
                        "<p>No indicator of this authority could be placed on the national "
                        "funnel plots this year.</p>")

    _display(report, build)


def warm_up() -> None:
    """Run a tiny report once with output discarded, to fill lazy imports and caches.

    The kernel zygote calls this before forking, so every kernel starts with
    fonts, templates and pandas/matplotlib internals already loaded.
    """
    import tempfile

    import IPython.display as ipd
    from matplotlib import pyplot as plt

    rows = []
    for year in (2023, 2024):
        for service in ("adults", "children"):
            for number, measure in ((1, "Band 1"), (1, "Band 2"), (3, "disciplinary"),
                                    (9, "senior_managers")):
                for group, denominator, numerator in (("white", 400, 40), ("minority", 100, 3),
                                                      ("unknown", 20, 2)):
                    rows.append(("Warm Up", year, service, number, measure, group,
                                 denominator, numerator))
    counts = pd.DataFrame(rows, columns=["authority", "year", "service", "indicator",
                                         "measure", "ethnic_group", "denominator",
                                         "numerator"])
    shown = ipd.display
    ipd.display = lambda *args, **kwargs: None
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "warm.csv"
            counts.to_csv(path, index=False)
            for number in (1, 3, 9):
                report = load(number, authority="Warm Up", year=2024, data=str(path),
                              render_profiles=PROFILES)
                for show in (show_header, show_findings, show_table, show_figure,
                             show_unknown, show_change):
                    show(report)
                write_results(report, folder, "warm")
            summary = load(range(1, 10), authority="Warm Up", year=2024, data=str(path),
                           render_profiles=PROFILES)
            show_summary(summary)
    finally:
        ipd.display = shown
        plt.close("all")
