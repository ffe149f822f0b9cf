"""``x.at[idx].set(v)`` and friends -> ``j2t.at(x)[idx].set(v)``: the same functional update API.

The index expression and method call are kept as written (slices stay slices), only the receiver
changes, so the diff stays small and the JAX semantics (repeated indices accumulate in ``add``,
out-of-place result) are implemented once in ``jax2torch_runtime.at``.
"""

from __future__ import annotations

import libcst as cst

from jax2torch.hookapi import hook


@hook("at_update")
def at_update(call, ctx):
    func = call.func
    sub = func.value
    if not (isinstance(sub, cst.Subscript) and isinstance(sub.value, cst.Attribute) and sub.value.attr.value == "at"):
        return None
    receiver = sub.value.value
    wrapped = cst.Call(func=ctx.ref("jax2torch_runtime.at"), args=[cst.Arg(receiver)])
    return call.with_changes(func=func.with_changes(value=sub.with_changes(value=wrapped)))
