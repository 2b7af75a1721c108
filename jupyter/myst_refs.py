"""Cross-references, citations and glued values readable in JupyterLab (``make lab``).

jupyterlab-myst renders a chapter's Markdown cells but resolves only what the open notebook itself
defines: a ``{ref}`` to another chapter, a figure (named in a code cell's metadata), a ``{cite}``
(the bibliography is the book's) and a ``{glue:text}`` value show up as bare keys with a warning.
When a chapter is opened, each such role is replaced by readable text between two HTML comments
that keep the role, e.g. ``<!--myst:{ref}`sec-autograd`-->[“自动微分”](autograd.md)<!--/myst-->``:
a link to the section's file, ``图“caption”`` for a figure, ``(Paszke et al., 2019)`` for a
citation, ``‹key›`` for a glued value (its number comes from the book's build). ``restore`` turns
each such span back into its role, so saving writes the ``.md`` exactly as it was read.
"""

import posixpath
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLE = re.compile(r"\{(ref|numref|eq|cite|cite:[a-z]+|glue:text|glue)\}`([^`\n]*)`")
# A role or an inline code span (left alone), scanned left to right.
INLINE = re.compile(ROLE.pattern + r"|``[^`]+``|`[^`]+`")
CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
KEPT = re.compile(r"<!--myst:(\{[^}\n]+\}`[^`\n]*`)-->.*?<!--/myst-->")
SECTION = re.compile(r"^\(([^()\s]+)\)=[ \t]*\n(?:[ \t]*\n)*#+[ \t]+(.+?)[ \t]*$", re.M)
FIGURE = re.compile(r"^[ \t]+caption:[ \t]*(.+?)[ \t]*\n[ \t]+name:[ \t]*(\S+)", re.M)
EQUATION = re.compile(r"^\$\$[ \t]*\(([^()\s]+)\)[ \t]*$", re.M)
EXERCISE = re.compile(r"^:{3,}\{exercise\}[^\n]*\n:label:[ \t]*(\S+)", re.M)


@cache
def labels(root=ROOT):
    """label -> (kind, text, .md path from the root) of the chapters' sections, figures,
    equations and exercises."""
    found = {}
    for path in sorted((root / "chapters").glob("**/*.md")):
        text = path.read_text(encoding="utf-8")
        path = path.relative_to(root).as_posix()
        found.update({label: ("section", f"“{title}”", path) for label, title
                      in SECTION.findall(text)})
        found.update({name: ("figure", f"图“{caption.strip(chr(34))}”", path) for caption, name
                      in FIGURE.findall(text)})
        found.update({label: ("equation", "式", path) for label in EQUATION.findall(text)})
        found.update({label: ("exercise", "练习", path) for label in EXERCISE.findall(text)})
    return found


@cache
def citations(root=ROOT):
    """Citation key -> (Author et al., year), from the book's bibliography."""
    from pybtex import errors
    from pybtex.database import parse_file

    errors.set_strict_mode(False)  # a duplicate entry is Sphinx's to report, not the lab's
    found = {}
    for key, entry in parse_file(root / "chapters" / "references.bib").entries.items():
        names = [" ".join(p.last_names) for p in entry.persons.get("author", [])]
        who = (names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2
               else f"{names[0]} et al." if names else key)
        found[key] = f"({who}, {entry.fields.get('year', 'n.d.')})"
    return found


def _readable(role, content, here):
    """The text for one role, or None where jupyterlab-myst resolves it itself."""
    if role.startswith("glue"):
        return f"‹{content.split('::')[-1].split(':')[0]}›"
    if role.startswith("cite"):
        keys = [k.strip() for k in content.split(",")]
        return "; ".join(citations().get(k, k) for k in keys)
    title, _, label = content.rpartition("<")
    label = label.rstrip(">").strip() if title else content.strip()
    if label not in labels():
        return None
    kind, text, path = labels()[label]
    if path == here and kind == "equation":
        return None  # an equation of this notebook: jupyterlab-myst numbers and links it
    if title.strip() and "{" not in title:
        text = title.strip()
    if path == here:
        return f"[{text}](#{label})"
    return f"[{text}]({posixpath.relpath(path, posixpath.dirname(here or path))})"


def readable(source, here=None):
    """``source`` of a Markdown cell of the chapter at ``here`` (a path such as
    ``chapters/preliminaries/ndarray.md``) with the roles made readable."""

    def replace(match):
        if not match[1]:
            return match[0]
        text = _readable(match[1], match[2], here)
        return match[0] if text is None else f"<!--myst:{match[0]}-->{text}<!--/myst-->"

    lines, fence = source.split("\n"), None
    for i, line in enumerate(lines):
        opening = CODE_FENCE.match(line)
        if fence:  # inside a code block, until its closing fence
            fence = None if line.strip() == fence else fence
        elif opening and not opening[2].startswith("{"):
            fence = opening[1]
        else:
            lines[i] = INLINE.sub(replace, line)
    return "\n".join(lines)


def restore(source):
    """Undo ``readable``: every kept role back in place of its text."""
    return KEPT.sub(lambda m: m[1], source)
