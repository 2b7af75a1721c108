"""The PDF (``make pdf``): sphinx-jupyterbook-latex's book structure on a ctex document class.

sphinx-jupyterbook-latex turns the table of contents into the PDF's structure (the front page's
text, then each caption of _toc.yml a part, each file a chapter or section). It also forces its own
LaTeX class ``jupyterBook`` (the report class, bbm, pgfplots) and adds ucharclasses and
unicode-math to the preamble, which fight with ctex's Chinese typesetting; here the class goes
back to Sphinx's ``manual`` (on ``ctexbook``, see ``latex_docclass`` in _config.yml) and its
preamble lines are dropped. The parts after the numbered ones (附录) become LaTeX's appendix
(chapters A, B, ...), as the HTML book leaves them unnumbered.
"""

from docutils import nodes
from sphinx.builders.latex import LaTeXBuilder

JB_PREAMBLE = "% Start of preamble defined in sphinx-jupyterbook-latex %"


def use_ctex_class(app, config):
    config.latex_theme = "manual"
    preamble = config.latex_elements.get("preamble", "")
    if JB_PREAMBLE in preamble:
        config.latex_elements["preamble"] = preamble[:preamble.index(JB_PREAMBLE)]


def unnumbered_parts(app):
    """Captions of _toc.yml parts that are not numbered (the appendix)."""
    site_map = getattr(app.config, "external_site_map", None)
    if site_map is None:
        return []
    return [tree.caption for tree in site_map.root.subtrees if not tree.numbered and tree.caption]


def appendix_parts(app, doctree, docname):
    """Start LaTeX's appendix at the first unnumbered part of the assembled book."""
    if not isinstance(app.builder, LaTeXBuilder):
        return
    captions = unnumbered_parts(app)
    for node in doctree.findall(nodes.compound):
        if "toctree-wrapper" in node["classes"] and node.get("caption") in captions:
            node.insert(0, nodes.raw("", r"\appendix", format="latex"))
            return


def setup(app):
    # After sphinx-jupyterbook-latex's own config-inited handler (priority 500).
    app.connect("config-inited", use_ctex_class, priority=900)
    app.connect("doctree-resolved", appendix_parts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
