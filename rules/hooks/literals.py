"""Small value hooks: dtype objects that JAX also lets you call, and names that are plain literals."""

from __future__ import annotations

import libcst as cst

from jax2torch.hookapi import GiveUp, hook


@hook("dtype")
def dtype(call, ctx):
    """``jnp.float32`` -> ``torch.float32``; ``jnp.float32(x)`` (a cast) -> ``torch.as_tensor(x, dtype=torch.float32)``."""
    target = ctx.rule.target
    if call is None:
        return ctx.ref(target)
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        raise GiveUp(f"{ctx.qualname}(...) with other than one positional argument")
    return cst.Call(func=ctx.ref("torch.as_tensor"), args=[
        call.args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        cst.Arg(keyword=cst.Name("dtype"), value=ctx.ref(target),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))),
    ])


@hook("literal")
def literal(call, ctx):
    """A JAX name that is a Python constant (``jnp.newaxis`` is ``None``): the row's ``options.expr``."""
    if call is not None:
        raise GiveUp(f"{ctx.qualname} called")
    return cst.parse_expression(ctx.rule.options["expr"])


@hook("astype")
def astype(call, ctx):
    """``x.astype(dtype)`` -> ``x.to(dtype)`` (torch tensors have no astype)."""
    func = call.func
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        raise GiveUp("astype(...) with keywords (copy=, casting=) has no Tensor.to equivalent")
    return call.with_changes(func=func.with_changes(attr=cst.Name("to")))


@hook("method")
def method(call, ctx):
    """An array method whose torch namesake differs: ``options.method`` renames it, and the row's
    params/rename/inject/unsupported apply to its arguments as for a function row."""
    func = call.func
    new_name = ctx.rule.options.get("method", func.attr.value)
    return call.with_changes(func=func.with_changes(attr=cst.Name(new_name)), args=ctx.arguments(call))


@hook("array_reduce")
def array_reduce(call, ctx):
    """``x.max(axis=...)`` -> ``x.amax(dim=...)``; a bare ``x.max()`` is the same in torch and stays.
    Leaves ``x.at[i].max(v)`` to the at_update pattern."""
    func = call.func
    if isinstance(func.value, cst.Subscript) and _is_at(func.value.value):
        return None
    if not call.args:
        return None
    return call.with_changes(func=func.with_changes(attr=cst.Name("a" + func.attr.value)), args=ctx.arguments(call))


def _is_at(node) -> bool:
    """``x.at`` (JAX) or ``j2t.at(x)`` (already migrated): the receiver of a functional update."""
    if isinstance(node, cst.Attribute):
        return node.attr.value == "at"
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "at"
