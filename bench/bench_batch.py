"""Batch speed: the naive papermill + nbconvert CLI loop against `wres run`, in one run.

Runs the same matrix (the sample authorities x every notebook, one year) three ways:

1. the loop users usually write for the same two pages per notebook: ``papermill`` CLI per
   execution (analyst, then publication) and one ``jupyter nbconvert`` CLI call per page;
2. ``wres run --jobs 2 --force`` into a fresh folder;
3. ``wres run`` again with nothing changed (every run skipped).

It samples the proportional set size (PSS, which shares copy-on-write pages fairly) of
the batch's process tree (the batch host, its kernel zygote, the drivers and kernels)
while `wres run` works, and ends with the line
``wres run vs naive loop: <ratio>x; no-change re-run: <seconds> s``.

Usage: ``.venv/bin/python bench/bench_batch.py [--authorities 12] [--year 2024]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from tree_memory import PeakPss  # a sibling module of these scripts

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def naive_loop(params_files: list[Path], year: int, out: Path) -> tuple[float, int]:
    """What users write for the same pages: papermill CLI then nbconvert CLI per page.

    Each indicator and summary notebook is executed twice (analyst, then
    ``-p profile publication``) and each page is rendered by its own ``jupyter
    nbconvert`` call (the publication page with ``--no-input``), as `wres run`
    makes both pages; the national view executes once and renders two pages.
    """
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    count = 0
    started = time.perf_counter()
    for params_file in params_files:
        params = yaml.safe_load(params_file.read_text())
        data = str((params_file.parent / params["data"]).resolve())
        for nb in notebooks:
            if nb.stem == "10-benchmark":
                continue
            for profile in ("analyst", "publication"):
                target = out / params["slug"] / profile / f"{nb.stem}.ipynb"
                target.parent.mkdir(parents=True, exist_ok=True)
                _papermill(nb, target, ["-p", "authority", params["authority"], "-p", "year",
                                        str(year), "-p", "data", data, "-p", "output_dir",
                                        str(target.parent), "-p", "profile", profile])
                _nbconvert(target, *(["--no-input"] if profile == "publication" else []))
            count += 1
    all_data = [str((p.parent / yaml.safe_load(p.read_text())["data"]).resolve())
                for p in params_files]
    target = out / "national" / "10-benchmark.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    _papermill(ROOT / "notebooks" / "10-benchmark.ipynb", target,
               ["-p", "year", str(year), "-y", yaml.safe_dump({"data": all_data}),
                "-p", "output_dir", str(target.parent)])
    _nbconvert(target)
    _nbconvert(target, "--no-input", "--output", "10-benchmark.publication")
    return time.perf_counter() - started, count + 1


def _papermill(nb: Path, target: Path, args: list[str]) -> None:
    subprocess.run([str(BIN / "papermill"), str(nb), str(target), "-k", "python3",
                    "--cwd", str(ROOT / "notebooks"), "--no-progress-bar", *args],
                   check=True, capture_output=True)


def _nbconvert(target: Path, *extra: str) -> None:
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target), *extra],
                   check=True, capture_output=True)


def wres_run(params_dir: Path, year: int, out: Path, *extra: str) -> tuple[float, float, str]:
    command = [str(BIN / "wres"), "run", "--params", str(params_dir), "--year", str(year),
               "--output", str(out), "--quiet", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    with PeakPss(process.pid, 0.2, per_child=True) as memory:
        stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"wres run failed:\n{stdout}\n{stderr}")
    return seconds, memory.peak, stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authorities", type=int, default=12)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--skip-naive", action="store_true",
                        help="time only wres run (no ratio is printed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wres-bench-"))
    params_dir = work / "params"
    params_dir.mkdir()
    chosen = sorted((ROOT / "params").glob("*.yaml"))[: args.authorities]
    for path in chosen:
        params = yaml.safe_load(path.read_text())
        params["data"] = str((path.parent / params["data"]).resolve())
        (params_dir / path.name).write_text(yaml.safe_dump(params))
    try:
        print(f"matrix: {len(chosen)} authorities x every notebook, year {args.year}")
        seconds, peak, summary = wres_run(params_dir, args.year, work / "wres", "--jobs", "2",
                                          "--force")
        runs = int(summary.split()[0])
        print(f"wres run --jobs 2: {seconds:.1f} s for {runs} notebooks "
              f"({seconds / runs:.2f} s per notebook); peak memory {peak:.0f} MB "
              "(PSS of the batch host, its zygote, drivers and kernels)")
        again, _, summary = wres_run(params_dir, args.year, work / "wres")
        print(f"no-change re-run: {again:.2f} s ({summary.split(';')[0]})")
        if args.skip_naive:
            return
        naive, count = naive_loop(sorted(params_dir.glob("*.yaml")), args.year, work / "naive")
        print(f"naive loop (papermill CLI + jupyter nbconvert CLI): {naive:.1f} s for {count} "
              f"notebooks ({naive / count:.2f} s per notebook)")
        ratio = (naive / count) / (seconds / runs)
        print(f"wres run vs naive loop: {ratio:.1f}x; no-change re-run: {again:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
