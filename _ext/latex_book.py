"""The PDF (``make pdf``): sphinx-jupyterbook-latex's book structure on a ctex document class.

sphinx-jupyterbook-latex turns the table of contents into the PDF's structure (the front page's
text, then each caption of _toc.yml a part, each file a chapter or section). It also forces its own
LaTeX class ``jupyterBook`` (the report class, bbm, pgfplots) and adds ucharclasses and
unicode-math to the preamble, which fight with ctex's Chinese typesetting; here the class goes
back to Sphinx's ``manual`` (on ``ctexbook``, see ``latex_docclass`` in _config.yml) and its
preamble lines are dropped. The parts after the numbered ones (附录) become LaTeX's appendix
(chapters A, B, ...), as the HTML book leaves them unnumbered.

Two kinds of target have no LaTeX label of the name that Sphinx's ``{ref}`` points to, so the
PDF's links to them were undefined: sphinx-exercise labels an exercise ``exercise:<label>`` where
a reference asks for ``<docname>:<label>``, and the root page's own labels (``sec-intro``) vanish
with its title, which becomes the PDF's title page. Both get the label that references use.
"""

from docutils import nodes
from sphinx.builders.latex import LaTeXBuilder

JB_PREAMBLE = "% Start of preamble defined in sphinx-jupyterbook-latex %"
EXERCISE_NODES = ("exercise_node", "exercise_enumerable_node")


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


def latex_label(docname, label):
    target = f"{docname}:{label}"
    return nodes.raw("", r"\phantomsection\label{\detokenize{" + target + "}}", format="latex")


def missing_labels(app, doctree, docname):
    """Labels for exercises and for the root page's targets, as ``{ref}`` resolves them."""
    if not isinstance(app.builder, LaTeXBuilder):
        return
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for node in list(doctree.findall(lambda n: type(n).__name__ in EXERCISE_NODES)):
        entry = registry.get(node.get("label"))
        if entry and entry.get("docname"):
            node.parent.insert(node.parent.index(node),
                               latex_label(entry["docname"], node["label"]))
    root = app.config.root_doc
    root_labels = [name for name, (doc, _anchor, _title)
                   in app.env.domaindata["std"]["labels"].items() if doc == root]
    for index, label in enumerate(root_labels):
        doctree.insert(index, latex_label(root, label))


def setup(app):
    # After sphinx-jupyterbook-latex's own config-inited handler (priority 500).
    app.connect("config-inited", use_ctex_class, priority=900)
    app.connect("doctree-resolved", appendix_parts)
    app.connect("doctree-resolved", missing_labels)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
