"""A batch's cache of work every notebook of an authority would otherwise repeat.

Each of an authority's notebooks reads and validates the same counts file
(`wres.inputs.counts.read_counts`), computes the authority's whole results and
runs disclosure control over them (the publication pass), in a kernel of its
own. ``wres run`` gives its kernels a private folder through the environment
variable `CACHE_ENV`; the first kernel to do a piece of work stores its value
there and the others load it (`memoised`). Entries are content-addressed: the
key is a hash of the inputs (a file's bytes, a frame's contents), the
options and `code_identity` (the ``wres`` source that produces the value, the
``wres`` version and the versions of Python, pandas, numpy and pandera), so an
entry can only be found by a call that would compute the same value. Only
values are stored, never errors: a call that fails is recomputed, and fails the
same way, every time.

The cache is best effort: without the variable, with a folder that is not
private to this user, or on any error reading or writing an entry, the value is
simply computed.

The folder is kept between batches (`KEPT_FOLDER` while no batch runs), so a
batch re-running one authority's notebooks and its year's national view loads
what earlier batches stored for the others. Loading an entry marks it used (its
modification time); a batch that ends normally removes the entries no run of
its output folder has used since the earliest of them started (`prune`), so the
folder holds about what the current outputs were made from.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

#: Environment variable naming the cache folder (set by ``wres run`` for its kernels).
CACHE_ENV = "WRES_CACHE_DIR"
#: Name of the cache folder inside a batch's output folder, while the batch runs.
CACHE_FOLDER = ".wres-cache"
#: Name of the cache folder between batches (`set_cache_aside`).
KEPT_FOLDER = ".wres-cache-kept"
#: The layers a computed result depends on (`memoised`): everything below presentation.
ANALYSIS_LAYERS = ("core", "stats", "inputs", "analysis")
#: Frames longer than this are not memoised (`memoised`).
MEMO_ROWS = 20_000

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path | None:
    """The cache folder named by `CACHE_ENV`, if it exists and only this user can use it."""
    name = os.environ.get(CACHE_ENV)
    return Path(name) if name and _private_folder(Path(name)) else None


def _private_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link) of this user that no one else can enter."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & 0o077)


def make_cache_dir(output_dir: Path) -> Path:
    """The batch's private cache folder in ``output_dir``: the one earlier batches kept
    (`set_cache_aside`), else a new empty one. A kept folder others could write to is
    not trusted: it is emptied."""
    output_dir = Path(output_dir)
    folder, kept = output_dir / CACHE_FOLDER, output_dir / KEPT_FOLDER
    _remove(folder)
    output_dir.mkdir(parents=True, exist_ok=True)
    if _private_folder(kept):
        os.replace(kept, folder)
        return folder
    _remove(kept)
    folder.mkdir(mode=0o700)
    os.chmod(folder, 0o700)  # whatever the umask
    return folder


def set_cache_aside(output_dir: Path) -> None:
    """Keep the cache folder of a batch that ended, or was stopped, as `KEPT_FOLDER`.

    Entries are written whole or not at all (`store`), so a stopped batch's are
    as good as a finished one's; its temporary files are removed by `prune`.
    Call while holding the output folder's lock (`wres.batch.lock`).
    """
    folder, kept = Path(output_dir) / CACHE_FOLDER, Path(output_dir) / KEPT_FOLDER
    if not _private_folder(folder):
        return
    try:
        if not _private_folder(kept):
            _remove(kept)
            os.replace(folder, kept)
            return
        for entry in folder.glob("*.pickle"):  # both there (a move failed part-way): merge
            os.replace(entry, kept / entry.name)
    except OSError:
        return  # best effort: left where it is, the next batch starts without it
    _remove(folder)


def _remove(path: Path) -> None:
    """Remove a folder, file or link if there is one (best effort)."""
    import shutil

    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def prune(folder: Path, used_since: float) -> int:
    """Remove the entries not used since ``used_since`` (seconds since the epoch) and
    temporary files; how many were removed.

    Every entry a run loaded or stored was marked used while it ran, so with
    ``used_since`` the start of the earliest run whose outputs are kept, what
    goes is what no kept output was made from: entries of changed data, other
    options or older code.
    """
    removed = 0
    for entry in [*Path(folder).glob("*.pickle"), *Path(folder).glob(".*.tmp")]:
        try:
            if entry.stat().st_mtime < used_since:
                entry.unlink()
                removed += 1
        except OSError:
            continue
    return removed


@cache
def code_identity(*layers: str) -> str:
    """Hash of the source of the ``wres`` ``layers`` (``"core"``, ``"inputs"``...), of
    the ``wres`` version and of the Python, pandas, numpy and pandera versions."""
    import numpy
    import pandas

    from wres import __version__

    digest = hashlib.sha256()
    for part in (sys.version, __version__, pandas.__version__, numpy.__version__,
                 _pandera_version()):
        digest.update(part.encode() + b"\0")
    for layer in layers:
        for path in sorted((_PACKAGE / layer).rglob("*.py")):
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _pandera_version() -> str:
    try:
        import pandera
    except ImportError:  # pragma: no cover - a locked dependency
        return "none"
    return str(getattr(pandera, "__version__", "unknown"))


def content_key(identity: str, options: Iterable[object], contents: Iterable[bytes]) -> str:
    """The key of a value computed by code ``identity`` with ``options`` from ``contents``."""
    digest = hashlib.sha256(identity.encode() + b"\0" + repr(list(options)).encode())
    for content in contents:
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def load(kind: str, key: str) -> Any | None:
    """The value stored under ``kind``/``key``, or None (no cache, no entry, unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{kind}-{key}.pickle", "rb") as handle:
            value = pickle.load(handle)  # noqa: S301 - our own private folder
            _mark_used(handle.fileno())
            return value
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def _mark_used(fd: int) -> None:
    """Set an entry's modification time to now: `prune` keeps it."""
    try:
        os.utime(fd)
    except OSError:
        return


def store(kind: str, key: str, value: Any) -> None:
    """Keep ``value`` under ``kind``/``key`` (atomically; silently not, on any error)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"{kind}-{key}.pickle")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError):
        return


def memoised(kind: str, options: Sequence[object], frames: Sequence[pd.DataFrame],
             compute: Callable[[], T], layers: tuple[str, ...] = ANALYSIS_LAYERS) -> T:
    """``compute()``, kept in the batch's cache for the same ``frames``, ``options`` and code.

    The key is the hash of the ``frames``' contents (`frame_digest`), of the
    ``options`` (plain values only: anything else is not cached) and of the
    source of ``layers``. Outside a batch this is just ``compute()``, and so it
    is for frames over `MEMO_ROWS` rows (one authority-year has a few hundred; a
    whole country's frame is computed once, and its digest would cost more than
    it saves).
    """
    return cached(kind, memo_key(kind, options, frames, layers), compute)


def memo_key(kind: str, options: Sequence[object], frames: Sequence[pd.DataFrame],
             layers: tuple[str, ...] = ANALYSIS_LAYERS) -> str | None:
    """The key `memoised` keeps a value under, or None where it keeps none."""
    if (cache_dir() is None or not _plain(options)
            or any(len(frame) > MEMO_ROWS for frame in frames)):
        return None
    contents = [frame_digest(frame) for frame in frames]
    return content_key(code_identity(*layers), [kind, *options], contents)


def frame_digest(frame: pd.DataFrame) -> bytes:
    """A digest of what a frame holds: column names, types, index and every value.

    Frames with the same contents get the same digest however pandas lays them
    out in memory (a copy, a filtered or an unpickled frame). Numbers are taken
    as their bytes, anything else by ``repr`` (exact for floats, and ``1.0``
    and ``"1.0"`` differ).
    """
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(repr([(str(name), str(dtype)) for name, dtype in frame.dtypes.items()]).encode())
    index = frame.index
    digest.update(repr((type(index).__name__, str(index.dtype))).encode())
    if isinstance(index, pd.RangeIndex):
        digest.update(repr((index.start, index.stop, index.step)).encode())
    else:
        digest.update(_values(index))
    for _, column in frame.items():
        digest.update(_values(column))
    return digest.digest()


def _values(values: pd.Series | pd.Index) -> bytes:
    import numpy as np

    array = values.to_numpy()
    if array.dtype.kind in "biuf":
        return bytes(array.dtype.str, "ascii") + np.ascontiguousarray(array).tobytes()
    return repr(array.tolist()).encode()


def _plain(value: object) -> bool:
    """Whether ``value`` is made of None, booleans, numbers and text only (repr is its value)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(item) for item in value)
    return False


def cached(kind: str, key: str | None, compute: Callable[[], T]) -> T:
    """``compute()``, or the value a call with the same ``key`` stored; None: no caching."""
    if key is not None:
        found = load(kind, key)
        if found is not None:
            return found
    value = compute()
    if key is not None:
        store(kind, key, value)
    return value
