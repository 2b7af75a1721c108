"""Offer every chapter as a Jupyter notebook (.ipynb) in the page's download menu.

The chapters are MyST Markdown notebooks. When Sphinx writes a chapter's HTML page, this extension
converts the chapter's ``.md`` source with jupytext into ``_sources/<page>.ipynb`` (code and text,
no outputs, the same cells a reader gets when opening the ``.md`` in JupyterLab) and names it in
the page context as ``ipynb_source``; sphinx-book-theme then lists it in the download menu next to
the ``.md`` source. Pages without a Jupyter kernel in their front matter are not notebooks and get
no ``.ipynb``.
"""

from pathlib import Path

import jupytext
import nbformat


def notebook_of(source: Path):
    """The chapter at ``source`` as a notebook, or None if it is plain Markdown (no kernelspec)."""
    if source.suffix != ".md":
        return None
    notebook = jupytext.read(source, fmt="md:myst")
    if "kernelspec" not in notebook.metadata:
        return None
    # A plain notebook: no jupytext header that would tie the download to a paired .md file.
    notebook.metadata.pop("jupytext", None)
    return notebook


def add_notebook_download(app, pagename, templatename, context, doctree):
    """Write ``_sources/<pagename>.ipynb`` and let the theme's download menu link to it."""
    if doctree is None or app.builder.format != "html" or pagename not in app.env.all_docs:
        return
    notebook = notebook_of(Path(app.env.doc2path(pagename)))
    if notebook is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(notebook)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # Before sphinx-book-theme builds its header buttons (priority 501) from ``ipynb_source``.
    app.connect("html-page-context", add_notebook_download, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
