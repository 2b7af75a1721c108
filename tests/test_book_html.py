"""Checks of the built HTML book (marker ``book``; run after ``make book``).

``D2L_BOOK_HTML`` names the folder with ``index.html`` (default: the full-mode build).
"""

import json
import os
import re
from pathlib import Path

import jupytext
import pytest

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("D2L_BOOK_HTML", ROOT / "_build" / "html"))
TOC_FILES = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
NOTEBOOKS = [f for f in TOC_FILES
             if (ROOT / f"{f}.md").read_text(encoding="utf-8").startswith("---")]


def page(docname):
    path = HTML / f"{docname}.html"
    assert path.is_file(), f"{path} missing: build the book first (make book)"
    return path.read_text(encoding="utf-8")


def search_index():
    text = (HTML / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def test_every_page_of_the_table_of_contents_is_built():
    for docname in ["intro", *TOC_FILES]:
        page(docname)


@pytest.mark.parametrize("docname", ["intro", *TOC_FILES])
def test_math_is_rendered_by_the_local_mathjax(docname):
    html = page(docname)
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html)
    assert all(s.split("?")[0].endswith("_static/mathjax/tex-chtml.js") for s in scripts), scripts
    if 'class="math' in html:  # Sphinx adds MathJax only to pages with math
        assert scripts, f"{docname} has math but loads no MathJax"
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_searching_tensor_in_chinese_finds_the_ndarray_page():
    index = search_index()
    ndarray = index["docnames"].index("chapters/preliminaries/ndarray")
    found = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get("张量", [])
        found |= set(hits if isinstance(hits, list) else [hits])
    assert ndarray in found


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_visible_code_cells_and_their_outputs_are_rendered(docname):
    html = page(docname)
    notebook = jupytext.read(ROOT / f"{docname}.md", fmt="md:myst")
    visible = [c for c in notebook.cells if c.cell_type == "code"
               and "remove-cell" not in c.metadata.get("tags", [])]
    # Hidden checks (remove-cell) are not rendered; every other code cell is.
    rendered = re.findall(r'<div class="cell( tag_[\w-]+)* docutils container', html)
    assert len(rendered) == len(visible)
    assert html.count('class="cell_output docutils container') > len(visible) // 2


# Sections, not chapter pages (label chap-, e.g. 引言, which executes only for its figures).
SECTIONS = [f for f in NOTEBOOKS
            if not re.search(r"^\(chap-", (ROOT / f"{f}.md").read_text(encoding="utf-8"), re.M)]


@pytest.mark.parametrize("docname", SECTIONS)
def test_solutions_are_collapsed(docname):
    html = page(docname)
    solutions = re.findall(r'<div class="solution([^"]*)"', html)
    assert solutions and all("dropdown" in classes for classes in solutions)


@pytest.mark.parametrize("docname", ["intro", *TOC_FILES])
def test_every_image_is_in_the_build(docname):
    html = page(docname)
    folder = (HTML / docname).parent
    for src in re.findall(r'<img[^>]*src="([^"]+)"', html):
        if not src.startswith(("http:", "https:", "data:")):
            assert (folder / src.split("?")[0]).is_file(), f"{docname}: missing image {src}"


def test_the_autograd_plot_is_an_svg_figure_with_a_caption():
    html = page("chapters/preliminaries/autograd")
    assert re.search(r'<figure[^>]*id="fig-autograd-sin"', html)
    assert re.search(r'<img[^>]*src="[^"]+\.svg"', html)


def test_the_execution_status_page_lists_every_notebook():
    html = page("chapters/appendix/execution-status")
    for docname in NOTEBOOKS:
        assert docname in html


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_no_stray_matplotlib_reprs_in_outputs(docname):
    # A cell ending in a plotting call shows "<Axes: ...>" under the figure; end it with ";".
    assert "&lt;Axes" not in page(docname) and "&lt;Figure size" not in page(docname)
