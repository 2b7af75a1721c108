"""Offer every chapter as a Jupyter notebook (.ipynb) in the page's download menu.

The chapters are MyST Markdown notebooks. When Sphinx writes a chapter's HTML page, this extension
converts the chapter's ``.md`` source with jupytext into ``_sources/<page>.ipynb`` (code and text,
no outputs, the same cells a reader gets when opening the ``.md`` in JupyterLab) and names it in
the page context as ``ipynb_source``; sphinx-book-theme then lists it in the download menu next to
the ``.md`` source. Pages without a Jupyter kernel in their front matter are not notebooks and get
no ``.ipynb``.

The download is read outside the book, in plain JupyterLab or in editors that render only
CommonMark (VS Code, GitHub), so its Markdown cells are rewritten by ``plain_markdown``: exercises,
solutions and admonitions become readable Markdown, cross-references their text as the book prints
it (resolved with the Sphinx environment: ``第 3.4 节“softmax 回归”``, ``图 6.2.1``, ``(3.1.2)``),
citations their author and year, glued values the book's value. A figure's caption follows its cell
as a Markdown cell, and the solutions' code cells are folded (jupyter/solutions.py), as in the book.
"""

import json
import sys
from pathlib import Path

import jupytext
import nbformat
from docutils import nodes
from myst_nb.core.variables import format_plain_text
from plain_markdown import to_markdown
from sphinx import addnodes
from sphinx.util.logging import suppress_logging

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jupyter"))
from solutions import fold_solutions  # noqa: E402


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
    readable(notebook, Resolver(app, pagename))
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(notebook)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


class Resolver:
    """``resolve(role, target)`` for ``plain_markdown.to_markdown``: the text the book prints for a
    cross-reference, citation or glued value on page ``docname``, or None."""

    def __init__(self, app, docname):
        self.app, self.env, self.docname = app, app.env, docname
        # Where myst-nb writes the executed notebooks and their glue data (_build/jupyter_execute).
        self.executed = Path(app.env.mystnb_config.output_folder)

    def __call__(self, role, target):
        with suppress_logging():
            try:
                if role in ("ref", "numref"):
                    return self.xref(role, target)
                if role == "eq":
                    return self.resolved("math", "eq", target)
                if role == "cite" or role.startswith("cite:"):
                    return self.resolved("cite", role.partition(":")[2] or "p", target)
                if role.startswith("glue"):
                    return self.glued(target)
            except Exception:  # anything unresolvable reads as a placeholder instead
                return None
        return None

    def resolved(self, domain, reftype, target, title=""):
        node = addnodes.pending_xref("", refdomain=domain, reftype=reftype, reftarget=target,
                                     refexplicit=bool(title), refdoc=self.docname, refwarn=False)
        content = nodes.inline("", title)
        result = self.env.get_domain(domain).resolve_xref(
            self.env, self.docname, self.app.builder, reftype, target, node, content)
        return None if result is None or result is content else result.astext()

    def xref(self, role, target):
        """A section as ``第 3.4 节“softmax 回归”`` (``“复现结果”`` if unnumbered), else the number
        (``图 6.2.1``, ``练习 1``) or, for ``{ref}``, the title as the book prints it."""
        title, _, label = target.rpartition("<")
        title, label = title.strip(), label.rstrip(">").strip() if title else target.strip()
        if role == "numref":
            return self.resolved("std", "numref", label, title)
        docname, labelid, name = self.env.get_domain("std").labels[label]
        if isinstance(self.env.get_doctree(docname).ids.get(labelid), nodes.section):
            return self.resolved("std", "numref", label, "第 {number} 节“{name}”") or f"“{name}”"
        return self.resolved("std", "ref", label)

    def glued(self, target):
        """A ``{glue:text}`` value as the book prints it (``[path::]key[:format]``), from the
        ``<page>.glue.json`` that myst-nb writes next to the executed notebook."""
        page, _, key = target.rpartition("::")
        key, _, fmt = key.partition(":")
        docname = page.strip("/").removesuffix(".md") if page else self.docname
        glue = json.loads((self.executed / f"{docname}.glue.json").read_text(encoding="utf-8"))
        text = glue[key]["data"]["text/plain"]
        return format_plain_text("".join(text) if isinstance(text, list) else text, fmt)


def readable(notebook, resolve):
    """Rewrite ``notebook`` in place for readers without MyST (see the module's docstring)."""
    fold_solutions(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = to_markdown(cell.source, resolve)
        cells.append(cell)
        figure = cell.metadata.get("mystnb", {}).get("figure") if cell.cell_type == "code" else None
        if figure:
            number = resolve("numref", figure["name"]) if figure.get("name") else None
            caption = to_markdown(figure.get("caption", ""), resolve)
            cells.append(nbformat.v4.new_markdown_cell(
                f"**{number}**　{caption}" if number else f"**{caption}**"))
    notebook.cells = cells


def setup(app):
    # Before sphinx-book-theme builds its header buttons (priority 501) from ``ipynb_source``.
    app.connect("html-page-context", add_notebook_download, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
