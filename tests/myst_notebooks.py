"""Pytest plugin (``-p tests.myst_notebooks``): every MyST chapter is an nbval notebook test.

Chapters are ``chapters/**/*.md`` files.

nbval only knows ``.ipynb``; ``MystNotebook`` reads the ``.md`` with myst-nb's own reader
(the one the book build uses) instead, so each code cell becomes one test item that fails on
any error. Notebooks run in quick mode (``D2L_QUICK=1``) unless the environment already
chose a mode.

When ``$D2L_NB_CACHE`` names a jupyter-cache folder, a chapter whose cells all ran without
error is stored there with its outputs, exactly as myst-nb would store it after executing the
chapter itself; the book build of the same mode then takes the outputs from the cache and
executes nothing again (``make test`` runs nbval, then the quick-mode book, this way).
"""

import os
import platform
import time
from pathlib import Path

import nbformat
from nbformat.v4 import output_from_msg
from nbval.plugin import IPyNbFile

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
CACHE_ENV_VAR = "D2L_NB_CACHE"
OUTPUT_MESSAGES = {"stream", "display_data", "execute_result", "error"}


def pytest_configure(config):
    os.environ.setdefault("D2L_QUICK", "1")


def read_chapter(path):
    """The chapter as myst-nb reads it for the book (same cells, same metadata, same hash)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    path = Path(path)
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"),
                                       add_source_map=True, path=str(path))


class MystNotebook(IPyNbFile):
    """An nbval notebook read from a MyST Markdown chapter; records outputs for the cache."""

    def collect(self):
        self.notebook = read_chapter(self.fspath)
        self.executions = []  # one (source, msg_id) per code cell sent to the kernel
        self.messages = {}  # msg_id -> the iopub messages that cell produced
        self.started = None
        # IPyNbFile.collect reads self.fspath with nbformat; hand it the converted notebook.
        original_read = _nbformat_read_patch(self.notebook)
        try:
            yield from super().collect()
        finally:
            original_read()

    def setup(self):
        super().setup()
        self.started = time.perf_counter()
        client = self.kernel.kc

        def execute_and_remember(source, allow_stdin=None):
            # As a notebook client runs a cell: with history (nbval's own call stores none,
            # and then IPython cannot see a trailing ';' and shows the value anyway).
            msg_id = client.execute(source, store_history=True, allow_stdin=bool(allow_stdin),
                                    stop_on_error=False)
            self.executions.append((source, msg_id))
            return msg_id

        self.kernel.execute_cell_input = execute_and_remember

    def get_kernel_message(self, timeout=None, stream="iopub"):
        msg = super().get_kernel_message(timeout=timeout, stream=stream)
        if stream == "iopub":
            parent = msg["parent_header"].get("msg_id")
            self.messages.setdefault(parent, []).append(msg)
        return msg

    def teardown(self):
        cache_dir = os.environ.get(CACHE_ENV_VAR)
        if cache_dir and self.kernel is not None and self.kernel.is_alive():
            executed = self.executed_notebook()
            if executed is not None:
                _store(cache_dir, executed, self.fspath, time.perf_counter() - self.started)
        super().teardown()

    def executed_notebook(self):
        """The chapter with every code cell's outputs, or None if a cell failed or did not run."""
        code_cells = [c for c in self.notebook.cells if c.cell_type == "code"]
        if self.timed_out or len(self.executions) != len(code_cells):
            return None
        executed = nbformat.from_dict(self.notebook)
        cells = [c for c in executed.cells if c.cell_type == "code"]
        displays = {}  # display_id -> outputs that an update_display_data replaces
        for count, (cell, (source, msg_id)) in enumerate(zip(cells, self.executions), start=1):
            if source != cell.source:
                return None
            messages = self.messages.get(msg_id, [])
            # A cell tagged raises-exception shows its error on purpose (as in the book build).
            expected = "raises-exception" in cell.metadata.get("tags", [])
            if not expected and any(m["msg_type"] == "error" for m in messages):
                return None
            cell.outputs = _outputs(messages, displays)
            cell.execution_count = count
        executed.metadata["language_info"] = self.language_info()
        return executed

    def language_info(self):
        """What the kernel says of its language (the book uses it to highlight code)."""
        client = self.kernel.kc
        msg_id = client.kernel_info()
        while True:
            reply = client.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]["language_info"]


def _outputs(messages, displays):
    """Cell outputs from the kernel's iopub messages, as a notebook client records them."""
    outputs, clear_before_next = [], False
    for msg in messages:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "clear_output":
            if content.get("wait"):
                clear_before_next = True
            else:
                outputs.clear()
        elif kind == "update_display_data":
            for output in displays.get(content.get("transient", {}).get("display_id"), []):
                output["data"], output["metadata"] = content["data"], content["metadata"]
        elif kind in OUTPUT_MESSAGES:
            if clear_before_next:
                outputs.clear()
                clear_before_next = False
            output = output_from_msg(msg)
            display_id = content.get("transient", {}).get("display_id")
            if display_id:
                displays.setdefault(display_id, []).append(output)
            outputs.append(output)
    return outputs


def _store(cache_dir, notebook, path, seconds):
    """Put an executed chapter in the jupyter-cache as myst-nb does after executing it."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    data = {"execution_seconds": seconds, "executed_by": "nbval",
            "python": platform.python_version()}
    get_cache(cache_dir).cache_notebook_bundle(
        CacheBundleIn(notebook, str(path), data=data), check_validity=False, overwrite=True)


def _nbformat_read_patch(notebook):
    """Make nbval's ``nbformat.read`` return ``notebook``; returns a function that undoes it."""
    import nbval.plugin

    real = nbval.plugin.nbformat.read
    nbval.plugin.nbformat.read = lambda *args, **kwargs: notebook
    return lambda: setattr(nbval.plugin.nbformat, "read", real)


def is_chapter(path):
    return path.suffix == ".md" and CHAPTERS in path.resolve().parents and _is_notebook(path)


def _is_notebook(path):
    """A chapter file is a notebook when its front matter declares a jupytext kernel."""
    head = path.read_text(encoding="utf-8")[:600]
    return head.startswith("---") and "kernelspec" in head


def pytest_collect_file(file_path, parent):
    if is_chapter(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
