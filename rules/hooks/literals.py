"""Small value hooks: dtype objects that JAX also lets you call, and names that are plain literals."""

from __future__ import annotations

import libcst as cst

from jax2torch.hookapi import GiveUp, dotted_name, hook


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
    if call.args and _numpy_dtype(call.args[0].value, ctx):
        return None  # ``.astype(np.float32)``: a NumPy array's own method (a tensor's .to would reject it)
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        raise GiveUp("astype(...) with keywords (copy=, casting=) has no Tensor.to equivalent")
    return call.with_changes(func=func.with_changes(attr=cst.Name("to")))


def _numpy_dtype(node, ctx) -> bool:
    """``np.float32`` / ``numpy.int64``: a dtype named through a NumPy import."""
    path = dotted_name(node)
    if path is None or "." not in path:
        return False
    bound = str(ctx.module_names.get(path.split(".")[0], ""))
    return bound == "import:numpy"


@hook("method")
def method(call, ctx):
    """An array method whose torch namesake differs: ``options.method`` renames it, and the row's
    params/rename/inject/unsupported apply to its arguments as for a function row."""
    func = call.func
    if ctx.is_module(func.value):
        return None  # ``np.repeat(...)``, ``itertools.repeat(...)``: a module function, not a method
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


@hook("array_literal")
def array_literal(call, ctx):
    """``jnp.array([0.2, 0.3])`` -> ``torch.tensor([0.2, 0.3])`` when the data is a literal list of
    numbers (ints get ``dtype=torch.int32``, JAX's default); anything else -> the row's helper,
    which keeps JAX's dtype rules for NumPy data and lists of arrays."""
    if call is None:
        return ctx.ref(ctx.rule.target)
    args = call.args
    positional = [a for a in args if a.keyword is None and not a.star]
    keywords = {a.keyword.value for a in args if a.keyword is not None}
    kinds = _literal_kinds(positional[0].value) if positional else None
    if not kinds or len(positional) > 2 or keywords - {"dtype"} or any(a.star for a in args):
        return ctx.default(call)
    has_dtype = len(positional) == 2 or "dtype" in keywords
    new_args = [a.with_changes(keyword=cst.Name("dtype"), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
                if i == 1 and a.keyword is None else a for i, a in enumerate(args)]
    if not has_dtype and kinds != {"float"} and kinds != {"bool"}:
        if kinds != {"int"}:
            return ctx.default(call)  # mixed bools/ints/floats: JAX's promotion, the helper's job
        new_args[-1] = new_args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        new_args.append(cst.Arg(keyword=cst.Name("dtype"), value=ctx.ref("torch.int32"),
                                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    return call.with_changes(func=ctx.ref("torch.tensor"), args=new_args)


def _literal_kinds(node) -> set | None:
    """{"int", "float", "bool"} used by a (nested) list/tuple literal of numbers, or None."""
    if isinstance(node, (cst.List, cst.Tuple)):
        kinds: set = set()
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return None
            inner = _literal_kinds(element.value)
            if inner is None:
                return None
            kinds |= inner
        return kinds or None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    if isinstance(node, cst.Integer):
        return {"int"}
    if isinstance(node, cst.Float):
        return {"float"}
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return {"bool"}
    return None
