"""Structure every section of the book shares (see DESIGN.md, "Notebooks")."""

import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.md")
                   if p.read_text(encoding="utf-8").startswith("---"))
# A chapter page (label ``chap-…``, e.g. 引言) may execute code for its figures; the rules of a
# section (exercises, hidden checks) are for the sections.
CHAPTER_PAGES = [p for p in NOTEBOOKS
                 if re.search(r"^\(chap-[a-z0-9-]+\)=$", p.read_text(encoding="utf-8"), re.M)]
SECTIONS = [p for p in NOTEBOOKS if p not in CHAPTER_PAGES]


def _toc_files():
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return set(re.findall(r"file:\s*(\S+)", text))


def test_there_are_sections():
    assert SECTIONS


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: str(p.relative_to(ROOT)))
class TestSection:
    def test_is_in_the_table_of_contents(self, path):
        assert str(path.relative_to(ROOT).with_suffix("")) in _toc_files()

    def test_has_a_section_label_before_its_title(self, path):
        text = path.read_text(encoding="utf-8")
        label_then_title = re.search(r"^\(sec-[a-z0-9-]+\)=\n# ", text, re.M)
        assert label_then_title, "add (sec-<slug>)= before the title"

    def test_has_summary_and_exercises(self, path):
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^## 小结$", text, re.M)
        assert re.search(r"^## 练习$", text, re.M)

    def test_every_exercise_has_a_collapsed_solution(self, path):
        text = path.read_text(encoding="utf-8")
        exercises = re.findall(r"^:::\{exercise\}\n:label: (\S+)", text, re.M)
        solutions = re.findall(r"^:::\{solution-start\} (\S+)\n:class: dropdown", text, re.M)
        assert exercises, "a section needs exercises"
        assert sorted(exercises) == sorted(solutions)

    def test_has_hidden_checks(self, path):
        notebook = jupytext.read(path, fmt="md:myst")
        hidden = [c for c in notebook.cells
                  if c.cell_type == "code" and "remove-cell" in c.metadata.get("tags", [])]
        assert any("assert" in c.source for c in hidden), "add remove-cell cells that assert"

    def test_stores_no_outputs(self, path):
        notebook = jupytext.read(path, fmt="md:myst")
        assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_chapter_page_that_executes_is_in_the_toc_and_stores_no_outputs(path):
    assert str(path.relative_to(ROOT).with_suffix("")) in _toc_files()
    notebook = jupytext.read(path, fmt="md:myst")
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    assert re.search(r"^## 小结$", path.read_text(encoding="utf-8"), re.M)
