"""Pass 1 of name resolution: every scope of a module and what each name is bound to in it.

Python's rules, on the C-parsed ``ast``: module, class, function, lambda and comprehension scopes;
a name bound anywhere in a function is local throughout it; ``global`` redirects to the module.
A name bound by an import of a watched package gets a :class:`Binding`; any other binding is
``"other"`` (or ``"import:<module>"``), and two different bindings in one scope make it ambiguous.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from jax2torch.scalars import ast_is_number, ast_shape_unpack

AMBIGUOUS = "<ambiguous>"
#: A local name every assignment of which is a Python number (``d = x.shape[-1]``).
NUMBER = "number"

@dataclass(eq=False)
class Binding:
    """A name bound by an import of a watched package."""

    name: str
    qual: str
    stmt: ast.stmt
    refs: int = 0
    scope: object = None



class _Scope:
    def __init__(self, node, parent):
        self.node, self.parent = node, parent
        self.kind = "class" if isinstance(node, ast.ClassDef) else ("module" if parent is None else "function")
        self.bound: dict[str, object] = {}   # name -> Binding | "other" | NUMBER | AMBIGUOUS
        self.globals: set[str] = set()

    def bind(self, name: str, value) -> None:
        old = self.bound.get(name)
        if old is None:
            self.bound[name] = value
        elif {old, value} == {"other", NUMBER}:
            self.bound[name] = "other"  # a number somewhere, something else elsewhere
        elif old is not value and old != value and not (
                isinstance(old, Binding) and isinstance(value, Binding) and old.qual == value.qual):
            self.bound[name] = AMBIGUOUS


def _watched_qual(module: str, watched: tuple[str, ...]) -> bool:
    return any(module == w or module.startswith(w + ".") for w in watched)


class Binder(ast.NodeVisitor):
    """Pass 1: every scope and what each name is bound to in it."""

    def __init__(self, watched):
        self.watched = watched
        self.scopes: dict[int, _Scope] = {}
        self.bindings: list[Binding] = []
        self.import_stmts: dict[int, list[Binding]] = {}
        self.star_imports: list = []
        self.scope: _Scope | None = None

    def run(self, tree):
        self.scope = self.scopes[id(tree)] = _Scope(tree, None)
        self.generic_visit(tree)

    def _bind(self, name, value):
        scope = self.scope
        if name in scope.globals:
            while scope.parent is not None:
                scope = scope.parent
        scope.bind(name, value)
        return scope

    def _enter(self, node, visit_inside):
        outer = self.scope
        self.scope = self.scopes[id(node)] = _Scope(node, outer)
        visit_inside()
        self.scope = outer

    def _import_binding(self, stmt, name, qual):
        binding = Binding(name, qual, stmt)
        self.bindings.append(binding)
        self.import_stmts.setdefault(id(stmt), []).append(binding)
        binding.scope = self._bind(name, binding)

    def visit_Import(self, node):
        for alias in node.names:
            if _watched_qual(alias.name, self.watched):
                if alias.asname:
                    self._import_binding(node, alias.asname, alias.name)
                else:
                    root = alias.name.split(".")[0]
                    self._import_binding(node, root, root)
            elif alias.asname:
                self._bind(alias.asname, "import:" + alias.name)
            else:
                self._bind(alias.name.split(".")[0], "import:" + alias.name.split(".")[0])

    def visit_ImportFrom(self, node):
        module = node.module or ""
        watched = node.level == 0 and _watched_qual(module, self.watched)
        for alias in node.names:
            if alias.name == "*":
                if watched:
                    self.star_imports.append((node.lineno, module))
                continue
            if watched:
                self._import_binding(node, alias.asname or alias.name, f"{module}.{alias.name}")
            else:
                self._bind(alias.asname or alias.name, f"import:{module}.{alias.name}")

    def visit_Global(self, node):
        self.scope.globals.update(node.names)

    def visit_Name(self, node):
        if not isinstance(node.ctx, ast.Load):
            self._bind(node.id, "other")

    def _is_number_name(self, name: str) -> bool:
        scope = self.scope
        while scope is not None:
            if name in scope.bound:
                return scope.bound[name] == NUMBER
            scope = scope.parent
        return False

    def _bind_numbers(self, targets, value) -> bool:
        """``d = <number>`` / ``b, t, d = x.shape``: bind the names as numbers; False if not that shape."""
        if len(targets) != 1:
            return False
        target = targets[0]
        if isinstance(target, ast.Name) and ast_is_number(value, self._is_number_name):
            names = [target.id]
        elif isinstance(target, ast.Tuple) and all(isinstance(t, ast.Name) for t in target.elts) \
                and ast_shape_unpack(value):
            names = [t.id for t in target.elts]
        else:
            return False
        self.visit(value)
        for name in names:
            self._bind(name, NUMBER)
        return True

    def visit_Assign(self, node):
        if not self._bind_numbers(node.targets, node.value):
            self.generic_visit(node)

    def visit_AnnAssign(self, node):
        if node.value is None or not self._bind_numbers([node.target], node.value):
            self.generic_visit(node)
        else:
            self.visit(node.annotation)

    def visit_AugAssign(self, node):
        if not (isinstance(node.target, ast.Name) and self._is_number_name(node.target.id)
                and ast_is_number(node.value, self._is_number_name)):
            self.generic_visit(node)
        else:
            self.visit(node.value)

    def visit_arg(self, node):
        self._bind(node.arg, "other")
        if node.annotation:
            self.visit(node.annotation)

    def visit_ExceptHandler(self, node):
        if node.name:
            self._bind(node.name, "other")
        self.generic_visit(node)

    def _visit_match_name(self, node, name):
        if name:
            self._bind(name, "other")
        self.generic_visit(node)

    def visit_MatchAs(self, node):
        self._visit_match_name(node, node.name)

    def visit_MatchStar(self, node):
        self._visit_match_name(node, node.name)

    def visit_MatchMapping(self, node):
        self._visit_match_name(node, node.rest)

    def _visit_function(self, node):
        self._bind(node.name, "other")
        for deco in node.decorator_list:
            self.visit(deco)
        for default in [*node.args.defaults, *[d for d in node.args.kw_defaults if d]]:
            self.visit(default)
        if node.returns:
            self.visit(node.returns)

        def inside():
            self.visit(node.args)
            for stmt in node.body:
                self.visit(stmt)

        self._enter(node, inside)

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def visit_arguments(self, node):
        for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs, node.vararg, node.kwarg]:
            if arg is not None:
                self.visit_arg(arg)
        positional = [*node.posonlyargs, *node.args]
        defaults = [*zip(positional[len(positional) - len(node.defaults):], node.defaults),
                    *zip(node.kwonlyargs, node.kw_defaults)]
        for arg, default in defaults:  # ``eps=1e-6``: a number unless the function rebinds it
            if default is not None and isinstance(default, ast.Constant) and type(default.value) in (int, float):
                if self.scope.bound.get(arg.arg) == "other":
                    self.scope.bound[arg.arg] = NUMBER

    def visit_Lambda(self, node):
        for default in [*node.args.defaults, *[d for d in node.args.kw_defaults if d]]:
            self.visit(default)
        self._enter(node, lambda: (self.visit(node.args), self.visit(node.body)))

    def visit_ClassDef(self, node):
        self._bind(node.name, "other")
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(child)
        self._enter(node, lambda: [self.visit(s) for s in node.body])

    def _visit_comp(self, node):
        self.visit(node.generators[0].iter)
        self._enter(node, lambda: visit_comprehension_scope(self, node))

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comp


def visit_comprehension_scope(visitor: ast.NodeVisitor, node) -> None:
    """What runs inside a comprehension's own scope: every target, later iterables, conditions, results.

    The first iterable is evaluated in the enclosing scope; callers visit it themselves.
    """
    for i, gen in enumerate(node.generators):
        visitor.visit(gen.target)
        if i:
            visitor.visit(gen.iter)
        for cond in gen.ifs:
            visitor.visit(cond)
    for part in ("elt", "key", "value"):
        if hasattr(node, part):
            visitor.visit(getattr(node, part))
