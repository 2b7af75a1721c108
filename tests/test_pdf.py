"""The PDF as a reader gets it (marker ``pdf``; run after ``make pdf``).

``D2L_BOOK_PDF`` names the PDF (default: the full-mode build, ``_build/latex/book.pdf``); the
LaTeX log ``book.log`` lies next to it. The text is extracted with ``pdftotext`` and pages are
rendered with ``pdftoppm`` (Debian's poppler-utils, installed by ``make pdf``); the rendered
pages are saved in ``$D2L_SCREENSHOTS`` (default ``_build/screenshots``) as ``pdf-*.png``.
"""

import os
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from tests.test_book_html import NOTEBOOKS, ROOT, TOC_FILES

pytestmark = pytest.mark.pdf

PDF = Path(os.environ.get("D2L_BOOK_PDF", ROOT / "_build" / "latex" / "book.pdf"))
SCREENSHOTS = Path(os.environ.get("D2L_SCREENSHOTS", ROOT / "_build" / "screenshots"))
DPI = 60
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE_CAPTION = re.compile(r"^\s*图 (\d+\.\d+\.\d+)[:：]", re.M)
EQUATION_NUMBER = re.compile(r"\((\d+\.\d+\.\d+)\)\s*$", re.M)


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pages():
    """The text of every page (pdftotext, layout kept)."""
    assert PDF.is_file(), f"{PDF} missing: build it first (make pdf)"
    return run("pdftotext", "-layout", str(PDF), "-").split("\f")[:-1]


def sources():
    return {docname: (ROOT / f"{docname}.md").read_text(encoding="utf-8")
            for docname in TOC_FILES}


def title_of(text):
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def render(page_number, name):
    """Page ``page_number`` (1-based) as an image, also saved as ``pdf-<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = SCREENSHOTS / f"pdf-{name}"
    run("pdftoppm", "-f", str(page_number), "-l", str(page_number), "-r", str(DPI),
        "-png", "-singlefile", str(PDF), str(prefix))
    return Image.open(f"{prefix}.png").convert("L")


def words(page_number):
    """(text, x0, y0, x1, y1) of each word on the page, in points (pdftotext -bbox)."""
    html = run("pdftotext", "-f", str(page_number), "-l", str(page_number), "-bbox",
               str(PDF), "-")
    return [(unescape(w), *map(float, box)) for *box, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def ink(image, box):
    """Share of dark pixels of ``image`` inside ``box`` (points)."""
    scale = DPI / 72
    histogram = image.crop(tuple(round(v * scale) for v in box)).histogram()
    return sum(histogram[:200]) / max(sum(histogram), 1)


def first_page(pages, pattern):
    for number, text in enumerate(pages, start=1):
        match = re.search(pattern, text, re.M)
        if match:
            return number, match
    pytest.fail(f"no page matches {pattern!r}")


def test_the_latex_log_has_no_missing_glyph_and_no_undefined_reference():
    log = PDF.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    missing = sorted(set(re.findall(r"Missing character: There is no .*", log)))
    assert not missing, "\n".join(missing[:20])
    undefined = re.findall(r"(?:Reference|Citation) `[^']*' on page \d+ undefined", log)
    assert not undefined and "There were undefined references" not in log, undefined[:20]


def test_every_chapter_and_section_is_in_the_text_in_chinese(pages):
    text = "\n".join(pages)
    assert len(CJK.findall(text)) > 10_000, "little Chinese text could be extracted"
    contents = "\n".join(pages[:10])
    for docname, source in sources().items():
        title = title_of(source)
        assert title in text, f"{docname}: title {title!r} not in the PDF"
        if docname.endswith("/index"):  # chapters are listed in the contents
            assert title in contents, f"{docname}: {title!r} not in the contents"
    assert re.search(r"第 \d+ 章", contents)


def test_cross_references_and_citations_are_resolved(pages):
    body = "\n".join(pages)
    assert "??" not in body
    labels = sorted(set(re.findall(r"\b(?:sec|fig|eq|ex)-[a-z0-9]+(?:-[a-z0-9]+)+\b", body)))
    assert not labels, f"unresolved labels printed: {labels[:20]}"
    # The bibliography lists the works the chapters cite, by author.
    cited = set()
    for source in sources().values():
        for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", source):
            cited.update(k.strip() for k in keys.split(","))
    assert cited
    # The bibliography's pages: those with entries, each line starting with a label like [LBBH98].
    bibliography = "\n".join(p for p in pages if re.search(r"^\s*\[[^\]\s]+\d\d\]\s", p, re.M))
    bib = (ROOT / "chapters" / "references.bib").read_text(encoding="utf-8")
    for key in sorted(cited):
        entry = re.search(r"@\w+\{" + re.escape(key) + r",(.*?)\n\}", bib, re.S)
        assert entry, key
        author = re.search(r"author\s*=\s*[{\"]+([^,{}\s]+)", entry.group(1))
        if author:
            assert author.group(1) in bibliography, f"{key}: {author.group(1)} not in references"


def test_every_exercise_shows_its_solution(pages):
    text = "\n".join(pages)
    solutions = sum(sources()[d].count(":::{solution-start}") for d in NOTEBOOKS)
    assert solutions
    assert len(re.findall(r"^\s*解答\s*练习", text, re.M)) == solutions


def test_every_figure_is_in_the_pdf_with_its_number(pages):
    figures = sum(len(re.findall(r"^\s+figure:\s*$", sources()[d], re.M)) for d in NOTEBOOKS)
    numbers = FIGURE_CAPTION.findall("\n".join(pages))
    assert len(numbers) == len(set(numbers)) >= figures


def test_a_figure_page_shows_the_figure_above_its_caption(pages):
    number, match = first_page(pages, FIGURE_CAPTION.pattern)
    image = render(number, "figure")
    caption = next(w for w in words(number) if w[0] == "图")
    x0, top = 72, max(caption[2] - 160, 0)
    # A drawn plot (vector graphics from the SVG) fills the space above the caption.
    assert ink(image, (x0, top, image.width * 72 / DPI - x0, caption[2] - 4)) > 0.01


def test_an_equation_page_shows_the_equation_beside_its_number(pages):
    number, match = first_page(pages, EQUATION_NUMBER.pattern)
    image = render(number, "equation")
    label = next(w for w in words(number) if w[0] == f"({match.group(1)})")
    width = image.width * 72 / DPI
    assert ink(image, (width * 0.2, label[2] - 6, label[1] - 10, label[4] + 6)) > 0.01


def test_a_code_page_shows_code_and_its_output_in_a_monospaced_font(pages):
    number, match = first_page(pages, r"^\s*import torch\s*$")
    image = render(number, "code")
    assert ink(image, (0, 0, image.width * 72 / DPI, image.height * 72 / DPI)) > 0.02
    fonts = run("pdffonts", "-f", str(number), "-l", str(number), str(PDF))
    assert "DejaVuSansMono" in fonts and "NotoSerifCJK" in fonts, fonts
    assert "Type 3" not in fonts, fonts


def test_chinese_page_is_rendered_with_the_cjk_font(pages):
    number, _ = first_page(pages, "张量")
    image = render(number, "chinese")
    assert ink(image, (0, 0, image.width * 72 / DPI, image.height * 72 / DPI)) > 0.02
    assert "NotoSerifCJK" in run("pdffonts", "-f", str(number), "-l", str(number), str(PDF))
