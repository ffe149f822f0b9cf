"""Imports are edited in one place, once, after every unit has been rewritten.

Rules only *ask* for roots (``torch``, ``jax2torch_runtime``) and report how many references to
each JAX import they rewrote away; this module drops the JAX aliases that no longer have a use,
keeps comments that sat above a removed line, and adds the needed imports where the first JAX
import was (else after the docstring and ``from __future__`` imports).
"""

from __future__ import annotations

import ast

import libcst as cst

from jax2torch.hookapi import IMPORT_ALIASES


def prune_import(node, a: ast.stmt, remove: set):
    """Drop the aliases of one import statement whose bindings are in ``remove``; None if empty."""
    watched = [b for b in remove if b.stmt is a]
    if not watched:
        return node
    if isinstance(node.names, cst.ImportStar):
        return node
    keep = []
    for alias, ast_alias in zip(node.names, a.names):
        local = ast_alias.asname or (ast_alias.name.split(".")[0] if isinstance(a, ast.Import) else ast_alias.name)
        if not any(b.name == local for b in watched):
            keep.append(alias)
    if len(keep) == len(node.names):
        return node
    if not keep:
        return None
    keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=keep)


def import_line(root: str) -> cst.SimpleStatementLine:
    module, alias = IMPORT_ALIASES.get(root, (root, root))
    text = f"import {module}" + (f" as {alias}" if alias != module else "")
    return cst.parse_statement(text + "\n")


def missing_roots(roots: set, module_names: dict) -> tuple[list[str], list[str]]:
    """(roots to import, roots whose local name is taken by something else)."""
    add, clash = [], []
    for root in sorted(roots):
        module, alias = IMPORT_ALIASES.get(root, (root, root))
        bound = module_names.get(alias)
        if bound is None:
            add.append(root)
        elif bound != f"import:{module}":
            clash.append(root)
    return add, clash


def insertion_index(module: cst.Module, tree: ast.Module, import_ids: set) -> int | None:
    """Index in ``module.body`` of the first top-level line holding a JAX import, if any."""
    i = 0
    for index, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            k = len(stmt.body)
            if any(id(a) in import_ids for a in tree.body[i:i + k]):
                return index
            i += k
        else:
            i += 1
    return None


def after_preamble(module: cst.Module) -> int:
    index = 0
    for index, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            small = stmt.body[0]
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)) and index == 0:
                continue
            if isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__":
                continue
        return index
    return len(module.body)


def insert_imports(module: cst.Module, roots: list[str], index: int | None, leading=None) -> cst.Module:
    """Insert import lines at ``index``; ``leading`` are the lines above a JAX import removed there."""
    if not roots:
        return module
    body = list(module.body)
    lines = [import_line(r) for r in sorted(roots, key=lambda r: (r != "torch", r))]
    at_jax_import = index is not None
    if index is None:
        index = after_preamble(module)
    if leading is not None:
        lines[0] = lines[0].with_changes(leading_lines=leading)
    elif at_jax_import and index < len(body):
        nxt = body[index]
        lines[0] = lines[0].with_changes(leading_lines=nxt.leading_lines)
        body[index] = nxt.with_changes(leading_lines=[])
    body[index:index] = lines
    return module.with_changes(body=body)
