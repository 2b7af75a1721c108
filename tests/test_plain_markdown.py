"""MyST to CommonMark for the downloaded notebooks (_ext/plain_markdown.py) and the folding of
solutions (jupyter/solutions.py), without a book build."""

import sys
from pathlib import Path

import jupytext
import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "_ext"), str(ROOT / "jupyter")]

from plain_markdown import to_markdown  # noqa: E402
from solutions import fold_solutions, solution_code_cells, unfold_solutions  # noqa: E402

CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*/*.md")
                  if p.read_text(encoding="utf-8").startswith("---"))
MYST_LEFT = (":::{", "{ref}`", "{numref}`", "{eq}`", "{cite}`", "{glue:text}`", "{term}`")


def known(role, target):
    return {("ref", "sec-a"): "第 2.1 节“数据操作”", ("numref", "fig-a"): "图 2.1.1",
            ("eq", "eq-a"): "(2.1.1)", ("cite", "key2020"): "(Key, 2020)",
            ("numref", "ex-a"): "练习 1", ("glue:text", "acc:.3f"): "0.812"}.get((role, target))


def test_roles_become_the_text_the_book_prints():
    source = ("见 {ref}`sec-a`、{numref}`fig-a`、{eq}`eq-a` 和 {cite}`key2020`；精度为 "
              "{glue:text}`acc:.3f`，{term}`张量`（tensor），{ref}`这里 <sec-b>`，`{ref}` 是代码。")
    assert to_markdown(source, known) == (
        "见 第 2.1 节“数据操作”、图 2.1.1、(2.1.1) 和 (Key, 2020)；精度为 0.812，张量（tensor），"
        "这里，`{ref}` 是代码。")


def test_unknown_targets_read_as_placeholders():
    assert to_markdown("{glue:text}`loss:.2f` {cite}`k` {eq}`e`") == "‹loss› [k] (e)"


def test_exercise_solution_admonition_label_and_equation():
    source = "\n".join([
        "(sec-a)=", "## 练习", "", ":::{exercise}", ":label: ex-a", "", "证明 $x$。", ":::", "",
        ":::{solution-start} ex-a", ":class: dropdown", ":::", "", "由 {eq}`eq-a` 可得。", "",
        "::::{note}", "注意这里。", ":::{tip}", "内层", ":::", "::::", "",
        "$$", "y = x", "$$ (eq-a)", "", "```python", ":::{not-a-directive}", "```",
        ":::{solution-end}", ":::"])
    assert to_markdown(source, known).split("\n") == [
        "## 练习", "", "> **练习 1**", ">", "> 证明 $x$。", "", "**解答**（练习 1）", "",
        "由 (2.1.1) 可得。", "", "> **注意**", ">", "> 注意这里。",
        "> > **提示**", "> >", "> > 内层", "", "$$", "y = x", r"\tag{2.1.1}", "$$", "",
        "```python", ":::{not-a-directive}", "```"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_syntax_is_left_in_any_chapter(chapter):
    """Rendered by a CommonMark renderer, nothing of MyST shows (unresolved roles included)."""
    notebook = jupytext.read(chapter, fmt="md:myst")
    md = MarkdownIt("commonmark")
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            html = md.render(to_markdown(cell.source))
            left = [s for s in MYST_LEFT if s.replace("`", "<code>") in html or s in html]
            assert not left, f"{left} in\n{cell.source}"


def cells(*kinds_and_sources):
    return [{"cell_type": k, "source": s, "metadata": {}} for k, s in kinds_and_sources]


def test_the_code_cells_of_a_solution_are_folded_and_unfolded():
    notebook = {"cells": cells(
        ("markdown", ":::{exercise}\n:label: ex-a\n:::\n\n:::{solution-start} ex-a\n:::"),
        ("code", "a = 1"), ("markdown", "prose"), ("code", "b = 2"),
        ("markdown", ":::{solution-end}\n:::\n\n:::{exercise}\n:label: ex-b\n:::"),
        ("code", "not_a_solution = 3"),
        ("markdown", ":::{solution-start} ex-b\n:::"), ("code", "c = 3"),
        ("markdown", ":::{solution-end}\n:::\n\n:::{solution-start} ex-c\n:::"), ("code", "d = 4"),
        ("markdown", ":::{solution-end}\n:::"))}
    assert solution_code_cells(notebook["cells"]) == [1, 3, 7, 9]
    assert fold_solutions(notebook) == [1, 3, 7, 9]
    assert notebook["cells"][1]["metadata"] == {
        "jupyter": {"source_hidden": True, "outputs_hidden": True}}
    assert notebook["cells"][5]["metadata"] == {}
    unfold_solutions(notebook)
    assert all(c["metadata"] == {} for c in notebook["cells"])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_solution_has_folded_code(chapter):
    """Each chapter's gated solutions are found: as many regions as solution-start lines."""
    notebook = jupytext.read(chapter, fmt="md:myst")
    text = chapter.read_text(encoding="utf-8")
    starts = text.count(":::{solution-start}")
    assert text.count(":::{solution-end}") == starts
    folded = solution_code_cells(notebook.cells)
    if starts:
        assert folded, "solutions with code cells, but none found"


def test_lab_makes_references_to_other_chapters_readable():
    from myst_refs import readable, restore

    source = ("见 {ref}`sec-autograd` 和 {ref}`sec-ndarray`，{cite}`paszke2019pytorch`，"
              "精度 {glue:text}`acc:.3f`，`{ref}` 不变。")
    shown = readable(source, "chapters/preliminaries/ndarray.md")
    assert shown == (
        "见 <!--myst:{ref}`sec-autograd`-->[“自动微分”](autograd.md)<!--/myst--> 和 "
        "<!--myst:{ref}`sec-ndarray`-->[“数据操作”](#sec-ndarray)<!--/myst-->，"
        "<!--myst:{cite}`paszke2019pytorch`-->(Paszke et al., 2019)"
        "<!--/myst-->，精度 <!--myst:{glue:text}`acc:.3f`-->‹acc›<!--/myst-->，`{ref}` 不变。")
    assert restore(shown) == source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_lab_saves_every_chapter_back_unchanged(chapter):
    from myst_refs import readable, restore

    here = chapter.relative_to(ROOT).as_posix()
    for cell in jupytext.read(chapter, fmt="md:myst").cells:
        if cell.cell_type == "markdown":
            assert restore(readable(cell.source, here)) == cell.source
