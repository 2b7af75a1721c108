"""The networks of the modern-CNN sections, built by the sections' own code at their CPU settings.

Rather than a second copy of each network (which could drift from the book), the code is taken
from the chapter: its imports, function and class definitions, the statement ``net = ...``
that builds the net it trains, the assignments that statement needs, and the
``cpu=dict(...)`` settings given to ``d2l.choose_settings``. Nothing else of the chapter runs.
"""

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional as F

import d2lutils as d2l

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
CHAPTERS_BENCHED = ("alexnet", "vgg", "nin", "googlenet", "densenet")  # in modern-cnn/
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


class ChapterCodeError(ValueError):
    """The chapter's code does not have the shape this module reads."""


def chapter_statements(path):
    """The top-level statements of every code cell of a MyST notebook, in order."""
    statements = []
    for cell in CODE_CELL.findall(Path(path).read_text(encoding="utf-8")):
        # Cell options (":tags: [...]" lines or a "---" block) are not Python.
        lines = cell.splitlines()
        if lines and lines[0].strip() == "---":
            lines = lines[lines.index("---", 1) + 1:]
        code = "\n".join(line for line in lines if not line.startswith(":"))
        statements.extend(ast.parse(code).body)
    return statements


def cpu_settings(statements):
    """The literal ``cpu=dict(...)`` of the ``choose_settings`` call, and its position."""
    for i, node in enumerate(statements):
        for call in ast.walk(node):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "choose_settings"):
                cpu = next((k.value for k in call.keywords if k.arg == "cpu"), None)
                if cpu is None:
                    break
                return {k.arg: ast.literal_eval(k.value) for k in cpu.keywords}, i
    raise ChapterCodeError("no d2l.choose_settings(gpu=..., cpu=dict(...)) call")


def _assigned_name(node):
    if isinstance(node, ast.Assign) and len(node.targets) == 1 \
            and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _names_loaded(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def net_statement(statements, settings_at):
    """The first ``net = ...`` after the settings, else the last one before them."""
    nets = [i for i, node in enumerate(statements) if _assigned_name(node) == "net"]
    after = [i for i in nets if i > settings_at]
    if after:
        return after[0]
    if nets:
        return nets[-1]
    raise ChapterCodeError("no statement `net = ...`")


def load(chapter):
    """``(build, settings)``: a function that builds the chapter's net afresh, and its CPU
    settings (``batch_size``, ``lr``, ``num_epochs``, ``resize``, ...) as attributes."""
    path = CHAPTERS / "modern-cnn" / f"{chapter}.md"
    statements = chapter_statements(path)
    settings_dict, settings_at = cpu_settings(statements)
    net_at = net_statement(statements, settings_at)
    # The assignments the net statement needs, found backwards from it (transitively).
    needed, keep = _names_loaded(statements[net_at].value), []
    for node in reversed(statements[:net_at]):
        name = _assigned_name(node)
        if name is not None and name in needed and name != "settings":
            keep.append(node)
            needed |= _names_loaded(node.value)
            needed.discard(name)
    definitions = [node for node in statements[:net_at]
                   if isinstance(node, (ast.Import, ast.ImportFrom))
                   or isinstance(node, (ast.FunctionDef, ast.ClassDef))
                   and not node.name.startswith("_")]
    module = ast.Module(body=definitions + keep[::-1], type_ignores=[])
    settings = SimpleNamespace(**settings_dict)
    namespace = {"torch": torch, "nn": nn, "F": F, "d2l": d2l, "settings": settings}
    exec(compile(module, str(path), "exec"), namespace)
    net_code = compile(ast.Expression(statements[net_at].value), str(path), "eval")

    def build():
        return eval(net_code, dict(namespace))

    return build, settings
