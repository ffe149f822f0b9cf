"""Rows whose torch target covers the common call, and a runtime helper the rest."""

from __future__ import annotations

from jax2torch.hookapi import hook, is_none


@hook("keyword_helper")
def keyword_helper(call, ctx):
    """The row's generic rewrite to its torch target, unless the call passes one of
    ``options.keywords`` (not None): those calls go to ``options.helper``, which takes JAX's own
    signature, with their arguments unchanged. E.g. ``jnp.bincount(x, minlength=3)`` ->
    ``torch.bincount``, ``jnp.bincount(x, length=3)`` -> the runtime's ``bincount``."""
    if call is None:
        return ctx.ref(ctx.rule.target)
    keywords = set(ctx.rule.options["keywords"])
    params = ctx.rule.params
    for i, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else (params[i] if i < len(params) and not arg.star else None)
        if name in keywords and not is_none(arg.value):
            return call.with_changes(func=ctx.ref(ctx.rule.options["helper"]))
    return ctx.default(call)
