"""The batch's record of what ran: provenance, the manifest and the consolidated results.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wres.batch.outputs import fsync_folder, write_durably
from wres.batch.plan import MANIFEST, RunSpec, log
from wres.core.indicators import INDICATORS
from wres.core.names import SUMMARY
from wres.core.paths import PACKAGE_DIR

# --- the batch ------------------------------------------------------------------------------


def git_commit() -> str | None:
    """The project's git commit, with ``+dirty`` when the work tree has changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PACKAGE_DIR, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=PACKAGE_DIR, capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty.strip() else "")


def load_manifest(output_dir: Path) -> dict[str, Any]:
    path = Path(output_dir) / MANIFEST
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            log.warning("%s is not valid JSON; every run will be redone", path)
    return {"runs": []}


def is_up_to_date(run: RunSpec, previous: dict[str, Any] | None, output_dir: Path) -> bool:
    """Whether a run can be skipped: same key, done, and every output there at its size.

    Records from before sizes were kept (no ``files``) need only the outputs to exist.
    """
    if not previous or previous.get("status") != "ok" or previous.get("key") != run.key:
        return False
    files = previous.get("files") or {}
    for name, path in (previous.get("outputs") or {}).items():
        try:
            size = (output_dir / path).stat().st_size
        except OSError:
            return False
        if name in files and files[name].get("bytes") != size:
            return False
    return True


def record_outcome(
    run: RunSpec, outcome: dict[str, Any], provenance: dict[str, Any]
) -> dict[str, Any]:
    spec = asdict(run)
    record = {k: spec[k] for k in ("id", "authority", "slug", "region", "year", "notebook",
                                   "indicator", "key", "inputs")}
    record["min_count"] = run.parameters.get("min_count", 5)
    record["title"] = (INDICATORS[run.indicator].title if run.indicator else
                       ("Authority summary" if run.notebook == SUMMARY else "National view"))
    record.update(git_commit=provenance.get("git_commit"), packages=provenance["packages"])
    record.update(outcome)
    if record["status"] != "ok":
        record.pop("outputs", None)
    return record


def write_manifest(output_dir: Path, manifest: dict[str, Any],
                    records: dict[str, dict[str, Any]],
                    previous: dict[str, dict[str, Any]], commit: str | None,
                    data_packs: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Write manifest.json: this batch's runs, plus earlier runs outside this batch.

    ``data_packs`` are the PDF data packs in place (`wres.batch.pdf`), by authority-year.
    """
    from wres import __version__

    merged = dict(previous)
    merged.update(records)
    final: dict[str, Any] = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "wres_version": __version__,
        "git_commit": commit,
        "runs": [merged[k] for k in sorted(merged)],
    }
    if data_packs:
        final["data_packs"] = {k: data_packs[k] for k in sorted(data_packs)}
    _write_durably(output_dir / MANIFEST, json.dumps(final, indent=1, default=str))
    manifest.clear()
    manifest.update(final)
    return final


def _write_durably(path: Path, text: str) -> None:
    """Replace ``path`` atomically, and durably: the journal is dropped only after this."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        write_durably(tmp, text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def consolidate(output_dir: Path, manifest: dict[str, Any]) -> None:
    """Write results.csv from every current run's rows, then index.html."""
    import pandas as pd

    from wres.analysis.results import EXTRA_COLUMNS, RESULT_COLUMNS
    from wres.batch.site import build_index
    from wres.core.atomic import write_csv_atomic
    from wres.core.csv_safety import read_csv  # labels as they were, quotes taken off

    frames = []
    for run in manifest["runs"]:
        path = (run.get("outputs") or {}).get("results")
        if run.get("status") == "ok" and path and (output_dir / path).is_file():
            frames.append(read_csv(output_dir / path, keep_default_na=True))
    results = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=RESULT_COLUMNS + EXTRA_COLUMNS))
    results = results.sort_values(["authority", "year", "indicator"], kind="stable")
    write_csv_atomic(results, output_dir / "results.csv")
    published = _publishable(results, manifest)
    write_csv_atomic(published, output_dir / "results.publication.csv")
    build_index(manifest, published, output_dir)


#: From this many authorities on, results.publication.csv's disclosure control is shared
#: out among the machine's cores (`_publishable`); below it one process is quicker.
SHARED_FROM = 24


def _publishable(results: Any, manifest: dict[str, Any], *,
                 shared_from: int = SHARED_FROM) -> Any:
    """The results with disclosure control, per authority at its own ``min_count``.

    The index page is read by the public, so its headlines come from these rows. Each
    authority is decided on its own (about 0.2 s each), after every run has finished:
    for ``shared_from`` authorities or more, processes forked from this one, one a core,
    take a share each, so the batch's last step does not leave all but one core idle
    (153 authorities: about 30 s on one).
    """
    import pandas as pd

    if results.empty:
        return results
    min_counts = {r["authority"]: int(r.get("min_count") or 5) for r in manifest["runs"]}
    parts = [(part.reset_index(drop=True), min_counts.get(authority, 5))
             for authority, part in results.groupby("authority", sort=False)]
    cores = os.cpu_count() or 1
    if len(parts) < shared_from or cores < 2:
        return pd.concat([_published_part(part) for part in parts], ignore_index=True)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("fork")) as pool:
        done = list(pool.map(_published_part, parts, chunksize=max(1, len(parts) // (4 * cores))))
    return pd.concat(done, ignore_index=True)


def _published_part(part: tuple[Any, int]) -> Any:
    """One authority's rows with disclosure control at its ``min_count``."""
    from wres.analysis.disclosure.suppression import apply_disclosure

    rows, min_count = part
    return apply_disclosure(rows, min_count=min_count)
