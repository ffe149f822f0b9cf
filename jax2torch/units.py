"""Walk a LibCST module and its ``ast`` twin statement by statement, rebuilding only what changes.

A *unit* is a small statement (one of ``a; b`` on a line) or a compound statement's header
(``for x in ...:``, decorators, ``def`` defaults). The ``ast`` pass says which units hold JAX
references; this walker pairs each ``ast`` statement with its LibCST node, calls the rewriter on
the interesting ones only, and leaves every other subtree as the very same object. That keeps the
cost of a file close to one parse + one codegen, whatever its size.
"""

from __future__ import annotations

import ast
import re
from typing import Callable

import libcst as cst

# fn(node, ast_stmt, kind) -> (new node or None to remove, [todo texts] or None to keep the comment);
# kind: "small" | "header"
UnitFn = Callable[[cst.CSTNode, ast.stmt, str], "tuple[cst.CSTNode | None, list[str]]"]

TODO_PREFIX = "TODO(jax2torch): "


_TODO_SPLIT = re.compile(r"\s*#\s*(?=TODO\(jax2torch\): )")


def with_todos(ws: cst.TrailingWhitespace, todos: list[str]) -> cst.TrailingWhitespace:
    """Make the line's ``# TODO(jax2torch): ...`` texts exactly ``todos``.

    The user's own comment text is kept; TODOs from an earlier run that no longer apply (the rule
    table learnt to rewrite the construct) are removed, so a second run converges.
    """
    existing = ws.comment.value if ws.comment else ""
    parts = _TODO_SPLIT.split(existing) if existing else [""]
    head = parts[0]
    wanted = [TODO_PREFIX + t for t in dict.fromkeys(todos)]
    if parts[1:] == wanted:
        return ws
    if head and wanted:
        text = head + "".join("  # " + t for t in wanted)
    elif head:
        text = head
    elif wanted:
        text = "# " + "  # ".join(wanted)
    else:
        return ws.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
    spacing = ws.whitespace if ws.comment else cst.SimpleWhitespace("  ")
    return ws.with_changes(whitespace=spacing, comment=cst.Comment(text))


