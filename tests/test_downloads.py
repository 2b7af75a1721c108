"""Every chapter page offers its notebook (.ipynb) for download (marker ``book``).

``_ext/notebook_downloads.py`` writes ``_sources/<chapter>.ipynb`` from the chapter's ``.md`` at
build time and the theme's download menu links it next to the ``.md`` source.
"""

import re
import sys

import jupytext
import nbformat
import pytest
from markdown_it import MarkdownIt

from tests.test_book_html import HTML, NOTEBOOKS, ROOT, TOC_FILES, page

pytestmark = pytest.mark.book

sys.path.insert(0, str(ROOT / "jupyter"))
from solutions import solution_code_cells  # noqa: E402

# What a CommonMark renderer would show raw if the MyST syntax were left in.
MYST = re.compile(r":::\{|\{(?:ref|numref|eq|cite|glue:text|term)\}")


def download_links(docname):
    """The files offered in the page's download menu, as paths in the build."""
    html = page(docname)
    folder = (HTML / docname).parent
    return {href.rsplit(".", 1)[-1]: folder / href
            for href in re.findall(r'href="([^"]*_sources/[^"]+)"', html)}


def code_of(notebook):
    return [(c.source, c.metadata.get("tags", [])) for c in notebook.cells
            if c.cell_type == "code"]


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_chapter_notebook_can_be_downloaded(docname):
    links = download_links(docname)
    assert set(links) == {"ipynb", "md"}, links
    assert links["md"].is_file()
    notebook = nbformat.read(links["ipynb"], as_version=4)
    nbformat.validate(notebook)
    # The same cells, tags included (hidden checks stay hidden and still run), and no outputs.
    chapter = jupytext.read(ROOT / f"{docname}.md", fmt="md:myst")
    assert code_of(notebook) == code_of(chapter)
    # The chapter's Markdown cells, and after each figure's cell its caption.
    figures = sum("figure" in c.metadata.get("mystnb", {}) for c in chapter.cells)
    assert len(notebook.cells) == len(chapter.cells) + figures
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    assert notebook.metadata.kernelspec.name == "python3"
    assert "jupytext" not in notebook.metadata


def test_pages_that_are_not_notebooks_offer_no_ipynb():
    prose_pages = [d for d in ["intro", *TOC_FILES] if d not in NOTEBOOKS]
    assert prose_pages
    for docname in prose_pages:
        assert "ipynb" not in download_links(docname)


def downloaded(docname):
    return nbformat.read(download_links(docname)["ipynb"], as_version=4)


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_notebook_reads_well_without_myst(docname):
    """Rendered as CommonMark (VS Code, GitHub, JupyterLab without jupyterlab-myst)."""
    notebook, md = downloaded(docname), MarkdownIt("commonmark")
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            html = md.render(cell.source)
            assert not MYST.search(html), f"MyST left in\n{cell.source}"
            assert not re.search(r"^\([\w-]+\)=$", cell.source, re.M), cell.source
            assert "‹" not in cell.source, f"unresolved glued value in\n{cell.source}"
    # Cross-references read as the book prints them; a figure's caption follows its cell.
    chapter = jupytext.read(ROOT / f"{docname}.md", fmt="md:myst")
    cells = iter(notebook.cells)
    for cell in cells:
        if "figure" in cell.metadata.get("mystnb", {}):
            caption = next(cells)
            assert caption.cell_type == "markdown"
            assert re.match(r"\*\*图 \d+\.\d+\.\d+\*\*　", caption.source), caption.source
    # Solutions: their code cells are folded, as the book collapses them.
    # (The download turns the directives into Markdown, so compare with the chapter's cells.)
    folded = [c.source for c in notebook.cells
              if c.metadata.get("jupyter", {}).get("source_hidden")]
    assert folded == [chapter.cells[i].source for i in solution_code_cells(chapter.cells)]
    assert bool(folded) == any(":::{solution-start}" in c.source for c in chapter.cells
                               if c.cell_type == "markdown")


def test_section_references_read_as_numbered_sections():
    notebook = downloaded("chapters/linear-networks/softmax-regression-scratch")
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert re.search(r"第 \d+\.\d+ 节“softmax 回归”", text), text[:2000]
    assert re.search(r"\*\*练习 \d+", text) and "**解答**" in text
