"""Cheap name resolution on Python's C-parsed ``ast``: which names mean which JAX objects.

LibCST's QualifiedNameProvider costs about 4.5x a bare parse+codegen; this pass costs a fraction
of one parse. It follows Python's scoping (module, class, function, lambda, comprehension;
a name bound anywhere in a function is local throughout it) and records, per statement:

* ``sites``: every reference whose root name is bound by an import of a watched package,
  with its fully qualified dotted name (``jnp.linalg.norm`` -> ``jax.numpy.linalg.norm``);
* ``names``: for each root name used in the statement, what it resolves to there, so the
  LibCST rewriter can resolve spellings without redoing scope analysis;
* pattern candidates: calls of methods named by pattern rows (``x.at[i].set(v)``);
* ``numbers``: root names that hold plain Python numbers there (see :mod:`jax2torch.scalars`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from jax2torch.scopes import (
    AMBIGUOUS,
    ARRAY,
    NUMBER,
    Binder,
    Binding,
    dotted,
    is_numpy_binding,
    visit_comprehension_scope,
)

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPOUND_HEADER_FIELDS = {
    ast.FunctionDef: ("decorator_list", "args", "returns", "type_params"),
    ast.AsyncFunctionDef: ("decorator_list", "args", "returns", "type_params"),
    ast.ClassDef: ("decorator_list", "bases", "keywords", "type_params"),
    ast.If: ("test",), ast.While: ("test",),
    ast.For: ("target", "iter"), ast.AsyncFor: ("target", "iter"),
    ast.With: ("items",), ast.AsyncWith: ("items",),
    ast.Try: ("handlers",), ast.Match: ("subject", "cases"),
}
if hasattr(ast, "TryStar"):
    _COMPOUND_HEADER_FIELDS[ast.TryStar] = ("handlers",)


@dataclass
class Site:
    qual: str
    binding: Binding
    line: int
    col: int
    is_call: bool


@dataclass
class UnitInfo:
    stmt: ast.stmt
    names: dict = field(default_factory=dict)   # root name -> Binding | None | AMBIGUOUS
    sites: list = field(default_factory=list)
    patterns: int = 0
    numbers: set = field(default_factory=set)   # root names that hold Python numbers here
    numpy_names: set = field(default_factory=set)  # root names that are NumPy (module or values) here
    pattern_spots: dict = field(default_factory=dict)  # ".method" / "[]" -> [(line, col)] in post-order
    array_names: set = field(default_factory=set)  # root names bound only to JAX array results here


@dataclass
class Analysis:
    bindings: list
    units: dict                 # id(stmt) -> UnitInfo (statements with sites or patterns)
    import_stmts: dict          # id(stmt) -> [Binding] for import statements binding watched names
    module_names: dict          # module-level name -> "jax:<qual>" | "import:<qual>" | "other" | AMBIGUOUS
    ambiguous_imports: list     # Bindings whose name is also bound otherwise in the same scope
    star_imports: list          # (line, module) for ``from jax import *``
    tree_parents: set           # ids of compound statements containing interesting statements


def has_step(node: ast.Subscript) -> bool:
    """``x[::2]``, ``x[:, ::-1]``: a subscript with a slice that gives a step."""
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    return any(isinstance(part, ast.Slice) and part.step is not None for part in parts)


class _Resolver(ast.NodeVisitor):
    """Pass 2: resolve every load of a name and attribute each site to its statement unit."""

    def __init__(self, binder: Binder, pattern_methods: frozenset, pattern_attributes: frozenset = frozenset()):
        self.scopes = binder.scopes
        self.pattern_methods = pattern_methods
        self.pattern_attributes = pattern_attributes
        self.units: dict[int, UnitInfo] = {}
        self.scope = None
        self.stmt = None
        self.call_funcs: set[int] = set()

    def lookup(self, name):
        scope = self.scope
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bound:
                if name in scope.globals and scope.parent is not None:
                    break
                return scope.bound[name]
            first = False
            scope = scope.parent
        root = self.scope
        while root.parent is not None:
            root = root.parent
        return root.bound.get(name)

    def unit(self) -> UnitInfo:
        info = self.units.get(id(self.stmt))
        if info is None:
            info = self.units[id(self.stmt)] = UnitInfo(self.stmt)
        return info

    def run(self, tree):
        self.scope = self.scopes[id(tree)]
        for stmt in tree.body:
            self.visit(stmt)

    def _note_name(self, name, value):
        if isinstance(value, Binding) or value == AMBIGUOUS:
            unit = self.unit()
            old = unit.names.get(name, value)
            unit.names[name] = value if old is value else AMBIGUOUS
        elif self.stmt is not None and id(self.stmt) in self.units and name in self.units[id(self.stmt)].names:
            self.units[id(self.stmt)].names[name] = AMBIGUOUS

    def _reference(self, node, name_path: str):
        root = name_path.split(".")[0]
        value = self.lookup(root)
        if value == NUMBER:
            self.unit().numbers.add(root)
            return
        if is_numpy_binding(value):
            self.unit().numpy_names.add(root)
        elif value == ARRAY:
            self.unit().array_names.add(root)
        self._note_name(root, value)
        if isinstance(value, Binding):
            value.refs += 1
            qual = value.qual + name_path[len(root):]
            self.unit().sites.append(Site(qual, value, node.lineno, node.col_offset, id(node) in self.call_funcs))

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self._reference(node, node.id)
        else:
            self._note_name(node.id, "other")

    def _pattern(self, key, line, col):
        """A pattern candidate; its position is kept so the finding points at it. Recorded after
        the node's children, i.e. in the post-order in which the rewriter leaves the same nodes."""
        unit = self.unit()
        unit.patterns += 1
        unit.pattern_spots.setdefault(key, []).append((line, col))

    def visit_Attribute(self, node):
        path = dotted(node)
        if path is None:
            self.visit(node.value)
        else:
            self._reference(node, path)
        if node.attr in self.pattern_attributes and isinstance(node.ctx, ast.Load) and id(node) not in self.call_funcs:
            # ``x.size``: an attribute read a pattern row rewrites
            self._pattern("." + node.attr, node.end_lineno, node.end_col_offset - len(node.attr))

    def visit_Subscript(self, node):
        self.generic_visit(node)
        # ``x[:, ::-1]`` is ``x.__getitem__(...)``: a pattern candidate when it slices with a step
        if "__getitem__" in self.pattern_methods and has_step(node):
            self._pattern("[]", node.lineno, node.col_offset)

    def visit_Call(self, node):
        func = node.func
        self.call_funcs.add(id(func))
        self.generic_visit(node)
        if isinstance(func, ast.Attribute) and func.attr in self.pattern_methods:
            self._pattern("." + func.attr, func.end_lineno, func.end_col_offset - len(func.attr))

    def generic_visit(self, node):
        if isinstance(node, ast.stmt):
            self._visit_stmt(node)
        elif isinstance(node, _SCOPES) and id(node) in self.scopes:
            self._visit_scope(node)
        else:
            super().generic_visit(node)

    def visit_Import(self, node):
        pass

    visit_ImportFrom = visit_Import

    def _visit_stmt(self, node):
        outer = self.stmt
        self.stmt = node
        header = _COMPOUND_HEADER_FIELDS.get(type(node))
        if header is None:
            ast.NodeVisitor.generic_visit(self, node)
        else:
            scope_node = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            for name in header:
                value = getattr(node, name, None)
                if name == "args" and value is not None:
                    self._visit_defaults(value)
                    continue
                for child in value if isinstance(value, list) else [value] if value else []:
                    self.visit(child)
            if scope_node:
                self._visit_scope(node)
            else:
                for name in ("body", "orelse", "finalbody"):
                    for child in getattr(node, name, []) or []:
                        self.visit(child)
                for handler in getattr(node, "handlers", []) or []:
                    for child in handler.body:
                        self.visit(child)
                for case in getattr(node, "cases", []) or []:
                    for child in case.body:
                        self.visit(child)
        self.stmt = outer

    def _visit_defaults(self, args):
        for default in [*args.defaults, *[d for d in args.kw_defaults if d]]:
            self.visit(default)
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def visit_ExceptHandler(self, node):
        if node.type is not None:
            self.visit(node.type)

    def visit_match_case(self, node):
        self.visit(node.pattern)
        if node.guard is not None:
            self.visit(node.guard)

    def _visit_scope(self, node):
        outer = self.scope
        self.scope = self.scopes[id(node)]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for stmt in node.body:
                self.visit(stmt)
        elif isinstance(node, ast.Lambda):
            self.visit(node.body)
        else:
            visit_comprehension_scope(self, node)
        self.scope = outer
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            self.visit(node.generators[0].iter)

    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_scope


