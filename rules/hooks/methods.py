"""Array methods whose torch namesake means something else: ``x.transpose(1, 0, 2)`` and ``x.sort()``.

Method calls are matched by name (the receiver's type is unknown statically), so each hook leaves
calls made on a module (``torch.sort(...)``, ``j2t.numpy.transpose(...)``), calls already in torch
form, and calls a Python list could take (``names.sort()``).
"""

from __future__ import annotations

import libcst as cst

from jax2torch.hookapi import GiveUp, hook, is_array, is_boolean, is_none

def _receiver(call, ctx):
    """The object whose method is called, or None for a module function (``torch.sort(...)``,
    ``j2t.numpy.transpose(...)``, ``np.repeat(...)``): those are not array methods."""
    value = call.func.value
    return None if ctx.is_module(value) else value


@hook("transpose_method")
def transpose_method(call, ctx):
    """``x.transpose(1, 0, 2)`` / ``x.transpose((1, 0, 2))`` -> ``x.permute(...)``; ``x.transpose()``
    reverses every axis in JAX -> ``x.permute(*reversed(range(x.ndim)))``.

    torch's ``Tensor.transpose(a, b)`` swaps two dims; JAX's takes a full permutation (so the two
    agree only for 2-D arrays)."""
    receiver = _receiver(call, ctx)
    if receiver is None or any(arg.keyword is not None for arg in call.args):
        return None  # a module function, or torch's transpose(dim0=, dim1=)
    func = call.func.with_changes(attr=cst.Name("permute"))
    if call.args and not (len(call.args) == 1 and is_none(call.args[0].value)):
        return call.with_changes(func=func)
    if not isinstance(receiver, (cst.Name, cst.Attribute)):
        raise GiveUp("x.transpose() on an expression: write x.permute(*reversed(range(x.ndim))) by hand")
    return call.with_changes(func=func, args=[cst.Arg(star="*", value=_reversed_ndim(receiver))])


def _reversed_ndim(receiver) -> cst.BaseExpression:
    ndim = cst.Attribute(value=receiver, attr=cst.Name("ndim"))
    return cst.Call(func=cst.Name("reversed"), args=[cst.Arg(cst.Call(func=cst.Name("range"), args=[cst.Arg(ndim)]))])


@hook("sort_method")
def sort_method(call, ctx):
    """``x.sort(axis)`` returns the sorted array in JAX; torch's ``Tensor.sort`` returns
    ``(values, indices)`` -> ``x.sort(dim=axis).values``.

    Only calls that Python's ``list.sort`` could not take are rewritten (a positional axis, or a
    keyword of JAX's: axis/stable/descending/kind/order): ``names.sort()`` and
    ``items.sort(key=...)`` are list sorts far more often than array sorts, and are left alone."""
    keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    positional = any(arg.keyword is None for arg in call.args)
    if _receiver(call, ctx) is None or keywords & {"key", "reverse", "dim"} or not (positional or keywords):
        return None
    if any(is_none(arg.value) for arg in call.args if arg.keyword is None or arg.keyword.value == "axis"):
        raise GiveUp("x.sort(axis=None) sorts the flattened array: write x.flatten().sort().values")
    return cst.Attribute(value=call.with_changes(args=ctx.arguments(call)), attr=cst.Name("values"))


@hook("float_receiver")
def float_receiver(call, ctx):
    """``(pred == y).mean()`` -> ``(pred == y).float().mean()``: JAX averages a boolean array in
    float32, torch's ``Tensor.mean`` raises on bool. Other receivers are left as they are."""
    receiver = _receiver(call, ctx)
    if receiver is None or not is_boolean(receiver):
        return None
    as_float = cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("float")))
    return call.with_changes(func=call.func.with_changes(value=as_float))


#: Receivers that are far more often configuration objects than arrays (``cfg.size``, ``args.size``).
_CONFIG_NAMES = frozenset({"self", "cls", "args", "config", "cfg", "conf", "opts", "options", "flags", "FLAGS",
                           "hparams", "hps", "settings", "image", "img"})


@hook("attribute_call")
def attribute_call(attr, ctx):
    """``x.size`` -> ``x.numel()``: a JAX array attribute that torch spells as a method
    (``options.method``). Left alone on dotted receivers (``self.cfg.size``), on names that are
    usually configuration objects or images, and on modules."""
    receiver = attr.value
    if isinstance(receiver, cst.Attribute) or ctx.is_module(receiver) or (
            isinstance(receiver, cst.Name) and receiver.value in _CONFIG_NAMES):
        return None
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(ctx.rule.options["method"])))


@hook("method_as_function")
def method_as_function(call, ctx):
    """``x.dot(y)`` -> ``j2t.numpy.dot(x, y)``: an array method whose torch namesake is narrower
    (``Tensor.dot`` takes 1-D tensors only) becomes the function ``options.function`` with the
    receiver as first argument; without ``options.function`` the call is the receiver itself
    (``x.block_until_ready()`` -> ``x``: eager torch has nothing to wait for)."""
    receiver = _receiver(call, ctx)
    if receiver is None:
        return None
    function = ctx.rule.options.get("function")
    if function is None:
        if call.args:
            raise GiveUp(f"{call.func.attr.value}(...) with arguments: rewrite by hand")
        return receiver
    first = cst.Arg(receiver, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if call.args else cst.MaybeSentinel.DEFAULT)
    return cst.Call(func=ctx.ref(function), args=[first, *call.args])


@hook("known_array_method")
def known_array_method(call, ctx):
    """``idx.copy()`` -> ``idx.clone()`` (``options.method``) only where the receiver is surely an
    array (a JAX call's result, a name bound only to one, a multi-axis index): ``params.copy()``
    on a dict or a list is far more common in JAX code and is left alone."""
    receiver = _receiver(call, ctx)
    if receiver is None or call.args or not is_array(receiver, ctx):
        return None
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(ctx.rule.options["method"])))
