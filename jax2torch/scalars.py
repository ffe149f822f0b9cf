"""Which expressions are plainly Python numbers (``2.0``, ``x.shape[-1]``, ``len(xs) - 1``).

``jnp`` functions take Python numbers where most ``torch`` functions need tensors:
``jnp.sqrt(d)`` works, ``torch.sqrt(d)`` raises. Rows list the arguments JAX lets be numbers
(``lift``); the rewrite wraps such an argument in ``torch.as_tensor(...)`` when it can see that
it is a number. Wrapping is always value-preserving (``as_tensor`` of a tensor returns it), so
this only decides where the extra call is worth writing; it need not be a proof.

The same small grammar is read on both trees the engine uses: Python's ``ast`` (to learn which
local names hold numbers, in the binding pass) and LibCST (at the call being rewritten).
"""

from __future__ import annotations

import ast
from typing import Callable

import libcst as cst

#: Builtins whose result is a Python number.
NUMBER_FUNCS = frozenset({"int", "float", "len", "abs", "round", "min", "max", "sum"})
#: Array attributes that are Python ints in JAX and in torch.
INT_ATTRS = frozenset({"ndim"})
#: ``math.pi``, ``jnp.pi``, ``torch.inf``...: module constants that are Python floats.
CONSTANTS = frozenset({"pi", "e", "inf", "nan", "euler_gamma", "tau"})


def ast_is_number(node: ast.AST, is_number_name: Callable[[str], bool]) -> bool:
    """``node`` (Python ``ast``) evaluates to a Python number."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return ast_is_number(node.operand, is_number_name)
    if isinstance(node, ast.BinOp):
        left, right = ast_is_number(node.left, is_number_name), ast_is_number(node.right, is_number_name)
        return (left and right) or (left and _ast_named_number(node.left) and isinstance(node.right, (ast.Name, ast.Attribute))) \
            or (right and _ast_named_number(node.right) and isinstance(node.left, (ast.Name, ast.Attribute)))
    if isinstance(node, ast.Name):
        return is_number_name(node.id)
    if isinstance(node, ast.Attribute):
        return node.attr in INT_ATTRS or (node.attr in CONSTANTS and isinstance(node.value, ast.Name))
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Attribute) and node.value.attr == "shape" and not isinstance(node.slice, ast.Slice)
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in NUMBER_FUNCS and not node.keywords \
            and (node.func.id in ("len", "int", "float") or all(ast_is_number(a, is_number_name) for a in node.args))
    return False


def _ast_named_number(node) -> bool:
    """A number that is not a bare literal (``d``, ``x.shape[0]``, ``len(xs)``): combined with an
    unknown name (``d // heads``) it is most likely a number too, and wrapping a tensor is harmless."""
    return not isinstance(node, (ast.Constant, ast.UnaryOp))


def ast_shape_unpack(node: ast.AST) -> bool:
    """``x.shape`` (or ``x.shape[1:]``): a tuple of ints, e.g. ``b, t, d = x.shape``."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        node = node.value
    return isinstance(node, ast.Attribute) and node.attr == "shape"


def cst_is_number(node: cst.CSTNode, is_number_name: Callable[[str], bool]) -> bool:
    """``node`` (LibCST) evaluates to a Python number; the same grammar as :func:`ast_is_number`."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return cst_is_number(node.expression, is_number_name)
    if isinstance(node, cst.BinaryOperation):
        left, right = cst_is_number(node.left, is_number_name), cst_is_number(node.right, is_number_name)
        return (left and right) or (left and _cst_named_number(node.left) and isinstance(node.right, (cst.Name, cst.Attribute))) \
            or (right and _cst_named_number(node.right) and isinstance(node.left, (cst.Name, cst.Attribute)))
    if isinstance(node, cst.Name):
        return is_number_name(node.value)
    if isinstance(node, cst.Attribute):
        return node.attr.value in INT_ATTRS or (node.attr.value in CONSTANTS and isinstance(node.value, cst.Name))
    if isinstance(node, cst.Subscript):
        return (isinstance(node.value, cst.Attribute) and node.value.attr.value == "shape"
                and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index))
    if isinstance(node, cst.Call):
        func = node.func
        return (isinstance(func, cst.Name) and func.value in NUMBER_FUNCS
                and all(a.keyword is None and not a.star for a in node.args)
                and (func.value in ("len", "int", "float")
                     or all(cst_is_number(a.value, is_number_name) for a in node.args)))
    return False


def _cst_named_number(node) -> bool:
    """LibCST twin of :func:`_ast_named_number`."""
    return not isinstance(node, (cst.Integer, cst.Float, cst.UnaryOperation))


#: Calls whose tuple arguments (or ``shape=``) are shapes: every name in one is a Python int.
SHAPE_FUNCS = frozenset({
    "zeros", "ones", "empty", "full", "reshape", "broadcast_to", "tile", "normal", "uniform", "randint",
    "truncated_normal", "bernoulli", "gumbel", "laplace", "logistic", "cauchy", "exponential", "gamma",
    "beta", "rademacher", "choice", "permutation", "orthogonal", "categorical", "dirichlet",
})

#: Where a whole shape goes positionally (``jnp.zeros(shape)``, ``random.normal(key, shape)``).
WHOLE_SHAPE_AT = {"zeros": 0, "ones": 0, "empty": 0, "full": 0, "normal": 1, "uniform": 1, "randint": 1,
                  "gumbel": 1, "laplace": 1, "logistic": 1, "cauchy": 1, "exponential": 1, "rademacher": 1,
                  "orthogonal": 1, "bernoulli": 2, "choice": 2, "gamma": 2, "dirichlet": 2, "poisson": 2,
                  "truncated_normal": 3, "beta": 3, "categorical": 3}


def ast_shape_names(func: ast.AST) -> set[str]:
    """Names a function uses as shape entries, so Python ints there: ``jnp.zeros((din, dout))``,
    ``random.normal(key, (n, d))``, ``x.reshape(b, t, d)``, and ``fan_in, fan_out = shape`` when
    ``shape`` itself is passed as a shape (``random.normal(key, shape)``)."""
    ints, shapes, unpacks = set(), set(), []
    for node in ast.walk(func):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple)
                and isinstance(node.value, ast.Name)):
            unpacks.append(node)  # ``fan_in, fan_out = shape``: decided once every shape is known
            continue
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in SHAPE_FUNCS:
            continue
        for value in [*node.args, *(k.value for k in node.keywords if k.arg == "shape")]:
            if isinstance(value, (ast.Tuple, ast.List)):
                ints.update(e.id for e in value.elts if isinstance(e, ast.Name))
        if name == "reshape" and len(node.args) > 1:  # ``x.reshape(b, t, d)``
            ints.update(a.id for a in node.args if isinstance(a, ast.Name))
        whole = [k.value for k in node.keywords if k.arg == "shape"]
        if name in WHOLE_SHAPE_AT and len(node.args) > WHOLE_SHAPE_AT[name]:
            whole.append(node.args[WHOLE_SHAPE_AT[name]])
        shapes.update(v.id for v in whole if isinstance(v, ast.Name))  # unpacked entries are ints
    for node in unpacks:
        if node.value.id in shapes:
            ints.update(e.id for e in node.targets[0].elts if isinstance(e, ast.Name))
    return ints
