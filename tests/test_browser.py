"""The built book in headless Chromium, as a reader sees it (marker ``browser``).

Run after the build: ``D2L_BOOK_HTML=<folder with index.html> pytest -m browser``. The folder is
served on 127.0.0.1; every test fails if a page requests anything from another host or raises a
JavaScript error. Screenshots go to ``$D2L_SCREENSHOTS`` (default ``_build/screenshots``).
"""

import os
import re
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import quote, urlsplit

import jupytext
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("D2L_BOOK_HTML", ROOT / "_build" / "html"))
SCREENSHOTS = Path(os.environ.get("D2L_SCREENSHOTS", ROOT / "_build" / "screenshots"))

MATH_PAGE = "chapters/linear-networks/softmax-regression"
PLOT_PAGES = [
    "chapters/preliminaries/autograd",
    "chapters/linear-networks/linear-regression",
    "chapters/linear-networks/image-classification-dataset",
    "chapters/multilayer-perceptrons/underfit-overfit",
    "chapters/computational-performance/hardware",  # the roofline, drawn from its measurements
]
CODE_PAGE = "chapters/preliminaries/ndarray"
SEARCHES = [("张量", "chapters/preliminaries/ndarray"),
            ("过拟合", "chapters/multilayer-perceptrons/underfit-overfit")]
