"""The stdout and stderr of the batch's kernels: ipykernel's, without empty flushes.

ipykernel flushes both streams before every execute reply and every "idle" status,
four times a cell. Each flush hands two callbacks to the kernel's IOPub thread and
waits for them to run, whether or not anything was written. For a cell that prints
nothing, that costs about 0.9 ms of the kernel's CPU (4.1 against 3.2 ms a cell for
``pass``, measured on a forked kernel over 1,000 cells); a notebook pays it about 38
times. `BatchOutStream` flushes as before when something is waiting to be sent, or is
echoed, and otherwise returns at once: there is nothing the flush would send. Output
that arrives later (from another thread, or written to the file descriptor by C code)
is sent by ipykernel's own timed flush, as it would be after a real flush.

The zygote's kernels use it through ipykernel's ``IPKernelApp.outstream_class`` setting.
"""

from __future__ import annotations

from ipykernel.iostream import OutStream

#: What the zygote passes to ``IPKernelApp.outstream_class``.
OUTSTREAM_CLASS = "wres.batch.kernel_streams.BatchOutStream"


class BatchOutStream(OutStream):
    """ipykernel's `OutStream`, whose ``flush`` does nothing when nothing is buffered."""

    def waiting(self) -> bool:
        """Whether any text written to the stream has not been sent yet."""
        with self._buffer_lock:
            return any(buffer.tell() for buffer in self._buffers.values())

    def flush(self) -> None:
        """Send what was written, waiting until it is sent; nothing to do when nothing was."""
        if self.echo is not None or self.waiting():
            super().flush()
