"""Find hidden checks that cannot fail because they test nothing the section computed.

A hidden check (a code cell tagged ``remove-cell``) asserts what the section claims about
the objects the section computed. An ``assert`` whose expression, followed back through the
assignments of its own cell, reaches no name that an earlier cell bound by computing
something (an assignment, a loop, a ``def``; imports do not count) tests only literals or
library calls made on the spot: ``assert round(math.log(10), 3) == 2.303``.
"""

import ast

import jupytext

HIDDEN_TAG = "remove-cell"
# ``get_ipython().last_execution_result.result`` is the value the previous cell showed.
PREVIOUS_OUTPUT = "<the previous cell's value>"


def _scoped_nodes(tree):
    """Nodes of ``tree`` outside function, class and lambda bodies (the cell's own scope)."""
    stack = list(ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _names(node, ctx=ast.Load):
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
    if ctx is ast.Load and any(isinstance(n, ast.Attribute) and n.attr == "last_execution_result"
                               for n in ast.walk(node)):
        names.add(PREVIOUS_OUTPUT)
    return names


def bound_names(tree):
    """Names a cell binds by computing something (not by importing)."""
    names = set()
    for node in _scoped_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _dependencies(tree):
    """name -> names read by the statements of this cell that bind it."""
    deps = {}

    def bind(targets, sources):
        for target in targets:
            for name in _names(target, ast.Store):
                deps.setdefault(name, set()).update(sources)

    for node in _scoped_nodes(tree):
        if isinstance(node, ast.Assign):
            bind(node.targets, _names(node.value))
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            bind([node.target], _names(node.value) | _names(node.target))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            bind([node.target], _names(node.iter))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    bind([item.optional_vars], _names(item.context_expr))
        elif isinstance(node, ast.NamedExpr):
            bind([node.target], _names(node.value))
        elif isinstance(node, ast.Try):
            # ``except E as err``: err comes from running the try block.
            tried = set().union(*(_names(stmt) for stmt in node.body))
            for handler in node.handlers:
                if handler.name:
                    deps.setdefault(handler.name, set()).update(tried)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name)):
            # ``shapes.append(X.shape)`` fills ``shapes`` with what it is given.
            deps.setdefault(node.func.value.id, set()).update(
                _names(ast.Tuple(elts=[*node.args, *(k.value for k in node.keywords)])))
    return deps


def _reached(names, deps):
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(deps.get(name, ()))
    return seen


def checks_testing_nothing(md_path):
    """``(cell number, assert source)`` of hidden asserts that reach no earlier computed name."""
    notebook = jupytext.read(md_path, fmt="md:myst")
    earlier, found, number = set(), [], -1
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics: nothing to check, nothing bound for us
            continue
        if HIDDEN_TAG in cell.metadata.get("tags", []):
            deps = _dependencies(tree)
            for node in _scoped_nodes(tree):
                if isinstance(node, ast.Assert) and not _reached(_names(node.test), deps) & earlier:
                    found.append((number, ast.get_source_segment(cell.source, node)))
        earlier |= bound_names(tree) | {PREVIOUS_OUTPUT}
    return found


if __name__ == "__main__":  # python -m tests.hidden_checks chapters/<part>/<x>.md ...
    import sys

    for path in sys.argv[1:]:
        for number, source in checks_testing_nothing(path):
            print(f"{path}::Cell {number}: {source}")
