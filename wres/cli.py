"""The ``wres`` command line: validate, results, aggregate, template, sample, run, audit.

Each sub-command is a thin wrapper over a function in the package; errors in
the user's data are printed plainly (file, row, column, what was expected)
and give a non-zero exit status without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from wres.core.adjustments import ADJUST_METHODS


def _add_method_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ci-method",
        default="katz-log",
        help="interval for the relative likelihood: katz-log (default), koopman-score, "
        "miettinen-nurminen",
    )
    parser.add_argument(
        "--rate-method",
        default="wilson",
        help="interval for each rate: wilson (default), clopper-pearson, jeffreys",
    )
    parser.add_argument("--confidence-level", type=float, default=0.95,
                        help="confidence level of every interval (default 0.95)")
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs=2,
        default=(0.80, 1.25),
        metavar=("LOWER", "UPPER"),
        help="relative likelihoods outside these are flagged (default 0.80 1.25)",
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    from wres.inputs.counts import read_counts
    from wres.inputs.validation import ValidationError

    status = 0
    for path in args.files:
        try:
            counts = read_counts([Path(path)], sheet=args.sheet)
        except ValidationError as error:
            print(error.format(), file=sys.stderr)
            status = 1
        else:
            print(f"{path}: OK ({len(counts)} rows)")
    return status


def _cmd_results(args: argparse.Namespace) -> int:
    from wres.analysis.results import compute_results, withhold_adjusted_p_values
    from wres.core.atomic import write_csv_atomic
    from wres.inputs.counts import read_counts
    from wres.present.narrative.comparisons import results_note

    counts = read_counts([Path(p) for p in args.counts], sheet=args.sheet)
    results = compute_results(
        counts,
        ci_method=args.ci_method,
        rate_method=args.rate_method,
        confidence_level=args.confidence_level,
        thresholds=tuple(args.thresholds),
        adjust=args.adjust,
    )
    caveat = results_note(results, args.adjust, args.confidence_level)
    if args.publication:
        from wres.analysis.disclosure.suppression import apply_disclosure

        results = withhold_adjusted_p_values(apply_disclosure(results, min_count=args.min_count))
    write_csv_atomic(results, Path(args.output))
    print(f"wrote {len(results)} rows to {args.output}")
    print(caveat)
    return 0


def _cmd_aggregate(args: argparse.Namespace) -> int:
    from wres.core.atomic import write_csv_atomic
    from wres.inputs.extracts import aggregate_extracts

    counts = aggregate_extracts(
        authority=args.authority,
        year=args.year,
        staff=Path(args.staff) if args.staff else None,
        recruitment=Path(args.recruitment) if args.recruitment else None,
        experience=Path(args.experience) if args.experience else None,
        ethnicity_map=Path(args.ethnicity_map) if args.ethnicity_map else None,
    )
    write_csv_atomic(counts, Path(args.output))
    print(f"wrote {len(counts)} count rows to {args.output}")
    return 0


def _cmd_template(args: argparse.Namespace) -> int:
    from wres.inputs.template import write_template

    path = write_template(Path(args.output))
    print(f"wrote data-entry template to {path}")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from wres.inputs.sample import generate_sample

    written = generate_sample(
        data_dir=Path(args.data_dir), params_dir=Path(args.params_dir), seed=args.seed,
        authorities=args.authorities, years=args.years,
    )
    print(f"wrote {len(written)} sample files under {args.data_dir} and {args.params_dir}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """``wres run``: plan the matrix from params files, run it, print a summary."""
    import logging

    from wres.batch.plan import plan_runs
    from wres.batch.run import load_all_params, run_batch

    logging.basicConfig(level=logging.INFO if args.quiet else logging.WARNING,
                        format="%(message)s")
    if args.stop_warm:
        from wres.batch.resident import stop_all

        print(f"asked {stop_all()} warm host(s) to stop")
        return 0
    if args.pdf:
        from wres.batch.pdf import BrowserMissing, require_browser

        try:
            require_browser()
        except BrowserMissing as missing:
            print(f"error: {missing}", file=sys.stderr)
            return 2
    params_list, errors = load_all_params(Path(args.params) if args.params else Path("params"))
    if args.authority:
        wanted = {a.lower() for a in args.authority}
        params_list = [p for p in params_list
                       if p.authority.lower() in wanted or p.safe_slug in wanted]
        errors = [e for e in errors if e.path.stem.lower() in wanted]
        if not params_list and not errors:
            raise ValueError(f"no params file is for authority {', '.join(args.authority)}")
    for error in errors:
        print(f"  FAILED {error}", file=sys.stderr)
    runs = plan_runs(params_list, Path(args.output), years=args.year, indicators=args.indicator,
                     timeout=args.timeout)
    if not runs:
        if errors:
            print(f"0 run; {len(errors)} params file(s) failed", file=sys.stderr)
            return 1
        raise ValueError("nothing to run: check --year and --indicator against the params")
    from wres.batch.lock import OutputBusy

    try:
        result = run_batch(runs, Path(args.output), jobs=args.jobs, force=args.force,
                           quiet=args.quiet, scheduler=args.scheduler,
                           warm_idle=args.warm_idle if args.warm else None, pdf=args.pdf)
    except OutputBusy as busy:
        print(f"error: {busy}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted: the runs that finished are kept; run the same command again to "
              "go on from there", file=sys.stderr)
        return 130
    failed = f"{result.failed} failed" + (f", {len(errors)} params file(s) failed"
                                          if errors else "")
    print(f"{result.done} run, {result.skipped} unchanged (skipped), {failed}; "
          f"index: {Path(args.output) / 'index.html'}")
    for failure in result.failures:
        print(f"  FAILED {failure['id']}: {failure['error']}", file=sys.stderr)
    for problem in result.errors:
        print(f"  ERROR {problem}", file=sys.stderr)
    return 1 if errors else result.exit_code


def _cmd_audit(args: argparse.Namespace) -> int:
    """``wres audit``: attack every published output; non-zero naming each finding."""
    from wres.analysis.disclosure.audit import audit_output

    audit = audit_output(Path(args.output_dir))
    for note in audit.notes:
        print(f"note: {note}", file=sys.stderr)
    for line in audit.lines():
        print(line)
    read = f"{len(audit.files)} file(s), {audit.figures} figure(s) read back"
    if audit.clean:
        print(f"no hidden count can be worked out ({read})")
        return 0
    print(f"{len(audit.findings)} disclosure finding(s) ({read})", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for every ``wres`` sub-command."""
    parser = argparse.ArgumentParser(
        prog="wres", description="Social Care WRES analysis workbook"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check counts files and report every problem")
    p.add_argument("files", nargs="+", help="counts files (CSV or XLSX) to check")
    p.add_argument("--sheet", default=None, help="sheet name for XLSX files")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("results", help="compute every indicator without running notebooks")
    p.add_argument("counts", nargs="+", help="counts files (CSV or XLSX)")
    p.add_argument("--output", required=True, help="results file to write (CSV)")
    p.add_argument("--sheet", default=None, help="sheet name for XLSX files")
    _add_method_options(p)
    p.add_argument("--min-count", type=int, default=5,
                   help="smallest count that may be published (default 5)")
    p.add_argument(
        "--publication", action="store_true", help="apply disclosure control (small counts)"
    )
    p.add_argument("--adjust", default="none", choices=ADJUST_METHODS,
                   help="adjust the exact tests' p-values for multiple comparisons within "
                        "each authority, year and indicator, and base 'significant' on "
                        "them: none (default), holm, fdr_bh")
    p.set_defaults(func=_cmd_results)

    p = sub.add_parser("aggregate", help="turn HR extracts into the counts format")
    p.add_argument("--authority", required=True, help="the authority's name")
    p.add_argument("--year", type=int, required=True, help="the reporting year")
    p.add_argument("--staff", help="staff extract (CSV or XLSX, one row per member of staff)")
    p.add_argument("--recruitment", help="recruitment extract (one row per shortlisted applicant)")
    p.add_argument("--experience", help="staff survey extract (harassment, bullying or abuse)")
    p.add_argument("--ethnicity-map", default=None,
                   help="CSV mapping ethnicity labels to groups (default: the shipped map)")
    p.add_argument("--output", required=True, help="counts file to write (CSV)")
    p.set_defaults(func=_cmd_aggregate)

    p = sub.add_parser("template", help="write a blank XLSX data-entry template")
    p.add_argument("output", nargs="?", default="wres-template.xlsx",
                   help="file to write (default wres-template.xlsx)")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("sample", help="regenerate the fictitious sample authorities")
    p.add_argument("--data-dir", default="data/sample",
                   help="folder for the counts files (default data/sample)")
    p.add_argument("--params-dir", default="params",
                   help="folder for the params files (default params)")
    p.add_argument("--seed", type=int, default=2023,
                   help="random seed; the same seed gives the same files (default 2023)")
    p.add_argument("--authorities", type=int, default=12, metavar="N",
                   help="how many authorities: the 12 of the shipped sample, then invented "
                        "ones spread over regions and sizes as councils are (default 12)")
    p.add_argument("--years", type=int, nargs="+", default=[2022, 2023, 2024], metavar="YEAR",
                   help="reporting years (default 2022 2023 2024)")
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("run", help="run the notebooks for authorities x years")
    p.add_argument("--params", default=None,
                   help="a params file or a folder of them (default: params/)")
    p.add_argument("--authority", action="append", default=None,
                   help="only this authority (name or slug); may be repeated")
    p.add_argument("--year", type=int, action="append", default=None,
                   help="only this year; may be repeated")
    p.add_argument("--indicator", type=int, action="append", default=None,
                   choices=range(1, 11), metavar="{1..10}",
                   help="only this indicator's notebook (10: the national view); may be "
                        "repeated; the authority summary always runs")
    p.add_argument("--output", default="outputs", help="output folder (default: outputs)")
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks run at once (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="re-run even unchanged runs")
    p.add_argument("--quiet", action="store_true", help="log lines instead of a progress bar")
    p.add_argument("--scheduler", default=None, help="'local' or tcp://HOST:PORT (Dask)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per notebook")
    p.add_argument("--warm", action="store_true",
                   help="use the warm batch host an earlier --warm run kept, or start one and "
                        "keep it: a re-run skips the few seconds of start-up (this user only)")
    p.add_argument("--warm-idle", type=float, default=900.0, metavar="SECONDS",
                   help="with --warm: the warm host exits after this long unused (default 900)")
    p.add_argument("--stop-warm", action="store_true",
                   help="stop this user's warm hosts and exit (runs nothing)")
    p.add_argument("--pdf", action="store_true",
                   help="also print one PDF data pack per authority and year "
                        "(<output>/<year>/<slug>/data-pack.pdf: the summary and indicator "
                        "pages for publication) with headless Chromium ('make browser')")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("audit", help="try to work out hidden counts from everything published")
    p.add_argument("output_dir", help="a wres run output folder (e.g. outputs)")
    p.set_defaults(func=_cmd_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wres`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (FileNotFoundError, ValueError, KeyError) as error:
        # A ValidationError (a ValueError) formats all its problems; it is told by its method
        # so that `wres run` need not import wres.inputs.validation (and pandas) to start.
        report = getattr(error, "format", None)
        print(report() if callable(report) else f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