# Images that show a plot or a picture computed by a cell, or placed in a figure.
PLOT_IMAGES = ".bd-article div.cell_output img, .bd-article figure img"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The built book served on 127.0.0.1 (a free port); yields its base URL."""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no book in {HTML}: build it first (make book MODE=quick) "
                    f"and set D2L_BOOK_HTML")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(HTML)))
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_page(chromium, site):
    """``open_page(path, scheme="light", width=1280)``: a page of the book, loaded, math typeset.

    Each call opens a fresh browser context with the given colour scheme (the theme follows it)
    and clipboard permissions. After the test: no request left 127.0.0.1, no JavaScript error.
    """
    contexts, outside, errors = [], [], []
    host = urlsplit(site).netloc

    def record(request):
        url = urlsplit(request.url)
        if url.scheme not in ("data", "blob", "about") and url.netloc != host:
            outside.append(request.url)

    def open_(path, scheme="light", width=1280):
        context = chromium.new_context(color_scheme=scheme,
                                       viewport={"width": width, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.rstrip("/"))
        context.on("request", record)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{path}: {error}"))
        page.goto(site + path, wait_until="networkidle")
        # MathJax is loaded with `defer`; wait until it has typeset the page (if it has math).
        page.wait_for_function("() => !window.MathJax || MathJax.startup?.promise")
        page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not outside, f"requests outside localhost: {outside}"
    assert not errors, f"JavaScript errors: {errors}"


def screenshot(page, name, selector=None):
    """Save the visible part of ``page`` (scrolled to ``selector``) as ``$D2L_SCREENSHOTS/name``."""
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed()
    # Wait for CSS transitions (e.g. a solution fading in) so the picture shows the end state.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name)
    assert (SCREENSHOTS / name).stat().st_size > 10_000


def prose(page):
    """The text of the article without code blocks (where `$` and `\\(` are legitimate)."""
    return page.evaluate("""() => {
        const article = document.querySelector('article').cloneNode(true);
        article.querySelectorAll('pre, code').forEach(e => e.remove());
        return article.textContent;
    }""")


def test_math_is_typeset_by_the_local_mathjax(open_page):
    page = open_page(f"{MATH_PAGE}.html")
    formulas = page.locator(".bd-article .math").count()
    assert formulas > 20
    # Every formula became MathJax output, none failed to parse, no TeX is left in the text.
    assert page.locator(".bd-article .math:not(:has(mjx-container))").count() == 0
    assert page.locator(".bd-article mjx-container").count() >= formulas
    assert page.locator("mjx-merror").count() == 0
    text = prose(page)
    for raw in ("$$", "\\(", "\\[", "\\begin{", "\\frac"):
        assert raw not in text
    assert page.evaluate("MathJax.version").startswith("3.")
    screenshot(page, "math-light.png", ".bd-article div.math")
    screenshot(open_page(f"{MATH_PAGE}.html", "dark"), "math-dark.png", ".bd-article div.math")


@pytest.mark.parametrize("docname", PLOT_PAGES)
def test_every_image_and_plot_loads(open_page, docname):
    page = open_page(f"{docname}.html")
    plots = page.locator(PLOT_IMAGES)
    assert plots.count() > 0, f"{docname} shows no plot"
    broken = page.evaluate("""() => Array.from(document.images)
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)""")
    assert not broken, f"images that did not load: {broken}"
    # Inline SVG in outputs (if any) has content, and a size wherever it is displayed.
    empty = page.evaluate("""() => Array.from(document.querySelectorAll('.cell_output svg'))
        .filter(svg => svg.childElementCount === 0 || (svg.checkVisibility()
                       && svg.getBoundingClientRect().width === 0)).length""")
    assert empty == 0
    # Plots are vector graphics (d2l.use_svg_display), and matplotlib found a glyph for every
    # character of their labels (else it warns "Glyph ... missing from font(s)" in the output).
    sources = [plots.nth(i).get_attribute("src") for i in range(plots.count())]
    assert any(src.endswith(".svg") for src in sources), sources
    assert "missing from font" not in page.locator("article").text_content()


def test_pages_request_nothing_outside_localhost(open_page):
    # open_page fails the test on any request to another host; these pages load the most assets.
    for path in ["index.html", f"{MATH_PAGE}.html", f"{CODE_PAGE}.html", "search.html?q=张量"]:
        page = open_page(path)
        assert page.title()


@pytest.mark.parametrize(("term", "docname"), SEARCHES)
def test_search_finds_a_chinese_term(open_page, term, docname):
    page = open_page(f"search.html?q={quote(term)}")
    # searchtools.js lists the hits one by one under #search-results.
    hit = page.locator(f'#search-results ul.search li a[href*="{docname}.html"]')
    hit.first.wait_for(timeout=15_000)
    if term == "张量":
        screenshot(page, "search-light.png")


def test_the_copy_button_copies_the_code_only(open_page):
    page = open_page(f"{CODE_PAGE}.html")
    notebook = jupytext.read(ROOT / f"{CODE_PAGE}.md", fmt="md:myst")
    visible = [c.source for c in notebook.cells if c.cell_type == "code"
               and "remove-cell" not in c.metadata.get("tags", [])]
    cells = page.locator(".bd-article div.cell")
    assert cells.count() == len(visible)
    # The first cell that shows both its code and an output.
    index = next(i for i in range(cells.count())
                 if cells.nth(i).locator(".cell_input").count()
                 and cells.nth(i).locator(".cell_output").count())
    cell = cells.nth(index)
    cell.locator(".cell_input div.highlight").hover()
    cell.locator(".cell_input button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.rstrip("\n") == visible[index].rstrip("\n")
    output = cell.locator(".cell_output").inner_text().strip()
    assert output and output not in copied


def test_solutions_are_collapsed_and_open_on_click(open_page):
    page = open_page(f"{CODE_PAGE}.html")
    solutions = page.locator(".bd-article div.solution.dropdown")
    assert solutions.count() > 0
    for i in range(solutions.count()):
        assert not solutions.nth(i).locator("section").first.is_visible()
    first = solutions.first
    first.scroll_into_view_if_needed()
    first.locator(".admonition-title").click(position={"x": 10, "y": 10})
    body = first.locator("section").first
    body.wait_for(state="visible")
    assert body.inner_text().strip()
    screenshot(page, "solution-open-light.png", ".bd-article div.solution.dropdown")


def test_the_download_menu_offers_the_notebook(open_page):
    page = open_page(f"{CODE_PAGE}.html")
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    offered = page.locator(".dropdown-download-buttons .dropdown-menu a.dropdown-item")
    offered.first.wait_for(state="visible")
    assert [t.strip() for t in offered.all_inner_texts()] == [".ipynb", ".md"]
    screenshot(page, "download-menu-light.png")
    link = page.locator(".btn-download-notebook-button").evaluate("a => a.href")
    notebook = page.request.get(link)
    assert notebook.ok and notebook.json()["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_plots_have_a_light_background_in_both_themes(open_page, scheme):
    for docname in PLOT_PAGES[:3]:
        page = open_page(f"{docname}.html", scheme)
        plots = page.locator(PLOT_IMAGES)
        backgrounds = plots.evaluate_all(
            "imgs => imgs.map(img => getComputedStyle(img).backgroundColor)")
        for background in backgrounds:
            # Transparent (light theme: the page is white) or opaque white.
            assert background in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), background
            if scheme == "dark":
                assert background == "rgb(255, 255, 255)"
        filters = plots.evaluate_all("imgs => imgs.map(img => getComputedStyle(img).filter)")
        assert set(filters) == {"none"}, "plots are shown as drawn, not dimmed"
        stem = re.sub(r".*/", "", docname)
        screenshot(page, f"{stem}-{scheme}.png", PLOT_IMAGES)


# Diagrams drawn by d2lutils.figures, one per kind (operation, architecture, graph, flow chart,
# neurons), each checked and photographed in both themes.
FIGURES = [
    ("chapters/introduction/index", "fig-introduction-training-loop"),
    ("chapters/preliminaries/autograd", "fig-autograd-graph"),
    ("chapters/multilayer-perceptrons/dropout", "fig-dropout-network"),
    ("chapters/convolutional-neural-networks/conv-layer", "fig-conv-layer-correlation"),
    ("chapters/convolutional-neural-networks/padding-and-strides",
     "fig-padding-and-strides-stride"),
    ("chapters/convolutional-neural-networks/channels", "fig-channels-multi-in"),
    ("chapters/convolutional-neural-networks/lenet", "fig-lenet-shapes"),
    ("chapters/modern-cnn/googlenet", "fig-googlenet-inception"),
    ("chapters/modern-cnn/resnet", "fig-resnet-block"),
    ("chapters/recurrent-neural-networks/rnn", "fig-rnn-unrolled"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("docname", "label"), FIGURES)
def test_diagrams_are_crisp_numbered_and_on_white(open_page, docname, label, scheme):
    page = open_page(f"{docname}.html", scheme)
    figure = page.locator(f"figure#{label}")
    assert figure.count() == 1, f"{docname} has no figure {label}"
    img = figure.locator("img")
    assert img.get_attribute("src").endswith(".svg"), "diagrams are vector graphics"
    figure.scroll_into_view_if_needed()
    assert img.evaluate("img => img.complete && img.naturalWidth > 0"), "the image did not load"
    # Numbered and captioned ("图 6.2 ..."), and referenced from the text by that number.
    caption = figure.locator("figcaption").text_content()
    number = re.search(r"图\s*([\d.]+)", caption)
    assert number, caption
    refs = page.locator(f'a[href="#{label}"]')
    assert refs.count() >= 1 and number[1] in refs.first.text_content()
    # Fits the column (nothing cut off) and is shown at its drawn size or larger (readable): a
    # vertical network such as LeNet's compressed notation is only about 150 px wide as drawn.
    box, column = img.bounding_box(), page.locator("article").bounding_box()
    natural = img.evaluate("img => img.naturalWidth")
    assert min(natural, column["width"]) - 1 <= box["width"] <= column["width"] + 1, (
        box, natural, column)
    # On a white card in both themes, shown as drawn (the dark theme would dim images).
    style = img.evaluate("img => [getComputedStyle(img).backgroundColor, "
                         "getComputedStyle(img).filter]")
    assert style[1] == "none"
    if scheme == "dark":
        assert style[0] == "rgb(255, 255, 255)"
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{label}-{scheme}.png"
    figure.screenshot(path=path)
    assert path.stat().st_size > 5_000


def pages_with_tables():
    return sorted(p.relative_to(HTML).with_suffix("").as_posix()
                  for p in HTML.glob("**/*.html")
                  if "_static" not in p.parts and "<table" in p.read_text(encoding="utf-8")
                  and p.relative_to(HTML).parts[0] in ("chapters", "intro.html"))


@pytest.mark.parametrize("width", [1300, 800])
def test_no_table_overflows_without_a_scrollbar(open_page, width):
    """Every table fits the content column or scrolls inside it (the 复现结果 table is wide)."""
    pages = pages_with_tables()
    assert "chapters/appendix/reproducibility" in pages
    for path in pages:
        page = open_page(f"{path}.html", width=width)
        tables = page.evaluate("""() => {
            const article = document.querySelector('article.bd-article');
            const column = article.getBoundingClientRect();
            return [...article.querySelectorAll('table')].map(table => {
                let box = table.parentElement;
                const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
                while (box !== article && !scrolls(box)) box = box.parentElement;
                const scroller = box === article ? null : box;
                return {head: table.textContent.trim().slice(0, 40),
                        right: table.getBoundingClientRect().right,
                        shown: (scroller || table).getBoundingClientRect().right,
                        scrolls: scroller ? scroller.scrollWidth > scroller.clientWidth : false,
                        column: column.right, window: window.innerWidth};
            });
        }""")
        for t in tables:
            where = f"{path} at {width} px: table {t['head']!r}"
            assert t["shown"] <= min(t["column"], t["window"]) + 1, f"{where} is cut off: {t}"
            if t["right"] > t["column"] + 1:
                assert t["scrolls"], f"{where} is wider than the column and cannot scroll: {t}"
        if path == "chapters/appendix/reproducibility":
            screenshot(page, f"wide-table-{width}.png", "article table")
