"""`build_index`: the outputs/index.html page linking every report of a batch run."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from chromium import check_links

from wres.batch.site import build_index, failure_anchor
from wres.core.indicators import INDICATORS

YEAR = 2024
ERROR = "ValidationError: data/x.csv, row 3, column numerator: expected a whole number <b>"


def _run(output_dir: Path, slug: str, authority: str, notebook: str, *,
         status: str = "ok", indicator: int | None = None, error: str | None = None,
         year: int = YEAR, region: str = "North") -> dict:
    """One manifest entry; the report files it names are written as tiny pages."""
    stem = f"{year}/{slug}/{notebook}"
    outputs = {} if status == "failed" else {
        "notebook": f"{stem}.ipynb",
        "html": f"{stem}.html",
        "publication_html": f"{stem}.publication.html",
        "results": f"{stem}.results.csv",
    }
    for path in outputs.values():
        (output_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (output_dir / path).write_text("<!DOCTYPE html><title>r</title><p>report</p>")
    return {"id": stem, "authority": authority, "slug": slug, "region": region, "year": year,
            "notebook": notebook, "indicator": indicator, "title": "", "status": status,
            "error": error, "key": "k", "inputs": {}, "git_commit": "abc", "packages": {},
            "timings": {"execute": 0.4, "render": 0.05, "total": 0.5},
            "started": "", "finished": "", "outputs": outputs}


def make_manifest(output_dir: Path) -> dict:
    """Ashbourne Vale (North): every notebook, 03 failed, 06 unchanged; Brightwater (South):
    07 only."""
    runs = [_run(output_dir, "ashbourne-vale", "Ashbourne Vale", "00-summary")]
    for number, indicator in INDICATORS.items():
        status = {3: "failed", 6: "skipped"}.get(number, "ok")
        runs.append(_run(output_dir, "ashbourne-vale", "Ashbourne Vale", indicator.notebook,
                         status=status, indicator=number,
                         error=ERROR if status == "failed" else None))
    runs.append(_run(output_dir, "brightwater", "Brightwater", "07-harassment-staff",
                     indicator=7, region="South"))
    runs.append(_run(output_dir, "national", "National", "10-benchmark"))
    return {"generated": "2026-11-22T20:00:00+00:00", "wres_version": "0.1.0",
            "git_commit": "abc123def4567890abc123def4567890abc12345", "runs": runs}


def _result(authority: str, indicator: int, measure: str, rl: float, lower: float,
            upper: float, flag: str, *, service: str = "all", group: str = "minority",
            status: str = "ok", significant: bool | None = None) -> dict:
    return {"authority": authority, "year": YEAR, "indicator": indicator, "measure": measure,
            "service": service, "group": group, "reference_group": "white",
            "numerator": 20, "denominator": 300, "reference_numerator": 15,
            "reference_denominator": 600, "relative_likelihood": rl, "rl_lower": lower,
            "rl_upper": upper, "flag": flag, "status": status,
            "significant": (lower > 1 or upper < 1) if significant is None else significant}


def make_results() -> pd.DataFrame:
    nan = float("nan")
    return pd.DataFrame([
        _result("Ashbourne Vale", 1, "Band A", 3.33, 3.0, 3.6, "above"),
        _result("Ashbourne Vale", 2, "appointed", 0.60, 0.40, 0.89, "below"),
        _result("Ashbourne Vale", 2, "appointed", 9.99, 9.0, 11.0, "above", service="adults"),
        _result("Ashbourne Vale", 2, "appointed", 7.77, 7.0, 8.0, "above", group="asian"),
        _result("Ashbourne Vale", 3, "disciplinary", 2.76, 1.58, 4.82, "above"),
        _result("Ashbourne Vale", 4, "fitness_to_practise", nan, nan, nan, "",
                status="not_computable: no events in the reference group"),
        _result("Ashbourne Vale", 5, "cpd", 1.40, 1.30, 1.50, "above"),
        _result("Ashbourne Vale", 8, "leavers", 1.02, 0.85, 1.21, "within"),
        _result("Ashbourne Vale", 9, "senior_managers", nan, 1.48, nan, "",
                status="not_computable: no events in the reference group"),
        _result("Brightwater", 7, "colleagues", 1.84, 1.22, 2.78, "above"),
        _result("Brightwater", 7, "managers", 1.90, 0.62, 5.84, "above"),
    ])


def make_site(output_dir: Path) -> Path:
    """A built index over hand-made reports; used by the browser tests too."""
    results = make_results()
    results.to_csv(output_dir / "results.csv", index=False)
    return build_index(make_manifest(output_dir), results, output_dir)


class _Tables(HTMLParser):
    """Each table body row as {column header: (text, hrefs, classes)}."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[tuple[str, list[str], str]]] = []
        self.authorities: list[str] = []
        self._cell: list | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "thead":
            self._in_head, self.headers = True, []
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
            self.authorities.append(attrs.get("data-authority") or "")
        elif tag in ("td", "th"):
            self._cell = ["", [], attrs.get("class") or ""]
        elif tag == "a" and self._cell is not None:
            self._cell[1].append(attrs["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join(self._cell[0].split())
            if self._in_head:
                self.headers.append(text)
            else:
                self.rows[-1].append((text, self._cell[1], self._cell[2]))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0] += data + " "


def cells(page: str) -> dict[str, dict[str, tuple[str, list[str], str]]]:
    """{authority: {column header: (text, hrefs, class)}} for the page's table."""
    parser = _Tables()
    parser.feed(page)
    return {authority: dict(zip(parser.headers, row, strict=True))
            for authority, row in zip(parser.authorities, parser.rows, strict=True)}


def column(number: int) -> str:
    return f"{number}. {INDICATORS[number].title}"


@pytest.fixture()
def site(tmp_path) -> tuple[Path, str]:
    index = make_site(tmp_path)
    return index, index.read_text(encoding="utf-8")


def test_the_index_is_written_atomically_into_the_output_folder(tmp_path, site):
    index, _ = site
    assert index == tmp_path / "index.html"
    assert not list(tmp_path.glob(".index.html.*"))


def test_provenance_and_summary_line(site):
    _, page = site
    assert "Generated 2026-11-22T20:00:00+00:00 by wres 0.1.0" in page
    assert "abc123def4567890abc123def4567890abc12345" in page
    assert "12 reports,\n1 failed, 1 unchanged since the last run." in page


def test_failures_are_listed_first_with_their_error(site):
    _, page = site
    anchor = failure_anchor("2024/ashbourne-vale/03-disciplinary")
    assert anchor == "failure-2024-ashbourne-vale-03-disciplinary"
    failures = page.index(f'id="{anchor}"')
    assert failures < page.index("<table")
    entry = page[failures:page.index("</li>", failures)]
    assert "Ashbourne Vale" in entry and "2024" in entry and "03-disciplinary" in entry
    assert "row 3, column numerator: expected a whole number &lt;b&gt;" in entry


def test_failed_cell_says_failed_and_links_to_its_failure(site):
    _, page = site
    text, hrefs, css = cells(page)["Ashbourne Vale"][column(3)]
    assert text == "✖ failed"
    assert hrefs == ["#failure-2024-ashbourne-vale-03-disciplinary"]
    assert "failed" in css
    assert "2.76" not in page


def test_headline_is_all_services_minority_first_measure_with_flag_and_significance(site):
    _, page = site
    row = cells(page)["Ashbourne Vale"]
    assert row[column(2)][0] == "0.60 (0.40–0.89) ▼ below significant report analyst"
    assert row[column(5)][0] == "1.40 (1.30–1.50) ▲ above significant report analyst"
    assert row[column(8)][0] == "1.02 (0.85–1.21) ○ within not significant report analyst"
    assert "9.99" not in page and "7.77" not in page


def test_a_flag_whose_interval_includes_1_has_an_open_shape_and_says_not_significant(site):
    _, page = site
    # 1.90 (0.62-5.84) is outside the thresholds but could be chance: not a finding.
    text, _, _ = cells(page)["Brightwater"][column(7)]
    assert "Managers 1.90 (0.62–5.84) △ above not significant" in text
    assert "Colleagues 1.84 (1.22–2.78) ▲ above significant" in text


def test_flag_colour_follows_the_adverse_direction_of_the_indicator(site):
    _, page = site
    # Lower appointment is adverse; higher CPD is not.
    assert '<span class="flag flag-adverse">▼ below</span>' in page
    assert '<span class="flag flag-favourable">▲ above</span>' in page
    assert '<span class="flag flag-within">○ within</span>' in page


def test_without_a_significance_the_flag_is_a_word_without_a_shape(tmp_path):
    results = make_results().drop(columns="significant")
    page = build_index(make_manifest(tmp_path), results, tmp_path).read_text(encoding="utf-8")
    assert cells(page)["Ashbourne Vale"][column(5)][0] == "1.40 (1.30–1.50) above report analyst"


def test_not_computable_shows_the_reason_once(site):
    _, page = site
    text, _, _ = cells(page)["Ashbourne Vale"][column(4)]
    assert text == "not computable no events in the reference group report analyst"
    text, _, _ = cells(page)["Ashbourne Vale"][column(9)]
    assert text == ("not computable at least 1.48 no events in the reference group "
                    "report analyst")
    assert text.count("not computable") == 1


def test_withheld_figures_show_the_marker_once(tmp_path):
    results = make_results()
    withheld = results["indicator"] == 5
    results[["relative_likelihood", "rl_lower", "rl_upper", "flag", "significant"]] = (
        results[["relative_likelihood", "rl_lower", "rl_upper", "flag", "significant"]]
        .astype(object))
    results.loc[withheld, ["relative_likelihood", "rl_lower", "rl_upper", "flag",
                           "significant"]] = "[c]"
    page = build_index(make_manifest(tmp_path), results, tmp_path).read_text(encoding="utf-8")
    assert cells(page)["Ashbourne Vale"][column(5)][0] == "[c] report analyst"


def test_indicator_7_shows_both_measures(site):
    _, page = site
    text, _, _ = cells(page)["Brightwater"][column(7)]
    assert text == ("Colleagues 1.84 (1.22–2.78) ▲ above significant "
                    "Managers 1.90 (0.62–5.84) △ above not significant report analyst")


def test_indicator_1_is_a_link_only(site):
    _, page = site
    text, hrefs, _ = cells(page)["Ashbourne Vale"][column(1)]
    assert text == "report analyst"
    assert hrefs == ["2024/ashbourne-vale/01-pay-bands.publication.html",
                     "2024/ashbourne-vale/01-pay-bands.html"]
    assert "3.33" not in page


def test_links_to_publication_analyst_summary_and_national_view(site):
    _, page = site
    row = cells(page)["Ashbourne Vale"]
    assert row["Summary"][1] == ["2024/ashbourne-vale/00-summary.publication.html",
                                 "2024/ashbourne-vale/00-summary.html"]
    assert row[column(6)][1][0] == "2024/ashbourne-vale/06-harassment-public.publication.html"
    assert 'href="2024/national/10-benchmark.publication.html"' in page


def test_the_published_results_are_the_download_never_the_analyst_file(tmp_path, site):
    _, page = site
    assert 'href="results.csv"' not in page
    assert 'href="results.publication.csv"' not in page  # not written here: not offered
    (tmp_path / "results.publication.csv").write_text("authority\n")
    page = make_site(tmp_path).read_text(encoding="utf-8")
    assert 'href="results.publication.csv"' in page and 'href="results.csv"' not in page


def test_a_printed_data_pack_is_linked_from_its_authority(tmp_path):
    manifest = make_manifest(tmp_path)
    (tmp_path / "2024" / "ashbourne-vale" / "data-pack.pdf").write_bytes(b"%PDF-1.7")
    manifest["data_packs"] = {
        "2024/ashbourne-vale": {"path": "2024/ashbourne-vale/data-pack.pdf", "pages": 14},
        "2024/brightwater": {"path": "2024/brightwater/data-pack.pdf", "pages": 3},  # gone
    }
    page = build_index(manifest, make_results(), tmp_path).read_text(encoding="utf-8")
    authority = cells(page)["Ashbourne Vale"]["Authority"]
    assert authority[0] == "Ashbourne Vale North PDF (14 pages)"
    assert authority[1] == ["2024/ashbourne-vale/data-pack.pdf"]
    assert cells(page)["Brightwater"]["Authority"][1] == []


def test_reports_not_run_are_marked(site):
    _, page = site
    row = cells(page)["Brightwater"]
    assert row["Summary"][0] == "not run"
    assert row[column(2)][0] == "not run"


def test_every_link_resolves_to_a_local_file_or_an_anchor_on_the_page(site):
    index, page = site
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert len(hrefs) > 20
    assert check_links(index, hrefs) == []
    for fragment in (h[1:] for h in hrefs if h.startswith("#")):
        assert f'id="{fragment}"' in page


def test_page_is_self_contained_with_one_small_inline_script(site):
    _, page = site
    assert page.lower().count("<script") == 1 and "<script src" not in page.lower()
    assert not re.search(r"https?://", page)
    assert '<html lang="en-GB">' in page
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert 'name="viewport"' in page
    assert re.search(r"\.table-wrapper \{[^}]*overflow-x: auto", page)


def test_the_filter_is_hidden_until_its_script_runs_and_lists_every_region(site):
    _, page = site
    assert '<form class="filter" id="filter" hidden' in page
    assert "form.hidden = false;" in page
    region = page[page.index('<select id="filter-region">'):page.index("</select>")]
    assert re.findall(r'<option value="([^"]*)">', region) == ["", "North", "South"]
    assert '<tr data-authority="Brightwater" data-region="South">' in page


def test_without_results_cells_still_link_their_reports(tmp_path):
    page = build_index(make_manifest(tmp_path), None, tmp_path).read_text(encoding="utf-8")
    text, hrefs, _ = cells(page)["Ashbourne Vale"][column(2)]
    assert text == "report analyst"
    assert hrefs[0] == "2024/ashbourne-vale/02-shortlisting.publication.html"
    assert "▲" not in page.split("</table>")[0].split("<table")[1]


def test_years_get_a_table_each_newest_first(tmp_path):
    manifest = make_manifest(tmp_path)
    manifest["runs"].append(_run(tmp_path, "ashbourne-vale", "Ashbourne Vale", "00-summary",
                                 year=2023))
    page = build_index(manifest, make_results(), tmp_path).read_text(encoding="utf-8")
    assert page.count("<table") == 2
    assert page.index('id="year-2024"') < page.index('id="year-2023"')
    assert "Reports for 2023" in page
    # The 2023 national benchmark did not run.
    assert "National view:\nnot produced" in page
