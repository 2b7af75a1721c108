"""Every ``# @save`` cell in the book is byte-identical to the function in d2lutils."""

from pathlib import Path

import pytest

import d2lutils
from tests.saved_code import package_saved_names, package_source, saved_definitions

ROOT = Path(__file__).resolve().parent.parent
# drafts/ holds chapters still being written (not yet in the book), when there are any.
CHAPTERS = sorted((ROOT / "chapters").rglob("*.md")) + sorted((ROOT / "drafts").rglob("*.md"))
SAVED = [(md.relative_to(ROOT), name, src)
         for md in CHAPTERS for name, src in saved_definitions(md)]


@pytest.mark.parametrize(("chapter", "name", "shown"), SAVED,
                         ids=[f"{c}::{n}" for c, n, _ in SAVED])
def test_saved_cell_matches_package_source(chapter, name, shown):
    assert hasattr(d2lutils, name), f"{chapter} saves {name}, but d2lutils does not export it"
    assert shown == package_source(getattr(d2lutils, name)), (
        f"{chapter}: the '# @save' code of {name} differs from d2lutils; make them identical")


def test_every_package_save_mark_is_shown_in_a_chapter():
    shown = {name for _, name, _ in SAVED}
    marked = package_saved_names(ROOT / "d2lutils")
    assert marked <= shown, f"'# @save' in d2lutils but shown in no chapter: {marked - shown}"


def test_the_book_shows_saved_code():
    assert SAVED, "no '# @save' cell found in the chapters"


def test_a_changed_copy_is_detected(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n"
        "```{code-cell} ipython3\ndef try_gpu(i=1):  # @save\n    return None\n```\n",
        encoding="utf-8")
    [(name, shown)] = saved_definitions(chapter)
    assert name == "try_gpu"
    assert shown != package_source(d2lutils.try_gpu)
