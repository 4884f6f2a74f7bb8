"""Peak memory of a process tree while a benchmark waits on it (shared by the bench scripts)."""

from __future__ import annotations

import threading

import psutil


def tree_pss(root: psutil.Process) -> float:
    """Proportional set size (MB) of ``root`` and all its descendants (shared pages counted
    fairly); processes that go or cannot be read while summing are skipped."""
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


class PeakPss:
    """Peak PSS (MB) under process ``pid``, sampled every ``interval`` seconds in a thread.

    ``per_child``: the peak of the tree under any one direct child of ``pid`` (one worker
    and what it started), rather than of the whole tree.
    """

    def __init__(self, pid: int, interval: float = 0.5, *, per_child: bool = False) -> None:
        self.pid, self.interval, self.per_child, self.peak = pid, interval, per_child, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                roots = root.children() if self.per_child else [root]
                for tree in roots:
                    self.peak = max(self.peak, tree_pss(tree))
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)
