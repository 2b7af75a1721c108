"""The glossary (chapters/appendix/glossary.md) and the {term} links to it from the text.

Each entry is a Chinese term, its English term and a one-line definition that ends by pointing
at the section that introduces the term: 见 {numref}`{number} 节“{name}” <sec-...>`。
The text links each term once, where it is first introduced: at the first place that gives the
English in parentheses, 张量（tensor）, or earlier (the overview chapter 引言 is not counted).
Entries are grouped by chapter and ordered as the sections they point to. Tests marked ``book``
check the built HTML.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = "chapters/appendix/glossary"
HTML = Path(os.environ.get("D2L_BOOK_HTML", ROOT / "_build" / "html"))
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")
CJK = re.compile(r"[\u4e00-\u9fff]")
OVERVIEW = "chapters/introduction/"


def toc_pages():
    """The book's pages in reading order (docnames), without the glossary itself."""
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return [f for f in re.findall(r"file:\s*(\S+)", text)
            if f != GLOSSARY and (ROOT / f"{f}.md").is_file()]


def read(docname):
    return (ROOT / f"{docname}.md").read_text(encoding="utf-8")


def role_target(content):
    """``{term}`张量``` names 张量; ``{term}`汇聚层 <汇聚>``` names 汇聚."""
    m = re.fullmatch(r"(.*?)\s*<(.+)>", content, re.S)
    return m.group(2) if m else content


