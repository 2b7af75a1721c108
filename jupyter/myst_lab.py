"""The contents manager of ``make lab``: chapters open as notebooks with their solutions folded.

Jupytext's contents manager opens a chapter ``.md`` as a notebook; this subclass folds the code
cells of each gated solution (jupyter/solutions.py) and makes the cross-references to other
chapters, citations and glued values readable (jupyter/myst_refs.py) when the notebook is read,
and undoes both before jupytext writes the notebook back, so the ``.md`` stays the single source
of truth and saving writes it as it was read. jupyterlab-myst renders the Markdown cells (headings,
math, admonitions, exercises). ``make lab`` selects it with
``--ServerApp.contents_manager_class=myst_lab.MystLabContentsManager`` (``jupyter/`` on
``PYTHONPATH``); jupytext's own server extension then leaves it in place.
"""

import copy

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class
from myst_refs import readable, restore
from solutions import fold_solutions, unfold_solutions


def _is_chapter(model, path):
    return model.get("type") == "notebook" and str(path).endswith(".md") and model.get("content")


def _source_as_text(notebook):
    for cell in notebook["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])


class MystLabContentsManager(build_async_jupytext_contents_manager_class(AsyncLargeFileManager)):
    """Jupytext's contents manager, with the chapters' solutions folded while they are open."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if _is_chapter(model, path):
            fold_solutions(model["content"])
            for cell in model["content"]["cells"]:
                if cell["cell_type"] == "markdown":
                    cell["source"] = readable(cell["source"], path.strip("/"))
        return model

    async def save(self, model, path=""):
        if _is_chapter(model, path):
            model = copy.deepcopy(model)
            _source_as_text(model["content"])
            unfold_solutions(model["content"])
            for cell in model["content"]["cells"]:
                if cell["cell_type"] == "markdown":
                    cell["source"] = restore(cell["source"])
        return await super().save(model, path)
