"""Find the code that chapters mark with ``# @save`` and compare it with d2lutils.

A chapter shows a function to the reader and marks it ``# @save``; the same function
lives in ``d2lutils`` so later chapters can call it. Both copies must stay identical.
"""

import ast
import inspect
from pathlib import Path

import jupytext

MARK = "# @save"


def saved_definitions(md_path):
    """``(name, source)`` of every top-level function or class in ``# @save`` cells of a chapter."""
    notebook = jupytext.read(md_path, fmt="md:myst")
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or MARK not in cell.source:
            continue
        tree = ast.parse(cell.source)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.append((node.name, _segment_with_decorators(cell.source, node)))
    return found


def _segment_with_decorators(source, node):
    lines = source.splitlines()
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return "\n".join(lines[first - 1:node.end_lineno])


def package_saved_names(package_dir):
    """Names of the functions and classes in the package whose ``def`` line carries ``# @save``."""
    names = set()
    for path in Path(package_dir).glob("*.py"):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and MARK in lines[node.lineno - 1]:
                names.add(node.name)
    return names


def package_source(obj):
    """The source of a function or class as the package defines it."""
    return inspect.getsource(obj).rstrip("\n")
