"""Every chapter page offers its notebook (.ipynb) for download (marker ``book``).

``_ext/notebook_downloads.py`` writes ``_sources/<chapter>.ipynb`` from the chapter's ``.md`` at
build time and the theme's download menu links it next to the ``.md`` source.
"""

import re

import jupytext
import nbformat
import pytest

from tests.test_book_html import HTML, NOTEBOOKS, ROOT, TOC_FILES, page

pytestmark = pytest.mark.book


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
    assert len(notebook.cells) == len(chapter.cells)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    assert notebook.metadata.kernelspec.name == "python3"
    assert "jupytext" not in notebook.metadata


def test_pages_that_are_not_notebooks_offer_no_ipynb():
    prose_pages = [d for d in ["intro", *TOC_FILES] if d not in NOTEBOOKS]
    assert prose_pages
    for docname in prose_pages:
        assert "ipynb" not in download_links(docname)
