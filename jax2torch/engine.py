"""The migration engine: source text in, migrated text and findings out. Knows nothing about JAX.

Pipeline for one file: a substring check (files that never mention the watched package are
returned untouched), ``ast`` name resolution (:mod:`jax2torch.analysis`), a LibCST parse, the
rewrite of only the units that hold references (:mod:`jax2torch.units`, :mod:`jax2torch.rewrite`),
then one import edit (:mod:`jax2torch.imports`) and one codegen.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst

from jax2torch import imports
from jax2torch.analysis import analyse
from jax2torch.findings import Finding, Severity
from jax2torch.rewrite import HEADER_FIELDS, UnitRewriter
from jax2torch.ruletable import RuleTable
from jax2torch.units import UnitWalker

SUPPRESS_RE = re.compile(r"#\s*jax2torch:\s*ignore(?:\[([A-Z0-9, ]+)\])?")


class SourceError(Exception):
    """A file the engine cannot read as Python; the run reports it and goes on."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


@dataclass(frozen=True)
class Options:
    select: tuple = ()      # rule-code prefixes to apply; empty = all
    ignore: tuple = ()      # rule-code prefixes to skip
    jit: str = "drop"       # passed to hooks: how a transform like jit is rendered ("drop" | "compile")
    watched: tuple = ("jax",)

    def selected(self, code: str) -> bool:
        if self.select and not any(code.startswith(p) for p in self.select):
            return False
        return not any(code.startswith(p) for p in self.ignore)


@dataclass
class MigrationResult:
    text: str
    findings: list = field(default_factory=list)
    original: str = ""

    @property
    def changed(self) -> bool:
        return self.text != self.original


class Migrator:
    def __init__(self, table: RuleTable, options: Options = Options()):
        self.table, self.options = table, options

    def migrate_text(self, text: str, path: str = "<string>") -> MigrationResult:
        if not any(w in text for w in self.options.watched):
            return MigrationResult(text, [], text)
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            raise SourceError(path, f"syntax error{f' at line {line}' if line else ''}: {getattr(exc, 'msg', exc)}") from None
        analysis = analyse(tree, self.options.watched, self.table.pattern_methods, self.table.pattern_attributes)
        findings = [Finding("J2T0004", path, line, 0, Severity.ERROR, f"`from {mod} import *` cannot be migrated", False)
                    for line, mod in analysis.star_imports]
        if not analysis.units and not analysis.import_stmts:
            return MigrationResult(text, findings, text)
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            raise SourceError(path, f"syntax error at line {exc.raw_line}: {exc.message}") from None
        return _FileMigration(self, path, text, tree, module, analysis, findings).run()


