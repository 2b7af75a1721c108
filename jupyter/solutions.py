"""Fold the code cells of the exercises' solutions, as the book collapses them.

A chapter's solution is gated: a Markdown cell holds ``:::{solution-start} <exercise label>``,
the solution's code cells follow, and a later Markdown cell holds ``:::{solution-end}``. The book
shows it in a collapsed dropdown; in a notebook the same code cells are folded by setting the
standard cell metadata ``jupyter.source_hidden`` and ``jupyter.outputs_hidden`` (JupyterLab and
VS Code show a fold bar that opens them on click). Used by ``make lab`` (jupyter/myst_lab.py,
when a chapter is opened) and by the notebooks offered for download (_ext/notebook_downloads.py).
"""

import re

START = re.compile(r"^:{3,}\{solution-start\}", re.M)
END = re.compile(r"^:{3,}\{solution-end\}", re.M)
FOLDED = {"source_hidden": True, "outputs_hidden": True}


def solution_code_cells(cells):
    """Indices of the code cells between a ``solution-start`` and its ``solution-end``."""
    inside, found = False, []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            source = cell["source"]
            starts = [m.start() for m in START.finditer(source)]
            ends = [m.start() for m in END.finditer(source)]
            if starts or ends:
                inside = max(starts, default=-1) > max(ends, default=-1)
        elif cell["cell_type"] == "code" and inside:
            found.append(index)
    return found


def fold_solutions(notebook):
    """Fold the solutions' code cells of ``notebook`` in place; return their indices."""
    indices = solution_code_cells(notebook["cells"])
    for index in indices:
        metadata = notebook["cells"][index].setdefault("metadata", {})
        metadata.setdefault("jupyter", {}).update(FOLDED)
    return indices


def unfold_solutions(notebook):
    """Undo ``fold_solutions`` (before the notebook is written back to the chapter's .md)."""
    for index in solution_code_cells(notebook["cells"]):
        metadata = notebook["cells"][index].get("metadata", {})
        jupyter = metadata.get("jupyter", {})
        for key in FOLDED:
            jupyter.pop(key, None)
        if "jupyter" in metadata and not jupyter:
            del metadata["jupyter"]
