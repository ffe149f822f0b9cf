"""``jnp.max(a[:, :, None] + b[None, :, :], axis=1)`` is a max-plus matrix product: route it to the
runtime's fused tropical matmul (no n^3 temporary). Anything else goes through the row's own rewrite.
"""

from __future__ import annotations

import libcst as cst

from jax2torch.hookapi import hook, is_none

TARGETS = {"jax.numpy.max": "jax2torch_runtime.tropical.matmul",
           "jax.numpy.min": "jax2torch_runtime.tropical.min_plus_matmul"}


def _slices(sub: cst.Subscript) -> list[str] | None:
    """The index pattern as tokens: ':' for a full slice, 'None' for a new axis."""
    out = []
    for element in sub.slice:
        item = element.slice
        if isinstance(item, cst.Slice) and item.lower is None and item.upper is None and item.step is None:
            out.append(":")
        elif isinstance(item, cst.Index) and is_none(item.value):
            out.append("None")
        else:
            return None
    return out


def _operands(expr):
    if not (isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add)):
        return None
    left, right = expr.left, expr.right
    if not (isinstance(left, cst.Subscript) and isinstance(right, cst.Subscript)):
        return None
    if _slices(left) != [":", ":", "None"] or _slices(right) not in (["None", ":", ":"], ["None"]):
        return None
    if not all(isinstance(s.value, (cst.Name, cst.Attribute)) for s in (left, right)):
        return None
    return left.value, right.value


def _axis_is_reduced_middle(call) -> bool:
    args = call.args
    if len(args) != 2:
        return False
    axis = args[1]
    if axis.keyword is not None and axis.keyword.value != "axis":
        return False
    value = axis.value
    if isinstance(value, cst.Integer):
        return value.value == "1"
    return (isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, cst.Integer) and value.expression.value == "2")


@hook("tropical_reduce")
def tropical_reduce(call, ctx):
    if call is None:
        return ctx.ref(ctx.rule.target)
    if call.args and call.args[0].keyword is None and _axis_is_reduced_middle(call):
        operands = _operands(call.args[0].value)
        if operands is not None:
            a, b = operands
            ctx.note(f"{ctx.qualname} over a broadcast sum is a tropical matrix product: fused, no n^3 temporary")
            return cst.Call(func=ctx.ref(TARGETS[ctx.qualname]), args=[
                cst.Arg(a, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(b)])
    return ctx.default(call)
