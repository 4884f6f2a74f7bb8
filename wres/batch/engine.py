"""A papermill engine whose executions of one notebook share one fresh kernel.

A batch run executes each notebook twice, with the analyst and then the
publication profile (`wres.batch.execute.execution_profiles`). Each execution
used to fork, start, connect and shut down a kernel of its own; here both run in
one kernel, forked for that notebook alone and shut down after it, so every
notebook still has a fresh process of its own. Before each execution but the
first, the kernel's namespace is emptied (IPython's ``reset``): every name the second
execution reads it has defined itself, as in a kernel of its own. Modules stay
imported (as they already are in a forked kernel).

An execution whose notebook is only ever made into a publication page (the
second one) does not display its cells' last values (``execute_result``): a
publication page shows displayed outputs of cells tagged ``publish`` only
(`wres.batch.render`), so formatting those values, mostly the analyst-only
tables as HTML and text, was work thrown away. Nor does it record its cells'
timings, and its kernel leaves out the two messages a cell sends for them
(`wres.batch.kernel_shell.BatchKernel.quiet`). Every statement still runs, except
those of an ``analyst-only`` cell that only shows a value (`shows_only`): with its
value not shown, such a cell does nothing, and it is not sent to the kernel.

The engine is papermill's nbclient engine with the kernel manager handed in
(`shared_kernel`): papermill injects the parameters, records the cell metadata
and raises for a failing cell exactly as it does for any notebook.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from wres.batch.kernels import ForkKernelManager
from wres.batch.render import ANALYST_ONLY

#: Name under which the engine is registered with papermill.
SHARED_KERNEL_ENGINE = "wres-shared-kernel"
#: What runs, silently, before an execution in a kernel that has already run one.
#: What ``%reset -f`` does, less the second full garbage collection the magic adds to the
#: one ``reset`` makes (4 ms a kernel).
RESET = "get_ipython().reset(new_session=False)"
#: How a cell's last value is displayed: IPython's default, or not at all.
SHOW_RESULTS = "get_ipython().ast_node_interactivity = 'last_expr'"
HIDE_RESULTS = "get_ipython().ast_node_interactivity = 'none'"
#: Whether the kernel leaves out the broadcasts only timings need (`BatchKernel.quiet`;
#: a kernel of another class just gets an attribute it does not read).
QUIET = "get_ipython().kernel.quiet = True"
LOUD = "get_ipython().kernel.quiet = False"


def preparation(*, reset: bool, results: bool) -> str:
    """The code run silently before an execution ("" for none): empty the namespace if
    ``reset``; with ``results``, display each cell's last value, else neither display
    them nor send the broadcasts only timings need (`QUIET`).

    A fresh kernel's first execution needs nothing (its shell displays last values as
    configured, and it is not quiet); a later one may follow an execution that was quiet.
    """
    lines = [RESET] if reset else []
    if not results:
        lines += [HIDE_RESULTS, QUIET]
    elif reset:
        lines += [SHOW_RESULTS, LOUD]
    return "\n".join(lines)


#: Expressions that may do something besides giving a value: calls (of anything, such as
#: ``frame.drop(..., inplace=True)``), assignment expressions, ``await``, ``yield``, and
#: iterating (``[a for a in rows]``, ``[*rows]``), which uses up an iterator.
_ACTIONS = (ast.Call, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, ast.ListComp,
            ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Starred)


@lru_cache(maxsize=512)
def shows_only(source: str) -> bool:
    """Whether a code cell's only effect is to show a value: it is one expression, such as
    ``rl.loc[rl["year"] == year, ["service", "rate"]]``, that calls nothing.

    Such a cell binds no name and changes no object (reading a frame's rows and
    columns, comparing and doing arithmetic on them changes nothing), so in an
    execution that does not show cells' last values it can be left out. A cell of
    IPython syntax (``%time``, ``!ls``) is not Python, and is never left out. Only
    cells tagged ``analyst-only``, whose purpose is to show analysts a value, are
    left out: reading can change something in rare cases (a ``defaultdict`` adds the
    key it is asked for), which such a cell is not there to do.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return (len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
            and not any(isinstance(node, _ACTIONS) for node in ast.walk(tree)))


class _Execution(PapermillNotebookClient):
    """papermill's client, preparing the kernel first (`preparation`); with ``results``
    false, the ``analyst-only`` cells that would only show a value (`shows_only`) are not
    executed."""

    def __init__(self, nb_man: Any, *, reset: bool, results: bool, **kwargs: Any) -> None:
        # An execution that shows no last values is not kept: its cells' timings are not
        # recorded (nor sent by the kernel, `QUIET`).
        super().__init__(nb_man, record_timing=results, **kwargs)
        self.preparation = preparation(reset=reset, results=results)
        self.results = results

    def execute_cell(self, cell: Any, cell_index: int, execution_count: int | None = None,
                     store_history: bool = True) -> Any:
        if (not self.results and cell.cell_type == "code" and shows_only(cell.source)
                and ANALYST_ONLY in cell.metadata.get("tags", ())):
            return cell  # as nbclient leaves a cell with nothing to run
        return super().execute_cell(cell, cell_index, execution_count, store_history)

    def papermill_execute_cells(self) -> None:
        if self.preparation:
            reply = self.wait_for_reply(
                self.kc.execute(self.preparation, silent=True, store_history=False))
            if reply is None or reply["content"]["status"] != "ok":
                raise RuntimeError("the kernel could not be prepared for the execution")
        super().papermill_execute_cells()


class SharedKernelEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel manager it neither starts nor stops.

    ``km`` (a started or not yet started `ForkKernelManager`) is passed through
    ``execute_notebook``; ``reset`` says whether the kernel has run an execution
    already, ``results`` whether cells' last values are displayed. The client's
    channels are closed after the execution; the kernel is left running for the
    next one.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, *, km: Any, reset: bool,
                                 results: bool = True, log_output: bool = False,
                                 start_timeout: int = 60, execution_timeout: int | None = None,
                                 **_: Any) -> Any:
        client = _Execution(nb_man, km=km, reset=reset, results=results,
                            kernel_name=kernel_name,
                            timeout=execution_timeout, startup_timeout=start_timeout,
                            log=logger, log_output=log_output)
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(SHARED_KERNEL_ENGINE, SharedKernelEngine)


@contextmanager
def shared_kernel() -> Iterator[ForkKernelManager]:
    """A kernel manager for one notebook's executions; its kernel is shut down at the end."""
    km = ForkKernelManager(kernel_name="python3")
    try:
        yield km
    finally:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        run_sync(km.cleanup_resources)()