class _FileMigration:
    """State for migrating one file (kept off the Migrator so workers can share one)."""

    def __init__(self, migrator, path, text, tree, module, analysis, findings):
        self.table, self.options = migrator.table, migrator.options
        self.path, self.text, self.tree, self.module = path, text, tree, module
        self.analysis, self.findings = analysis, findings
        self.lines = text.splitlines()
        self.consumed: dict = {}
        self.roots: set = set()

    def run(self) -> MigrationResult:
        an = self.analysis
        walker = UnitWalker(set(an.units), an.tree_parents, self.rewrite_unit)
        module = walker.module(self.module, self.tree)
        self._remove = self.removable_bindings()
        add, clash = imports.missing_roots(self.roots, an.module_names)
        for root in clash:
            self.add("J2T0006", 1, Severity.ERROR, f"the name for `{root}` is already used in this module; add the import by hand", False)
        index = imports.insertion_index(module, self.tree, set(an.import_stmts))
        no_carry = id(module.body[index]) if add and index is not None else 0
        pruner = UnitWalker(set(an.import_stmts), an.tree_parents, self.prune, no_carry=no_carry)
        module = pruner.module(module, self.tree)
        leading = pruner.removed.get(no_carry) if no_carry else None
        module = imports.insert_imports(module, add, index, leading)
        for b in an.ambiguous_imports:
            self.add("J2T0004", b.stmt.lineno, Severity.ERROR,
                     f"`{b.name}` is bound to `{b.qual}` and to something else in the same scope; left as it is", False)
        self.findings.sort(key=lambda f: (f.line, f.col, f.code))
        return MigrationResult(module.code if module is not self.module else self.text, self.findings, self.text)

    def add(self, code, line, severity, message, fixed, col=0, suppressed=False):
        self.findings.append(Finding(code, self.path, line, col, severity, message, fixed, suppressed))

    def suppressions(self, stmt) -> set | None:
        """Codes suppressed on the unit's lines: None (none), empty set (all), or the listed codes."""
        found = None
        for line in self.lines[stmt.lineno - 1:(stmt.end_lineno or stmt.lineno)]:
            match = SUPPRESS_RE.search(line)
            if match:
                codes = {c.strip() for c in (match.group(1) or "").split(",") if c.strip()}
                found = set() if not codes or found == set() else (found or set()) | codes
        return found

    def rewrite_unit(self, node, stmt, kind):
        unit = self.analysis.units[id(stmt)]
        suppressed = self.suppressions(stmt)

        def selected(code):
            if suppressed is not None and (not suppressed or any(code.startswith(c) for c in suppressed)):
                return False
            return self.options.selected(code)

        rewriter = UnitRewriter(unit, self.table, self.options, selected, self.analysis.module_names)
        if kind == "small":
            new = node.visit(rewriter)
        else:
            new = self.rewrite_header(node, rewriter)
        out = rewriter.out
        todos = []
        for code, line, col, severity, message, fixed in out.records:
            self.add(code, line, severity, message, fixed, col)
            if not fixed and severity is Severity.ERROR:
                todos.append(f"{code} {message}")
        if suppressed is not None:
            self.add("J2T0000", stmt.lineno, Severity.INFO, "suppressed by a `# jax2torch: ignore` comment", False, suppressed=True)
        for binding, n in out.consumed.items():
            self.consumed[binding] = self.consumed.get(binding, 0) + n
        self.roots |= out.roots
        return new, todos

    @staticmethod
    def rewrite_header(node, rewriter):
        changes = {}
        for name in HEADER_FIELDS.get(type(node), ()):
            value = getattr(node, name)
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                new = [v.visit(rewriter) for v in value]
                new = [v for v in new if not isinstance(v, cst.RemovalSentinel)]
                if any(a is not b for a, b in zip(new, value)) or len(new) != len(value):
                    changes[name] = new
            else:
                new = value.visit(rewriter)
                if new is not value:
                    changes[name] = new
        if isinstance(node, (cst.Try, getattr(cst, "TryStar", cst.Try))):
            handlers = [h.with_changes(type=h.type.visit(rewriter)) if h.type is not None else h for h in node.handlers]
            if any(a.type is not b.type for a, b in zip(handlers, node.handlers)):
                changes["handlers"] = handlers
        if isinstance(node, cst.Match):
            cases = [c.with_changes(pattern=c.pattern.visit(rewriter),
                                    guard=c.guard.visit(rewriter) if c.guard is not None else None) for c in node.cases]
            if any(a.pattern is not b.pattern or a.guard is not b.guard for a, b in zip(cases, node.cases)):
                changes["cases"] = cases
        return node.with_changes(**changes) if changes else node

    def removable_bindings(self) -> set:
        remove = set()
        self._import_todos: dict = {}
        for binding in self.analysis.bindings:
            if binding in self.analysis.ambiguous_imports:
                continue
            used = binding.refs
            left = used - self.consumed.get(binding, 0)
            if used and not left:
                remove.add(binding)
            elif not used:
                if binding.qual == "jax" or binding.qual in self.table.prefixes or binding.scope.kind != "module":
                    remove.add(binding)
                else:
                    message = f"`{binding.name}` ({binding.qual}) is imported but not used here (re-exported?)"
                    self.add("J2T0002", binding.stmt.lineno, Severity.ERROR, message, False)
                    self._import_todos.setdefault(id(binding.stmt), []).append("J2T0002 " + message)
        return remove

    def prune(self, node, stmt, kind):
        if kind != "small" or not isinstance(node, (cst.Import, cst.ImportFrom)):
            return node, None
        if self.suppressions(stmt) is not None:
            return node, None
        return imports.prune_import(node, stmt, self._remove), self._import_todos.get(id(stmt))
