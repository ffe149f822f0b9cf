"""Pass 1 of name resolution: every scope of a module and what each name is bound to in it.

Python's rules, on the C-parsed ``ast``: module, class, function, lambda and comprehension scopes;
a name bound anywhere in a function is local throughout it; ``global`` redirects to the module.
A name bound by an import of a watched package gets a :class:`Binding`; any other binding is
``"other"`` (or ``"import:<module>"``), and two different bindings in one scope make it ambiguous.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from jax2torch.scalars import ast_is_number, ast_shape_names, ast_shape_unpack

AMBIGUOUS = "<ambiguous>"
#: A local name every assignment of which is a Python number (``d = x.shape[-1]``).
NUMBER = "number"
#: A local name every assignment of which is a NumPy value (``rng = np.random.default_rng(0)``,
#: ``data = rng.normal(size=3)``): its array methods are NumPy's and must not be rewritten.
NUMPY = "numpy"
#: A local name every assignment of which is the result of a JAX array function (``idx =
#: jnp.argsort(x)``): surely an array, so ``idx[::-1]`` is an array reversal.
ARRAY = "array"
_PLAIN = ("other", NUMBER, NUMPY, ARRAY)
#: JAX modules whose functions return arrays (a few exceptions below).
_ARRAY_MODULES = ("jax.numpy", "jax.random", "jax.lax", "jax.nn")
_NOT_ARRAYS = frozenset({
    "shape", "ndim", "size", "isscalar", "result_type", "dtype", "finfo", "iinfo", "promote_types",
    "issubdtype", "can_cast", "iscomplexobj", "isrealobj",
    # tuples or lists of arrays
    "split", "array_split", "hsplit", "vsplit", "dsplit", "meshgrid", "nonzero", "where", "unique",
    "unique_all", "unique_counts", "unique_inverse", "histogram", "histogram2d", "histogramdd", "frexp",
    "modf", "divmod", "broadcast_arrays", "tril_indices", "triu_indices", "tril_indices_from",
    "triu_indices_from", "diag_indices", "diag_indices_from", "mask_indices", "unravel_index", "ix_",
    "indices", "atleast_1d", "atleast_2d", "atleast_3d", "polyfit", "top_k", "sort_key_val", "scan",
    "while_loop", "fori_loop", "cond", "switch", "map", "associative_scan",
})

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
        elif old != value and old in _PLAIN and value in _PLAIN:
            self.bound[name] = "other"  # a number (or NumPy value) somewhere, something else elsewhere
        elif old is not value and old != value and not (
                isinstance(old, Binding) and isinstance(value, Binding) and old.qual == value.qual):
            self.bound[name] = AMBIGUOUS


def dotted(node) -> str | None:
    """``jnp.linalg.norm`` -> ``"jnp.linalg.norm"``: an attribute chain rooted at a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def is_numpy_binding(value) -> bool:
    """A name bound to NumPy: ``import numpy as np``, ``from numpy import random``, or NUMPY."""
    return value == NUMPY or (isinstance(value, str) and (value == "import:numpy" or value.startswith("import:numpy.")))


def is_numpy_rooted(node: ast.AST, lookup) -> bool:
    """``np.zeros(3)``, ``rng.normal(size=3)[0]``, ``data.T``: a call, attribute or subscript chain
    whose root is NumPy (a module function's result or a NumPy-valued name) is a NumPy value."""
    chained = False
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
        chained = True
    return chained and isinstance(node, ast.Name) and is_numpy_binding(lookup(node.id))


