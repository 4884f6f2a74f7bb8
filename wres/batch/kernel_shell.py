"""The batch's kernel: ipykernel's IPython kernel, less costs it pays on every cell.

- **Each cell is transformed once.** ipykernel's ``do_execute`` turns a cell's text into
  Python (IPython's input transformers: magics, ``!`` commands, ``?`` help) to decide
  whether to run it as a coroutine, then ``run_cell`` transforms the same text again.
  Nothing runs between the two, so `BatchShell` hands the second call the first one's
  answer. A cell's transforms took 3.5 ms for the 16 code cells of an indicator
  notebook, paid twice in each of its two executions.
- **No sleep before each reply.** ipykernel sleeps half a millisecond (0.7 ms measured)
  after flushing the output streams and before replying, as a guard against output that
  arrives after the reply. Our drivers (nbclient) collect a cell's outputs until its
  "idle" status, which the kernel's one output thread sends after every output and
  after the flushed streams (`wres.batch.kernel_streams`), so the reply's timing does
  not matter to them. Over a notebook's two executions the kernel slept about 25 ms
  (1.18 s over the 1,610 replies of 46 profiled kernels), partly while its output
  thread was still sending.

- **Quiet executions.** An execution whose notebook is not kept (the publication one,
  `wres.batch.engine`) sets `BatchKernel.quiet`: the kernel then leaves out, for each
  cell, the two broadcasts that only record timings or tell other frontends what runs:
  the ``busy`` status and ``execute_input``. nbclient waits for a cell's ``idle`` status
  and its reply, which are still sent, and otherwise takes from them only the cell's
  timings (its ``execution`` metadata, which that execution does not record) and its
  execution count (which the publication page, showing no prompts, does not show). Two of
  a cell's five messages, each serialised, signed and sent by the kernel, then received
  and parsed by the driver.

The zygote's kernels use it through ipykernel's ``IPKernelApp.kernel_class`` setting.
"""

from __future__ import annotations

from typing import Any

from ipykernel.ipkernel import IPythonKernel
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets import Bool, Float, Type

#: What the zygote passes to ``IPKernelApp.kernel_class``.
KERNEL_CLASS = "wres.batch.kernel_shell.BatchKernel"


class BatchShell(ZMQInteractiveShell):
    """ipykernel's shell, transforming a cell's text once when asked twice in a row.

    The answer for the last text transformed is kept for one more request for the same
    text (the one ``run_cell`` makes after ``do_execute``), then dropped: a cell
    executed again is transformed again, in the namespace and with the transformers of
    that time. A text whose transform raises is not kept, so it raises both times.
    """

    _transformed: tuple[str, str] | None = None

    def transform_cell(self, raw_cell: str) -> str:
        """IPython's ``transform_cell`` of ``raw_cell``, reused if it was the last one asked."""
        kept, self._transformed = self._transformed, None
        if kept is not None and kept[0] == raw_cell:
            return kept[1]
        transformed: str = super().transform_cell(raw_cell)
        self._transformed = (raw_cell, transformed)
        return transformed


class BatchKernel(IPythonKernel):
    """ipykernel's IPython kernel with `BatchShell`, no sleep before each execute reply, and
    quiet executions (`quiet`)."""

    shell_class: Any = Type(BatchShell)
    _execute_sleep = Float(0.0).tag(config=True)
    #: Leave out each cell's ``busy`` status and ``execute_input`` broadcast.
    quiet = Bool(False)

    def _publish_execute_input(self, code: str, parent: Any, execution_count: int) -> None:
        if not self.quiet:
            super()._publish_execute_input(code, parent, execution_count)

    def _publish_status(self, status: str, channel: str, parent: Any = None) -> None:
        if not (self.quiet and status == "busy"):
            super()._publish_status(status, channel, parent)