class UnitWalker:
    def __init__(self, interesting: set[int], parents: set[int], fn: UnitFn, no_carry: int = 0):
        self.interesting, self.parents, self.fn = interesting, parents, fn
        # Leading lines (comments, blank lines) of a removed line move to the next statement,
        # except for ``no_carry``: the line the engine's new imports will take the place of.
        self.no_carry = no_carry
        self.removed: dict[int, tuple] = {}

    def module(self, module: cst.Module, tree: ast.Module) -> cst.Module:
        body = self.block(module.body, tree.body)
        return module if body is None else module.with_changes(body=body)

    def block(self, stmts, asts, nested: bool = False) -> list | None:
        """New statement list, or None when nothing in it changed.

        In a nested block, a statement that becomes first after the removal of the ones above it
        loses its leading blank lines (comments stay), so a body does not start with a gap.
        """
        out, changed, i, pending, removed_any = [], False, 0, [], False
        for stmt in stmts:
            if isinstance(stmt, cst.SimpleStatementLine):
                k = len(stmt.body)
                new = self.simple_line(stmt, asts[i:i + k])
                i += k
            else:
                new = self.compound(stmt, asts[i])
                i += 1
            if new is not stmt:
                changed = True
            if new is None:
                removed_any = True
                self.removed[id(stmt)] = tuple(stmt.leading_lines)
                if id(stmt) != self.no_carry:
                    pending += stmt.leading_lines
                continue
            first_after_removal = nested and not out and removed_any
            if pending or first_after_removal:
                lines = [*pending, *new.leading_lines]
                if first_after_removal:
                    lines = [line for line in lines if line.comment is not None]
                new = new.with_changes(leading_lines=lines)
                pending = []
            out.append(new)
        return out if changed else None

    def smalls(self, smalls, asts):
        """Rewrite small statements; returns (new list or None if unchanged, todos)."""
        out, todos, changed = [], None, False
        for small, a in zip(smalls, asts):
            if id(a) in self.interesting:
                new, unit_todos = self.fn(small, a, "small")
                if unit_todos is not None:  # None: leave the line's comment alone
                    todos = (todos or []) + unit_todos
            else:
                new = small
            if new is not small:
                changed = True
            if new is not None:
                out.append(new)
        if changed and out:
            # the last statement on a line must not keep a dangling semicolon
            last = out[-1]
            if not isinstance(last.semicolon, cst.MaybeSentinel) and len(out) < len(smalls):
                out[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return (out if changed else None), todos

    def simple_line(self, line: cst.SimpleStatementLine, asts):
        if not any(id(a) in self.interesting for a in asts):
            return line
        body, todos = self.smalls(line.body, asts)
        if body is not None and not body:
            return None
        new = line if body is None else line.with_changes(body=body)
        if todos is not None:
            ws = with_todos(new.trailing_whitespace, todos)
            if ws is not new.trailing_whitespace:
                new = new.with_changes(trailing_whitespace=ws)
        return new

    def suite(self, suite, asts):
        if isinstance(suite, cst.IndentedBlock):
            body = self.block(suite.body, asts, nested=True)
            if body is None:
                return suite
            return suite.with_changes(body=body or [cst.SimpleStatementLine([cst.Pass()])])
        body, todos = self.smalls(suite.body, asts)
        new = suite if body is None else suite.with_changes(body=body or [cst.Pass()])
        if todos is not None:
            ws = with_todos(new.trailing_whitespace, todos)
            if ws is not new.trailing_whitespace:
                new = new.with_changes(trailing_whitespace=ws)
        return new

    def compound(self, stmt, a: ast.stmt):
        if id(a) not in self.parents and id(a) not in self.interesting:
            return stmt
        new, todos = stmt, None
        if id(a) in self.interesting:
            new, todos = self.fn(stmt, a, "header")
        changes = {}
        if isinstance(new, cst.Match):
            body = None
        else:
            body = self.suite(new.body, a.body)
            if body is not new.body:
                changes["body"] = body
        if todos is not None and not isinstance(new, cst.Match):  # a match header has no comment slot
            body = changes.get("body", new.body)
            if isinstance(body, cst.IndentedBlock):
                ws = with_todos(body.header, todos)
                if ws is not body.header:
                    changes["body"] = body.with_changes(header=ws)
            else:
                ws = with_todos(body.trailing_whitespace, todos)
                if ws is not body.trailing_whitespace:
                    changes["body"] = body.with_changes(trailing_whitespace=ws)
        orelse = getattr(new, "orelse", None)
        if isinstance(orelse, cst.If):
            new_orelse = self.compound(orelse, a.orelse[0])
        elif isinstance(orelse, cst.Else):
            new_orelse = orelse.with_changes(body=self.suite(orelse.body, a.orelse))
            new_orelse = orelse if new_orelse.body is orelse.body else new_orelse
        else:
            new_orelse = orelse
        if new_orelse is not orelse:
            changes["orelse"] = new_orelse
        if isinstance(new, (cst.Try, getattr(cst, "TryStar", cst.Try))):
            handlers = [h.with_changes(body=self.suite(h.body, ah.body)) for h, ah in zip(new.handlers, a.handlers)]
            if any(h.body is not old.body for h, old in zip(handlers, new.handlers)):
                changes["handlers"] = handlers
            if new.finalbody is not None:
                fb = self.suite(new.finalbody.body, a.finalbody)
                if fb is not new.finalbody.body:
                    changes["finalbody"] = new.finalbody.with_changes(body=fb)
        if isinstance(new, cst.Match):
            cases = [c.with_changes(body=self.suite(c.body, ac.body)) for c, ac in zip(new.cases, a.cases)]
            if any(c.body is not old.body for c, old in zip(cases, new.cases)):
                changes["cases"] = cases
        return new.with_changes(**changes) if changes else new