def _parents_of_interest(tree, interesting: set[int]) -> set[int]:
    """Ids of compound statements that contain an interesting statement (to prune the rebuild)."""
    parents: set[int] = set()

    def walk(stmts, chain):
        for stmt in stmts:
            if id(stmt) in interesting:
                parents.update(chain)
            children = []
            for name in ("body", "orelse", "finalbody"):
                children += getattr(stmt, name, []) or []
            for handler in getattr(stmt, "handlers", []) or []:
                children += handler.body
            for case in getattr(stmt, "cases", []) or []:
                children += case.body
            if children:
                walk(children, chain + [id(stmt)])

    walk(tree.body, [])
    return parents


def analyse(tree: ast.Module, watched: tuple[str, ...], pattern_methods: frozenset,
            pattern_attributes: frozenset = frozenset()) -> Analysis:
    binder = Binder(watched)
    binder.run(tree)
    module_scope = binder.scopes[id(tree)]
    ambiguous = [b for b in binder.bindings if b.scope.bound.get(b.name) == AMBIGUOUS]
    resolver = _Resolver(binder, pattern_methods if binder.bindings else frozenset(),
                         pattern_attributes if binder.bindings else frozenset())
    resolver.run(tree)
    units = {k: u for k, u in resolver.units.items() if u.sites or u.patterns}
    interesting = set(units) | set(binder.import_stmts)
    module_names = {
        name: ("jax:" + value.qual if isinstance(value, Binding) else str(value))
        for name, value in module_scope.bound.items()
    }
    return Analysis(binder.bindings, units, binder.import_stmts, module_names, ambiguous,
                    binder.star_imports, _parents_of_interest(tree, interesting))

