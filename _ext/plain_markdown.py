"""MyST Markdown to plain (CommonMark) Markdown, for the notebooks readers download.

The chapters use MyST syntax that only MyST renderers understand: directives (``:::{exercise}``,
``:::{solution-start}``, ``:::{note}``), roles (``{ref}``, ``{numref}``, ``{eq}``, ``{cite}``,
``{term}``, ``{glue:text}``), labels (``(sec-x)=``) and labelled equations (``$$ ... $$ (eq-x)``).
JupyterLab without jupyterlab-myst, VS Code and GitHub show them as raw text. ``to_markdown``
rewrites a Markdown cell into what such a reader can read: exercises and admonitions become
block quotes with a bold title, a solution gets a bold heading, roles become their resolved
text (``第 3.4 节“softmax 回归”``, ``图 6.2.1``, ``(3.1.2)``), equations get ``\\tag{}``.

Resolving needs the Sphinx environment; this module only asks a ``resolve(role, target)``
callback (None: not known) so that it can be tested without a build.
"""

import re

# `{role}`content``; the role name may hold ':' (glue:text) and '-'.
ROLE = re.compile(r"\{([a-z][a-z0-9:_-]*)\}`([^`]*)`")
# Scanned left to right: a role, or an inline code span (kept as it is).
INLINE = re.compile(ROLE.pattern + r"|``[^`]+``|`[^`]+`")
LABEL_LINE = re.compile(r"^\(([^()\s]+)\)=\s*$")
FENCE_OPEN = re.compile(r"^(:{3,}|`{3,})\{([a-z][a-z0-9:_-]*)\}\s*(.*?)\s*$")
OPTION = re.compile(r"^:([a-z][a-z0-9_-]*):\s*(.*?)\s*$")
CODE_FENCE = re.compile(r"^(`{3,}|~{3,})")
EQUATION_END = re.compile(r"^\$\$\s*\(([^()\s]+)\)\s*$")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)

ADMONITIONS = {
    "note": "注意", "tip": "提示", "hint": "提示", "important": "重要", "warning": "警告",
    "caution": "小心", "attention": "注意", "danger": "危险", "error": "错误",
    "seealso": "另请参阅", "admonition": "",
}
EXERCISE, SOLUTION = "练习", "解答"


def role_text(role, content, resolve):
    """The readable text of one role occurrence."""
    explicit = EXPLICIT.match(content)
    text, target = (explicit.group(1), explicit.group(2)) if explicit else (None, content)
    if role == "term":
        return text or target
    if role in ("ref", "doc") and text and "{" not in text:
        return text
    resolved = resolve(role, content if role.startswith("glue") else target)
    if resolved is not None:
        return resolved
    if role.startswith("glue"):
        return f"‹{target.split('::')[-1].split(':')[0]}›"
    if role.startswith("cite"):
        return f"[{target}]"
    if role == "eq":
        return f"({target})"
    if role == "math":
        return f"${content}$"
    return text or target


def inline(line, resolve):
    """Replace the roles in one line of prose (inline code spans are left alone)."""
    return INLINE.sub(lambda m: role_text(m[1], m[2], resolve) if m[1] else m[0], line)


def quote(lines):
    return ["> " + line if line.strip() else ">" for line in lines]


def directive(name, argument, options, body, resolve):
    """A directive block as plain Markdown lines (body already converted)."""
    if name == "exercise":
        label = options.get("label")
        title = resolve("numref", label) if label else None
        head = f"**{title or EXERCISE}**" + (f"　{argument}" if argument else "")
        return quote([head, "", *body])
    if name == "solution-start":
        title = resolve("numref", argument) if argument else None
        return [f"**{SOLUTION}**" + (f"（{title}）" if title else ""), "", *body]
    if name == "solution-end":
        return body
    if name in ADMONITIONS:
        head = argument if name == "admonition" else ADMONITIONS[name]
        return quote([f"**{head}**", "", *body]) if head else quote(body)
    if name in ("math",):
        return ["$$", *body, "$$"]
    # Anything else (figure, table, ...): its content, readable as it is.
    return ([f"**{argument}**", ""] if argument else []) + body


def convert_lines(lines, resolve):
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        fence = CODE_FENCE.match(line)
        opening = FENCE_OPEN.match(line)
        if opening:
            marker, name, argument = opening.groups()
            j = i + 1
            options = {}
            while j < len(lines) and OPTION.match(lines[j]):
                key, value = OPTION.match(lines[j]).groups()
                options[key] = value
                j += 1
            k = j
            while k < len(lines) and lines[k].rstrip() != marker:
                k += 1
            body = convert_lines(lines[j:k], resolve)
            while body and not body[0].strip():
                body.pop(0)
            while body and not body[-1].strip():
                body.pop()
            out.extend(directive(name, inline(argument, resolve), options, body, resolve))
            i = k + 1
        elif fence:  # a plain code block: copied as it is
            k = i + 1
            while k < len(lines) and not lines[k].startswith(fence.group(1)):
                k += 1
            out.extend(lines[i:k + 1])
            i = k + 1
        elif LABEL_LINE.match(line):
            i += 1
        elif EQUATION_END.match(line):
            label = EQUATION_END.match(line).group(1)
            number = resolve("eq", label)
            tag = number.strip("()") if number else label
            out.extend([rf"\tag{{{tag}}}", "$$"])
            i += 1
        else:
            out.append(inline(line, resolve))
            i += 1
    return out


def to_markdown(source, resolve=lambda role, target: None):
    """``source`` (a MyST Markdown cell) as CommonMark; ``resolve(role, target)`` gives the text
    of a cross-reference, citation or glued value, or None when it does not know it."""
    lines = convert_lines(source.split("\n"), resolve)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
