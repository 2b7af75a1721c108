"""Pytest plugin (``-p tests.myst_notebooks``): every MyST chapter is an nbval notebook test.

Chapters are ``chapters/**/*.md`` files.

nbval only knows ``.ipynb``; ``MystNotebook`` reads the ``.md`` through jupytext instead,
so each code cell becomes one test item that fails on any error. Notebooks run in quick
mode (``D2L_QUICK=1``) unless the environment already chose a mode.
"""

import os
from pathlib import Path

import jupytext
from nbval.plugin import IPyNbFile

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"


def pytest_configure(config):
    os.environ.setdefault("D2L_QUICK", "1")


class MystNotebook(IPyNbFile):
    """An nbval notebook read from a jupytext MyST Markdown file."""

    def collect(self):
        # IPyNbFile.collect reads self.fspath with nbformat; hand it the converted notebook.
        notebook = jupytext.read(self.fspath, fmt="md:myst")
        original_read = _nbformat_read_patch(notebook)
        try:
            yield from super().collect()
        finally:
            original_read()


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
