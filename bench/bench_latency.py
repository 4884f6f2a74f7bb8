"""Latency of `wres run` in the analyst's loop: one notebook, one authority, the sample batch.

Each case runs in a fresh output folder, with its own copy of the counts files:

1. **cold**: no warm host (the first `wres run --warm` of the day: it starts the batch
   host and its kernel zygote, and leaves them warm);
2. **after a change, --warm**: one count of the authority's counts file is edited (so every
   notebook of that authority runs again) and `wres run --warm` runs with the host
   left by the previous run;
3. **after a change**, the default (no ``--warm``): the batch starts a host of its own.

Cases:

- one notebook: one authority, one year, ``--indicator 3`` (the indicator and the authority
  summary, which always runs: 2 runs, 4 notebook executions);
- one authority: one authority, one year, every notebook (10 runs and the national view);
- the sample batch: the sample authorities x their years (363 runs). By default it runs only
  until its first page is written, then is interrupted (the journal keeps what finished);
  ``--sample full`` runs it whole (about 6.5 min cold on two cores), ``--sample skip``
  leaves it out.

The first page is the earliest page written by the run (file times), counted from the
start of the `wres run` process. Warm hosts live in a private folder of this benchmark and
are stopped at the end. Prints a table of wall seconds and ends with the line
``latency: one notebook <s> s; first page <s> s``: the median wall time of ``--repeat``
one-notebook runs after a change with ``--warm``, and the slowest first page of any case
after a change with ``--warm``.

Usage: ``.venv/bin/python bench/bench_latency.py [--authority fernleigh-downs] [--year 2024]
[--repeat 3] [--sample first-page|full|skip]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class Timing:
    """One `wres run`: seconds to its first page and to its end (None when interrupted)."""

    first_page: float | None
    total: float | None


def copy_inputs(work: Path, slugs: list[str], years: list[int] | None) -> Path:
    """Params and counts files of ``slugs`` under ``work``, years narrowed if asked."""
    params_dir = work / "params"
    params_dir.mkdir(parents=True)
    for slug in slugs:
        params = yaml.safe_load((ROOT / "params" / f"{slug}.yaml").read_text())
        source = (ROOT / "params" / params["data"]).resolve()
        shutil.copy(source, work / source.name)
        params["data"] = str(work / source.name)
        if years:
            params["years"] = years
        (params_dir / f"{slug}.yaml").write_text(yaml.safe_dump(params))
    return params_dir


def edit_counts(path: Path, year: int, step: int) -> None:
    """Change one CPD count (indicator 5) of ``year`` by ``step`` (+1 or -1).

    The file's hash, and so every key of its notebooks, changes; every count stays valid.
    """
    counts = pd.read_csv(path)
    row = counts.index[(counts["year"] == year) & (counts["indicator"] == 5)
                       & (counts["numerator"] > 5)
                       & (counts["numerator"] < counts["denominator"])][0]
    counts.loc[row, "numerator"] += step
    counts.to_csv(path, index=False)


def wres_run(params: Path, out: Path, env: dict[str, str], *extra: str,
             stop_at_first_page: bool = False) -> Timing:
    command = [str(BIN / "wres"), "run", "--params", str(params), "--output", str(out),
               "--quiet", *extra]
    started_wall, started = time.time(), time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    if stop_at_first_page:  # the journal grows by a line as each run finishes
        journal = out / ".wres-journal.jsonl"
        before = journal.stat().st_size if journal.is_file() else 0
        while process.poll() is None and (journal.stat().st_size if journal.is_file()
                                          else 0) <= before:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate()
    total = time.perf_counter() - started
    if not stop_at_first_page and process.returncode != 0:
        raise SystemExit(f"wres run failed:\n{stdout}\n{stderr}")
    pages = [p.stat().st_mtime for p in out.glob("*/*/*.html")
             if p.stat().st_mtime >= started_wall]
    first = min(pages) - started_wall if pages else None
    return Timing(first, None if stop_at_first_page else total)


def stop_warm_hosts(env: dict[str, str], runtime: Path) -> None:
    subprocess.run([str(BIN / "wres"), "run", "--stop-warm"], env=env, check=True,
                   capture_output=True)
    deadline = time.monotonic() + 30
    while list(runtime.glob("wres-*/host-*.sock")) and time.monotonic() < deadline:
        time.sleep(0.05)


def measure(name: str, params: Path, counts: Path, year: int, out_root: Path,
            env: dict[str, str], runtime: Path, extra: list[str], *, repeat: int = 1,
            stop_at_first_page: bool = False) -> dict[str, object]:
    """Cold, then after a change with --warm (median of ``repeat``), then without."""
    from wres.batch.plan import plan_runs
    from wres.inputs.params import load_params

    stop_warm_hosts(env, runtime)
    out = out_root / name.replace(" ", "-")
    indicators = [int(extra[extra.index("--indicator") + 1])] if "--indicator" in extra else None
    planned = len(plan_runs([load_params(p) for p in sorted(params.glob("*.yaml"))], out,
                            indicators=indicators))
    kwargs = {"stop_at_first_page": stop_at_first_page}
    cold = wres_run(params, out, env, *extra, "--warm", **kwargs)
    warm = []
    for step in range(repeat):
        edit_counts(counts, year, 1 if step % 2 == 0 else -1)
        warm.append(wres_run(params, out, env, *extra, "--warm", **kwargs))
    edit_counts(counts, year, 1 if repeat % 2 == 0 else -1)
    stop_warm_hosts(env, runtime)
    plain = wres_run(params, out, env, *extra, **kwargs)
    return {"case": name, "runs": planned, "cold": cold, "warm": warm, "plain": plain}


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authority", default="fernleigh-downs",
                        help="sample authority (params file name) of the one-notebook and "
                             "one-authority cases (default fernleigh-downs)")
    parser.add_argument("--year", type=int, default=2024, help="year of those cases")
    parser.add_argument("--repeat", type=int, default=3,
                        help="one-notebook runs after a change, the median is reported")
    parser.add_argument("--sample", choices=("first-page", "full", "skip"),
                        default="first-page", help="how much of the sample batch to run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wres-latency-"))
    runtime = Path(tempfile.mkdtemp(prefix="wl-", dir="/tmp"))  # short socket paths
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    rows = []
    try:
        one = copy_inputs(work / "one", [args.authority], [args.year])
        counts = next((work / "one").glob("*.csv"))
        rows.append(measure("one notebook", one, counts, args.year, work / "out", env,
                            runtime, ["--indicator", "3"], repeat=args.repeat))
        rows.append(measure("one authority", one, counts, args.year, work / "out", env,
                            runtime, []))
        if args.sample != "skip":
            slugs = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))
            sample = copy_inputs(work / "sample", slugs, None)
            counts = work / "sample" / f"{args.authority}.csv"
            rows.append(measure("sample batch", sample, counts, args.year, work / "out", env,
                                runtime, [], stop_at_first_page=args.sample == "first-page"))
    finally:
        stop_warm_hosts(env, runtime)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(runtime, ignore_errors=True)
    print("wall seconds: first page / whole run (- : interrupted after its first page)")
    print(f"{'case':<15}{'runs':>6}  {'cold':>13}  {'after a change, --warm':>24}  "
          f"{'after a change':>16}")
    for row in rows:
        cold, plain, warm = row["cold"], row["plain"], row["warm"]
        assert isinstance(cold, Timing) and isinstance(plain, Timing) and isinstance(warm, list)
        warm_first = _median([t.first_page for t in warm])
        warm_total = _median([t.total for t in warm])
        print(f"{row['case']:<15}{row['runs']:>6}  "
              f"{_s(cold.first_page):>6} / {_s(cold.total):<5}  "
              f"{_s(warm_first):>15} / {_s(warm_total):<6}  "
              f"{_s(plain.first_page):>7} / {_s(plain.total):<6}")
    one_warm = rows[0]["warm"]
    assert isinstance(one_warm, list)
    firsts = [_median([t.first_page for t in row["warm"]])  # type: ignore[attr-defined]
              for row in rows]
    print(f"latency: one notebook {_s(_median([t.total for t in one_warm]))} s; "
          f"first page {_s(max(f for f in firsts if f is not None))} s")


if __name__ == "__main__":
    main()