def prose(text):
    """The running text of a MyST page: no code cells, math, inline code, labels, options,
    headings or other roles. Each {term} role becomes a marker ``\\ue000<n>\\ue001``; returns the
    text and the list of the roles' targets in order."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(`{3,}|~{3,}).*?\n.*?^\1[ \t]*$", "", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"^\s*:::.*$|^\s*:[\w-]+:.*$|^\(.*\)=$|^#+ .*$|<!--.*?-->", "", text, flags=re.M)
    targets = []

    def marker(m):
        targets.append(role_target(m.group(1)))
        return f"\ue000{len(targets) - 1}\ue001"

    text = TERM_ROLE.sub(marker, text)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", "", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    text = re.sub(r"\$[^$\n]+\$", "", text)
    return text, targets


def glossary_entries():
    """``(chinese, english, definition, chapter title)`` of every entry, in page order."""
    text = read(GLOSSARY)
    entries = []
    chapters = re.findall(r"^## ([^\n]+)\n\n```\{glossary\}\n(.*?)^```$", text, re.M | re.S)
    for heading, block in chapters:
        for chunk in block.strip().split("\n\n"):
            terms = [line for line in chunk.splitlines() if not line.startswith(" ")]
            definitions = [line.strip() for line in chunk.splitlines() if line.startswith(" ")]
            entries.append((terms, definitions, heading))
    return entries


def parsed_entries():
    out = []
    for terms, definitions, heading in glossary_entries():
        assert len(terms) == 2 and len(definitions) == 1, (terms, definitions)
        out.append((terms[0], terms[1], definitions[0], heading))
    return out


def labels():
    """Section label -> (page index in reading order, offset in the page, docname)."""
    found = {}
    for i, docname in enumerate(toc_pages()):
        for m in re.finditer(r"^\(((?:sec|chap)-[\w-]+)\)=$", read(docname), re.M):
            found[m.group(1)] = (i, m.start(), docname)
    return found


def back_link(definition):
    m = re.search(r"见 \{(?:num)?ref\}`(?:[^`<]*<)?([\w-]+)>?`。$", definition)
    assert m, f"end the definition with 见 {{numref}}`...<sec-...>`。: {definition}"
    return m.group(1)


def term_links():
    """Every {term} link of the book: ``(target, page index, offset in the page's prose)``."""
    links = []
    for i, docname in enumerate(toc_pages()):
        text, targets = prose(read(docname))
        for m in re.finditer("\ue000(\\d+)\ue001", text):
            links.append((targets[int(m.group(1))], i, m.start()))
    return links


def test_every_entry_has_a_chinese_term_an_english_term_and_a_one_line_definition():
    entries = glossary_entries()
    assert len(entries) >= 50
    for terms, definitions, _ in entries:
        assert len(terms) == 2, f"one Chinese and one English term per entry, got {terms}"
        assert CJK.search(terms[0]), f"{terms[0]} should be the Chinese term"
        assert not CJK.search(terms[1]), f"{terms[1]} should be the English term"
        assert len(definitions) == 1 and CJK.search(definitions[0]), terms


def test_terms_are_unique():
    names = [t.lower() for chinese, english, _, _ in parsed_entries() for t in (chinese, english)]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_every_term_link_names_a_glossary_term():
    known = {t for chinese, english, _, _ in parsed_entries() for t in (chinese, english)}
    unknown = [(target, toc_pages()[i]) for target, i, _ in term_links() if target not in known]
    assert not unknown


def test_every_term_is_linked_from_the_text_exactly_once():
    linked = [target for target, _, _ in term_links()]
    for chinese, english, _, _ in parsed_entries():
        count = linked.count(chinese) + linked.count(english)
        assert count == 1, f"{chinese} is linked {count} times; link only its first use"


def test_each_term_is_linked_no_later_than_the_first_place_that_gives_its_english():
    """张量（tensor） without a link, before the link, means the link is in the wrong place."""
    links = {target: (i, offset) for target, i, offset in term_links()}
    # 引言 (chapters/introduction) is an overview that names many terms in passing; the links
    # go where the chapters teach the terms.
    pages = [prose(read(docname))[0] if not docname.startswith(OVERVIEW) else ""
             for docname in toc_pages()]
    for chinese, english, _, _ in parsed_entries():
        english = re.sub(r"\s*\(.*\)$", "", english)  # 'rectified linear unit (ReLU)'
        pattern = re.compile(re.escape(chinese) + r"(\*\*)?（" + re.escape(english), re.I)
        first = next(((i, m.start()) for i, text in enumerate(pages)
                      for m in [pattern.search(text)] if m), None)
        if first is not None:
            assert links[chinese] <= first, (
                f"{chinese}（{english}） first appears in {toc_pages()[first[0]]} without a link; "
                f"move the {{term}} link there")


def test_back_links_name_sections_of_the_book():
    known = labels()
    for chinese, _, definition, _ in parsed_entries():
        assert back_link(definition) in known, chinese


def test_each_term_is_linked_no_later_than_the_section_the_glossary_points_to():
    known = labels()
    links = {target: i for target, i, _ in term_links()}
    for chinese, _, definition, _ in parsed_entries():
        assert links[chinese] <= known[back_link(definition)][0], chinese


def test_entries_are_grouped_by_chapter_and_ordered_as_their_sections():
    known = labels()
    titles = {}  # chapter folder -> its title, from the chapter's index page
    for docname in toc_pages():
        if docname.endswith("/index"):
            titles[docname.rsplit("/", 1)[0]] = re.search(r"^# (.+)$", read(docname), re.M)[1]
    previous = {}
    for chinese, _, definition, heading in parsed_entries():
        i, offset, docname = known[back_link(definition)]
        assert titles[docname.rsplit("/", 1)[0]] == heading, f"{chinese} belongs under its chapter"
        assert (i, offset) >= previous.get(heading, (0, 0)), f"{chinese} is out of order"
        previous[heading] = (i, offset)


# Checks of the built HTML (marker ``book``).

def html_page(docname):
    path = HTML / f"{docname}.html"
    assert path.is_file(), f"{path} missing: build the book first (make book)"
    return path.read_text(encoding="utf-8")


@pytest.mark.book
def test_the_glossary_page_lists_every_term_with_a_link_back_to_its_section():
    html = html_page(GLOSSARY)
    known = labels()
    for chinese, english, definition, _ in parsed_entries():
        entry = re.search(r'<dt id="term-[^"]*">' + re.escape(chinese) + r"<.*?</dd>", html, re.S)
        assert entry, f"no entry for {chinese}"
        assert re.search(r'<dt id="term-[^"]*">' + re.escape(english) + "<", entry[0]), english
        section = known[back_link(definition)][2]
        href = os.path.relpath(section, Path(GLOSSARY).parent) + ".html#"
        assert f'href="{href}' in entry[0], f"{chinese} should link back to {section}"


@pytest.mark.book
def test_every_term_link_of_the_text_leads_to_the_glossary():
    for docname in toc_pages():
        roles = len(TERM_ROLE.findall(read(docname)))
        if roles:
            href = os.path.relpath(GLOSSARY, Path(docname).parent) + ".html#term-"
            html = html_page(docname)
            assert html.count(f'href="{href}') == roles, docname
            # **{term}`张量`** after a Chinese character is no bold text, but literal asterisks.
            stray = (r'\*\*<a [^>]*glossary\.html'
                     r'|glossary\.html[^>]*><span[^>]*>[^<]*</span></a>\*\*')
            assert not re.search(stray, html), f"{docname}: stray ** around a term link"
