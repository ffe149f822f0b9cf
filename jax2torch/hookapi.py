"""What a structural hook sees: the call, the row, and a context to build names and report.

A hook is a small function named by a rule row::

    @hook("jit")
    def jit(call, ctx):            # call: libcst.Call, or None for a bare reference (``@jax.jit``)
        ...
        return new_expression       # or raise GiveUp("why it cannot be rewritten safely")

Hooks never edit imports and never print: ``ctx.ref("torch.func.vmap")`` builds the expression
and records the import; ``ctx.note(...)`` records a finding. Pattern hooks (rows with
``methods = [...]``) may also return ``None``: "not my pattern", the call is left untouched.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import libcst as cst

from jax2torch.findings import Severity

HookFn = Callable[["cst.Call | None", "HookContext"], "cst.BaseExpression | None"]
_REGISTRY: dict[str, HookFn] = {}

#: How a target root is imported and spelled in migrated code.
IMPORT_ALIASES = {"torch": ("torch", "torch"), "jax2torch_runtime": ("jax2torch_runtime", "j2t")}


#: A hook's answer in decorator position (``@jax.jit``): remove the decorator.
REMOVE = object()


class GiveUp(Exception):
    """Raised by a hook that cannot rewrite safely; the engine leaves the code and reports.

    The finding carries the row's code unless ``code`` names an engine code (e.g. J2T0003).
    """

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


def hook(name: str) -> Callable[[HookFn], HookFn]:
    def register(fn: HookFn) -> HookFn:
        _REGISTRY[name] = fn
        return fn

    return register


def load_hooks(dirs: list[Path]) -> dict[str, HookFn]:
    """Import every ``*.py`` in the given folders (once per process) and return the registry."""
    for folder in dirs:
        for path in sorted(Path(folder).glob("*.py")):
            if path.name.startswith("_"):
                continue
            mod_name = f"jax2torch_hooks_{abs(hash(str(path.resolve())))}_{path.stem}"
            if mod_name in sys.modules:
                continue
            spec = importlib.util.spec_from_file_location(mod_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[mod_name] = module
            spec.loader.exec_module(module)
    return dict(_REGISTRY)


def dotted_expr(dotted: str) -> cst.BaseExpression:
    parts = dotted.split(".")
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def is_none(expr: cst.CSTNode) -> bool:
    """The literal ``None``."""
    return isinstance(expr, cst.Name) and expr.value == "None"


def dotted_name(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a pure Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


#: Element-wise comparisons and predicates: torch functions (after the inner rewrite) whose result is bool.
BOOLEAN_FUNCS = frozenset(f"torch.{name}" for name in (
    "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isclose",
    "isin", "logical_and", "logical_or", "logical_not", "logical_xor", "signbit"))
_ARRAY_COMPARISONS = (cst.Equal, cst.NotEqual, cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)


def is_boolean(node: cst.CSTNode) -> bool:
    """Plainly a boolean array: ``a == b`` (one comparison), ``~m`` / ``a & b`` of such, ``torch.isnan(x)``."""
    if isinstance(node, cst.Comparison):
        return len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, _ARRAY_COMPARISONS)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.BitInvert):
        return is_boolean(node.expression)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.BitAnd, cst.BitOr, cst.BitXor)):
        return is_boolean(node.left) and is_boolean(node.right)
    if isinstance(node, cst.Call):
        return dotted_name(node.func) in BOOLEAN_FUNCS
    return False


_ARRAY_ROOTS = ("torch", "j2t")
#: torch / runtime functions (rewritten from JAX) that surely return one array; many others return
#: tuples (``torch.split``, ``j2t.numpy.shape``, ``torch.sort``), which Python may reverse.
_ARRAY_FUNCS = frozenset({
    "sort", "argsort", "arange", "linspace", "logspace", "cumsum", "cumprod", "cat", "concatenate", "stack",
    "array", "asarray", "tensor", "as_tensor", "flatten", "ravel", "reshape", "abs", "exp", "log", "sqrt",
    "square", "sign", "diff", "convolve", "correlate", "zeros", "ones", "full", "eye", "diag", "diagonal",
    "squeeze", "unsqueeze", "expand_dims", "clip", "clamp", "roll", "flip", "take", "take_along_axis",
    "take_along_dim", "gather", "cos", "sin", "tanh", "sigmoid", "softmax", "log_softmax", "matmul", "dot",
    "einsum", "transpose", "permute", "maximum", "minimum", "arctan2", "atan2", "interp",
})


def is_array(node, ctx) -> bool:
    """Surely an array: the result of a torch / runtime call (already rewritten from JAX), a name
    bound only to such results (``idx = jnp.argsort(x)``), or a multi-axis index of anything."""
    if isinstance(node, cst.Name):
        return node.value in ctx.array_names
    if isinstance(node, cst.Subscript):
        return len(node.slice) > 1 or is_array(node.value, ctx)
    if not isinstance(node, cst.Call):
        return False
    name = dotted_name(node.func)
    if name is not None:
        return name.split(".")[0] in _ARRAY_ROOTS and name.rsplit(".", 1)[-1] in _ARRAY_FUNCS
    return isinstance(node.func, cst.Attribute) and is_array(node.func.value, ctx)  # ``torch.sort(x).values``...


@dataclass
class HookContext:
    """Per-site context handed to a hook (and used by the row rewriter itself)."""

    rule: object
    qualname: str
    options: object
    needed_roots: set = field(default_factory=set)
    notes: list = field(default_factory=list)
    resolve: Callable[[cst.CSTNode], "str | None"] = lambda node: None
    position: str = "call"  # "call" | "receiver" (``f(...).attr``) | "value" | "decorator"
    default: Callable[["cst.Call"], "cst.BaseExpression"] | None = None  # the row's generic rewrite
    arguments: Callable[["cst.Call"], list] | None = None  # the row's argument rewrite alone
    dropped: list = field(default_factory=list)  # argument expressions a rewrite removed
    is_number: Callable[[cst.CSTNode], bool] = lambda node: False  # plainly a Python number here?
    module_names: dict = field(default_factory=dict)  # module-level name -> "import:<qual>" | "jax:<qual>" | ...
    array_names: set = field(default_factory=set)  # local names bound only to JAX array results (``idx = jnp.argsort(x)``)

    def is_module(self, node: cst.CSTNode) -> bool:
        """``torch.sort`` / ``np.linalg`` / ``j2t.lax``: a dotted name rooted at an imported module."""
        path = dotted_name(node)
        if path is None:
            return False
        root = path.split(".")[0]
        bound = str(self.module_names.get(root, ""))
        return root in ("torch", "j2t") or bound.startswith(("import:", "jax:"))

    def ref(self, target: str) -> cst.BaseExpression:
        """Expression for a torch/runtime dotted name; records the import it needs."""
        root, _, rest = target.partition(".")
        module, alias = IMPORT_ALIASES.get(root, (root, root))
        self.needed_roots.add(root)
        return dotted_expr(alias + ("." + rest if rest else ""))

    def note(self, message: str, severity: Severity = Severity.WARNING) -> None:
        """Record a finding about a rewrite that was made (fixed=True)."""
        self.notes.append((severity, message))

    def option(self, name: str, default=None):
        return getattr(self.options, name, default)

    def qualified(self, node: cst.CSTNode) -> str | None:
        """The JAX qualified name of an expression in the same statement, if it is one."""
        return self.resolve(node)
