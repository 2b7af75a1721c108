"""No hidden check is a formality: each assert reaches something an earlier cell computed.

tests/hidden_checks.py finds the mechanical cases (arithmetic on literals, library calls made on
the spot); the cases it cannot see (identities that hold by construction, a rebuilt object
checked instead of the trained one) are for the reader of the chapter.
"""

import textwrap
from pathlib import Path

import pytest

from tests.hidden_checks import checks_testing_nothing
from tests.myst_notebooks import is_chapter

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [p for p in sorted((ROOT / "chapters").rglob("*.md")) if is_chapter(p)]

HEADER = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _chapter(tmp_path, *cells):
    """A chapter whose code cells are ``(source, hidden)`` pairs."""
    parts = [HEADER]
    for source, hidden in cells:
        tags = "\n:tags: [remove-cell]" if hidden else ""
        parts.append(f"```{{code-cell}} ipython3{tags}\n{textwrap.dedent(source).strip()}\n```\n")
    path = tmp_path / "section.md"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def test_arithmetic_on_literals_is_found(tmp_path):
    path = _chapter(tmp_path, ("import math", False),
                    ("assert round(math.log(10), 3) == 2.303", True))
    assert checks_testing_nothing(path) == [(1, "assert round(math.log(10), 3) == 2.303")]


def test_a_check_of_a_fresh_library_object_is_found(tmp_path):
    path = _chapter(tmp_path, ("import torch\nx = torch.arange(12.0)", False),
                    ("y = torch.arange(12.0)\nassert y.dtype == torch.float32", True))
    assert [n for n, _ in checks_testing_nothing(path)] == [1]


def test_a_check_of_what_an_earlier_cell_computed_passes(tmp_path):
    path = _chapter(tmp_path, ("import torch\nx = torch.arange(12.0)", False),
                    ("assert x.dtype == torch.float32", True))
    assert checks_testing_nothing(path) == []


def test_names_filled_in_the_check_cell_from_earlier_objects_count(tmp_path):
    path = _chapter(tmp_path, ("net = [1, 2, 3]", False),
                    ("shapes = []\nfor layer in net:\n    shapes.append(layer * 2)\n"
                     "assert shapes == [2, 4, 6]", True))
    assert checks_testing_nothing(path) == []


def test_an_error_raised_by_an_earlier_object_counts(tmp_path):
    path = _chapter(tmp_path, ("loader = []", False),
                    ("try:\n    next(iter(loader))\nexcept StopIteration as err:\n    e = err\n"
                     "assert isinstance(e, StopIteration)", True))
    assert checks_testing_nothing(path) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_hidden_assert_tests_something_the_section_computed(path):
    found = checks_testing_nothing(path)
    assert not found, "hidden asserts that test nothing the section computed:\n" + "\n".join(
        f"  Cell {n}: {source}" for n, source in found)


def test_the_value_the_previous_cell_showed_counts(tmp_path):
    path = _chapter(tmp_path, ("1 + 1", False),
                    ("r = get_ipython().last_execution_result.result\nassert r == 2", True))
    assert checks_testing_nothing(path) == []