def _target_names(targets) -> list[str] | None:
    """``x = ...`` -> ``["x"]``, ``a, b = ...`` -> ``["a", "b"]``; None for any other target."""
    if len(targets) != 1:
        return None
    target = targets[0]
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple) and all(isinstance(t, ast.Name) for t in target.elts):
        return [t.id for t in target.elts]
    return None


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
        self._numbers_from_call_sites(tree)

    def _numbers_from_call_sites(self, tree):
        """A parameter of a module-level function that every call in the module passes a number
        (``he_init(key, shape, 9)``) holds a number: lifted like a local one. Functions also used
        as values (``jax.vmap(f)``) or called with ``*args`` / ``**kwargs`` are left alone."""
        module = self.scope
        functions = {stmt.name: stmt for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))}
        calls = {name: [] for name in functions}
        loads = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                calls[node.func.id].append(node)
            elif isinstance(node, ast.Name) and node.id in calls and isinstance(node.ctx, ast.Load):
                loads.append(node)
        called = {id(call.func) for sites in calls.values() for call in sites}
        for node in loads:
            if id(node) not in called:
                calls[node.id] = []  # used as a value: its arguments are not all visible
        literal = lambda node: ast_is_number(node, lambda name: module.bound.get(name) == NUMBER)
        for name, sites in calls.items():
            func = functions[name]
            if not sites or func.args.vararg or func.args.kwarg or any(
                    isinstance(a, ast.Starred) for c in sites for a in c.args) or any(k.arg is None for c in sites for k in c.keywords):
                continue
            scope = self.scopes[id(func)]
            params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
            for i, param in enumerate(params):
                given = [c.args[i] if i < len(c.args) else next((k.value for k in c.keywords if k.arg == param), None)
                         for c in sites]
                if all(g is not None and literal(g) for g in given) and scope.bound.get(param) == "other":
                    scope.bound[param] = NUMBER

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

    def _lookup(self, name: str):
        scope = self.scope
        while scope is not None:
            if name in scope.bound:
                return scope.bound[name]
            scope = scope.parent
        return None

    def _is_number_name(self, name: str) -> bool:
        return self._lookup(name) == NUMBER

    def _is_array_call(self, value) -> bool:
        """``jnp.argsort(x)``, ``jax.random.normal(k, s)``: a call of a watched JAX array function."""
        path = dotted(value.func) if isinstance(value, ast.Call) else None
        if path is None:
            return False
        root = path.split(".")[0]
        bound = self._lookup(root)
        if not isinstance(bound, Binding):
            return False
        module, _, name = (bound.qual + path[len(root):]).rpartition(".")
        return module in _ARRAY_MODULES and name not in _NOT_ARRAYS and not name[:1].isupper()

    def _bind_numpy(self, targets, value) -> bool:
        """``rng = np.random.default_rng(0)`` / ``a, b = np.meshgrid(...)``: NumPy-valued names."""
        names = _target_names(targets)
        if names is None or not is_numpy_rooted(value, self._lookup):
            return False
        return self._bind_visited(value, [(name, NUMPY) for name in names])

    def _bind_numbers(self, targets, value) -> bool:
        """``d = <number>`` / ``b, t, d = x.shape`` / ``alpha, beta = 1.0, 50.0``: the names holding
        numbers bind as numbers; False if the assignment has none of those shapes."""
        names = _target_names(targets)
        if names is None:
            return False
        target = targets[0]
        if isinstance(target, ast.Name) and ast_is_number(value, self._is_number_name):
            return self._bind_visited(value, [(target.id, NUMBER)])
        if isinstance(target, ast.Tuple) and ast_shape_unpack(value):
            return self._bind_visited(value, [(name, NUMBER) for name in names])
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(names) == len(value.elts):
            # the numbers among the pairs; the other names bind as usual
            kinds = [NUMBER if ast_is_number(v, self._is_number_name) else "other" for v in value.elts]
            if NUMBER in kinds:
                return self._bind_visited(value, list(zip(names, kinds)))
        return False

    def _bind_array(self, targets, value) -> bool:
        """``idx = jnp.argsort(x)``: a name bound to a JAX array function's result."""
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or not self._is_array_call(value):
            return False
        return self._bind_visited(value, [(targets[0].id, ARRAY)])

    def _bind_visited(self, value, pairs) -> bool:
        self.visit(value)
        for name, kind in pairs:
            self._bind(name, kind)
        return True

    def _bind_plain(self, targets, value) -> bool:
        """Numbers, NumPy values and JAX array results: the assignments the later passes use."""
        return self._bind_numbers(targets, value) or self._bind_numpy(targets, value) or self._bind_array(targets, value)

    def visit_Assign(self, node):
        if not self._bind_plain(node.targets, node.value):
            self.generic_visit(node)

    def visit_AnnAssign(self, node):
        if node.value is None or not self._bind_plain([node.target], node.value):
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
            for name in ast_shape_names(node):  # ``(din, dout)`` in a shape: ints wherever bound
                if self.scope.bound.get(name) == "other":
                    self.scope.bound[name] = NUMBER

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
