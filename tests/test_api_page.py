"""The API reference (chapters/appendix/api.md): every public name of d2lutils, by module.

Each entry is an autodoc directive (the docstring is the package's) followed by a Chinese line
that points at the section introducing or using it. Tests marked ``book`` check the built HTML.
"""

import os
import re
from collections import Counter
from pathlib import Path

import pytest

import d2lutils
from tests.saved_code import saved_definitions

ROOT = Path(__file__).resolve().parent.parent
API = "chapters/appendix/api"
HTML = Path(os.environ.get("D2L_BOOK_HTML", ROOT / "_build" / "html"))
DIRECTIVE = re.compile(r"^\.\. auto(?:function|class|exception)::\s+d2lutils\.(\w+)\n"
                       r"((?:[ \t]+.*\n|[ \t]*\n)*)", re.M)
REF = re.compile(r":(?:num)?ref:`(?:[^`<]*<)?([\w-]+)>?`")


def entries():
    """``(name, module, body)`` of each entry; ``d2lutils.<module>`` is named in its section."""
    text = (ROOT / f"{API}.md").read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        module = re.search(r"`d2lutils\.(\w+)`", section.splitlines()[0])
        assert module, f"section heading without its module: {section.splitlines()[0]}"
        found += [(m[1], module[1], m[2]) for m in DIRECTIVE.finditer(section)]
    return found


def toc_pages():
    """The front page and every page of the table of contents, in reading order."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = re.findall(r"^root:\s*(\S+)", text, re.M) + re.findall(r"file:\s*(\S+)", text)
    return [f for f in pages if (ROOT / f"{f}.md").is_file()]


def label_pages():
    """Section label -> the docname of the page that defines it."""
    return {label: docname for docname in toc_pages()
            for label in re.findall(r"^\(([\w-]+)\)=$", (ROOT / f"{docname}.md").read_text(
                encoding="utf-8"), re.M)}


def test_every_public_name_has_exactly_one_entry():
    documented = Counter(name for name, _, _ in entries())
    assert sorted(documented) == sorted(d2lutils.__all__), (
        f"missing: {sorted(set(d2lutils.__all__) - set(documented))}, "
        f"not public: {sorted(set(documented) - set(d2lutils.__all__))}")
    assert max(documented.values()) == 1, [n for n, c in documented.items() if c > 1]


def test_entries_sit_under_the_module_that_defines_them():
    for name, module, _ in entries():
        assert getattr(d2lutils, name).__module__ == f"d2lutils.{module}", name


def test_every_entry_says_in_chinese_where_the_book_uses_it():
    for name, _, body in entries():
        options = re.compile(r"\s*:[\w-]+:(\s|$)")  # :members:, not :func:`...`
        text = "\n".join(line for line in body.splitlines() if not options.match(line))
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name}: add a Chinese line under the entry"


def test_section_links_name_labels_of_the_book():
    known = label_pages()
    for name, _, body in entries():
        for label in REF.findall(body):
            assert label in known, f"{name}: no section is labelled {label}"


def test_saved_code_links_to_the_section_that_shows_it():
    """A ``# @save`` function links to the page where the reader first sees its code."""
    shown = {}
    for docname in toc_pages():
        for name, _ in saved_definitions(ROOT / f"{docname}.md"):
            shown.setdefault(name, docname)
    known = label_pages()
    for name, _, body in entries():
        if name in shown:
            pages = {known.get(label) for label in REF.findall(body)}
            assert shown[name] in pages, f"{name}: link to a section of {shown[name]}"


@pytest.mark.book
def test_the_built_page_has_an_entry_per_public_name():
    path = HTML / f"{API}.html"
    assert path.is_file(), f"{path} missing: build the book first (make book)"
    html = path.read_text(encoding="utf-8")
    ids = set(re.findall(r'<dt class="sig sig-object py" id="d2lutils\.(\w+)">', html))
    assert set(d2lutils.__all__) <= ids, sorted(set(d2lutils.__all__) - ids)
    assert 'class="xref std std-ref"' not in html, "a section link did not resolve"
