"""National scale: `wres run` over 12, 50 and 153 fictitious authorities, one year, in one run.

For each size it builds the authorities in a temporary folder (``wres sample --authorities N
--years YEAR``) and runs ``wres run --jobs 2`` for that year (both pages of every notebook and
the national view), then prints one row per size:

- **notebooks**: runs (ten per authority, and the national view; failed runs, which
  should be none, are counted and shown apart);
- **wall s, s/nb**: wall time of the batch, and per notebook;
- **CPU s/nb**: CPU seconds of the whole batch (``wres run``, its batch host, kernel
  zygote, drivers and kernels, every process of it being waited for) per notebook: the cost
  that does not depend on what else the machine is doing;
- **MB/worker, MB tree**: peak proportional set size (PSS: shared copy-on-write pages counted
  fairly) of the batch's process tree, sampled, divided by the jobs, and whole;
- **MB out, MB cache**: bytes of the reports under the output folder, and of the batch
  cache kept beside them (`.wres-cache-kept`, `wres.core.cache`);
- **national s**: the national view's own run (execution and pages, from manifest.json).

Then, on the largest size: a re-run with nothing changed, and a re-run after one count of one
authority's counts file is changed (how long, and what re-ran, by kind of notebook); then the
same batch on Dask (``--scheduler local``, into a fresh folder) against the process pool's
first run (wall-time ratio). The load average is printed at the start and the end: the
figures are only comparable on an otherwise idle machine. It ends with the line
``national: <N> authorities, <s> s per notebook, <min> min a year; no-change re-run <s> s``.

Usage: ``.venv/bin/python bench/bench_national.py [--sizes 12,50,153] [--year 2024]
[--jobs 2] [--skip-dask] [--skip-reruns] [--keep]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tree_memory import PeakPss  # a sibling module of these scripts

BIN = Path(sys.executable).parent


@dataclass
class Batch:
    """One `wres run`: what it did and what it cost."""

    wall: float
    cpu: float
    peak_mb: float
    runs: int
    skipped: int
    failed: int
    summary: str


def children_cpu() -> float:
    """CPU seconds of every finished, waited-for descendant of this process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wres(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(BIN / "wres"), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"wres {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def build(folder: Path, authorities: int, year: int) -> Path:
    """``wres sample`` of ``authorities`` authorities and ``year`` under ``folder``."""
    wres("sample", "--authorities", str(authorities), "--years", str(year),
         "--data-dir", str(folder / "data"), "--params-dir", str(folder / "params"))
    return folder / "params"


def run_batch(params: Path, out: Path, year: int, jobs: int, *extra: str) -> Batch:
    """``wres run`` once, with its wall time, CPU time and peak memory."""
    command = [str(BIN / "wres"), "run", "--params", str(params), "--year", str(year),
               "--output", str(out), "--jobs", str(jobs), "--quiet", *extra]
    cpu = children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    with PeakPss(process.pid) as memory:
        stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    lines = stdout.strip().splitlines()
    if not lines or " run, " not in lines[-1]:
        raise SystemExit(f"wres run failed:\n{stdout}\n{stderr[-4000:]}")
    counts = [int(part.split()[0]) for part in lines[-1].split(";")[0].split(", ")]
    if counts[2]:  # timings of a batch with failures are not comparable: say so
        print(f"  warning: {counts[2]} run(s) failed in {out}:\n"
              + "\n".join(stderr.strip().splitlines()[-3:]), file=sys.stderr)
    return Batch(wall, children_cpu() - cpu, memory.peak, counts[0], counts[1], counts[2],
                 lines[-1])


def manifest_runs(out: Path) -> dict[str, dict]:
    runs = json.loads((out / "manifest.json").read_text())["runs"]
    return {r["id"]: r for r in runs}


def national_seconds(out: Path) -> float:
    """The national view's own run: execution and pages, as the manifest records it."""
    views = [r for r in manifest_runs(out).values() if r["notebook"] == "10-benchmark"]
    return sum(float(r["timings"]["total"]) for r in views)


def output_bytes(out: Path) -> tuple[int, int]:
    """Bytes of the reports under ``out``, and of the batch cache kept beside them."""
    reports = cache = 0
    for path in out.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            if path.relative_to(out).parts[0].startswith(".wres-cache"):
                cache += size
            else:
                reports += size
    return reports, cache


def kind(notebook: str) -> str:
    if notebook == "10-benchmark":
        return "national view"
    return "summary" if notebook == "00-summary" else "indicator"


def rerun_kinds(before: dict[str, dict], after: dict[str, dict]) -> Counter[str]:
    """How many runs of each kind ran again: their records changed."""
    return Counter(kind(r["notebook"]) for key, r in after.items()
                   if before.get(key, {}).get("finished") != r.get("finished")
                   or before.get(key, {}).get("key") != r.get("key"))


def edit_one_count(data: Path, year: int) -> Path:
    """Add one to one CPD count (indicator 5) of the first authority: a valid change."""
    path = sorted(data.glob("*.csv"))[0]
    counts = pd.read_csv(path)
    row = counts.index[(counts["year"] == year) & (counts["indicator"] == 5)
                       & (counts["numerator"] < counts["denominator"])][0]
    counts.loc[row, "numerator"] += 1
    counts.to_csv(path, index=False)
    return path


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,50,153",
                        help="comma-separated numbers of authorities (default 12,50,153)")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-dask", action="store_true", help="no Dask comparison")
    parser.add_argument("--skip-reruns", action="store_true",
                        help="no no-change or one-authority re-run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(tempfile.mkdtemp(prefix="wres-national-"))
    print(f"load average at start: {load()} ({os.cpu_count()} cores); jobs {args.jobs}; "
          f"year {args.year}; work folder {work}")
    rows, batches = [], {}
    try:
        for size in sizes:
            params = build(work / str(size), size, args.year)
            out = work / str(size) / "out"
            batch = batches[size] = run_batch(params, out, args.year, args.jobs)
            ran = batch.runs + batch.failed
            reports, cache = output_bytes(out)
            rows.append((size, ran, batch.wall, batch.wall / ran, batch.cpu / ran,
                         batch.peak_mb / args.jobs, batch.peak_mb, reports / 1e6, cache / 1e6,
                         national_seconds(out), batch.failed))
        print(f"\n{'authorities':>11} {'notebooks':>9} {'wall s':>8} {'s/nb':>6} "
              f"{'CPU s/nb':>8} {'MB/worker':>9} {'MB tree':>8} {'MB out':>8} "
              f"{'MB cache':>8} {'national s':>10} {'failed':>6}")
        for row in rows:
            print(f"{row[0]:>11} {row[1]:>9} {row[2]:>8.1f} {row[3]:>6.3f} {row[4]:>8.3f} "
                  f"{row[5]:>9.0f} {row[6]:>8.0f} {row[7]:>8.1f} {row[8]:>8.1f} "
                  f"{row[9]:>10.1f} {row[10]:>6}")
        if len(rows) > 1:
            flat = rows[-1][3] / rows[0][3]
            print(f"s/nb at {rows[-1][0]} against {rows[0][0]}: {flat:.2f}x; "
                  f"CPU s/nb {rows[-1][4] / rows[0][4]:.2f}x")
        largest = sizes[-1]
        folder, again_s = work / str(largest), None
        out = folder / "out"
        if not args.skip_reruns:
            before = manifest_runs(out)
            again = run_batch(folder / "params", out, args.year, args.jobs)
            again_s = again.wall
            print(f"\nno-change re-run at {largest}: {again.wall:.2f} s "
                  f"({again.runs} run, {again.skipped} skipped)")
            before = manifest_runs(out)
            edited = edit_one_count(folder / "data", args.year)
            changed = run_batch(folder / "params", out, args.year, args.jobs)
            kinds = rerun_kinds(before, manifest_runs(out))
            print(f"after one count of {edited.stem} changed: {changed.wall:.1f} s; re-ran "
                  + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
        if not args.skip_dask:
            pool = batches[largest]
            dask = run_batch(folder / "params", folder / "dask", args.year, args.jobs,
                             "--scheduler", "local")
            print(f"\nDask (--scheduler local) {dask.wall:.1f} s against the process pool "
                  f"{pool.wall:.1f} s at {largest}: {dask.wall / pool.wall:.2f}x")
        print(f"\nload average at end: {load()}")
        final = batches[largest]
        per = final.wall / (final.runs + final.failed)
        print(f"national: {largest} authorities, {per:.2f} s per notebook, "
              f"{final.wall / 60:.1f} min a year; no-change re-run "
              f"{'-' if again_s is None else f'{again_s:.2f}'} s")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
