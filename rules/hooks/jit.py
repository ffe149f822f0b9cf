"""``jax.jit``: dropped (eager PyTorch computes the same values) or, with ``jit = "compile"``, ``torch.compile``."""

from __future__ import annotations

from jax2torch.hookapi import REMOVE, GiveUp, hook

COMPILE_IGNORES = ("static_argnums", "static_argnames", "donate_argnums", "donate_argnames", "inline", "keep_unused")


@hook("jit")
def jit(call, ctx):
    mode = ctx.option("jit", "drop")
    if mode not in ("drop", "compile"):
        raise GiveUp(f"unknown jit mode {mode!r}")
    if call is None:
        if ctx.position == "decorator":
            return REMOVE if mode == "drop" else ctx.ref("torch.compile")
        return ctx.ref("jax2torch_runtime.transforms.jit" if mode == "drop" else "torch.compile")
    fun = None
    extra = []
    for i, arg in enumerate(call.args):
        if arg.star:
            raise GiveUp("jax.jit called with *args/**kwargs")
        name = arg.keyword.value if arg.keyword else ("fun" if i == 0 else None)
        if name == "fun":
            fun = arg.value
        elif name in COMPILE_IGNORES:
            extra.append(name)
        else:
            raise GiveUp(f"jax.jit argument {name or i} has no PyTorch counterpart")
    if ctx.position == "decorator":  # @partial(jax.jit, static_argnums=...)
        if mode == "drop":
            return REMOVE
        if extra:
            ctx.note(f"torch.compile needs no {', '.join(extra)}: dropped")
        return ctx.ref("torch.compile")
    if fun is None:
        raise GiveUp("jax.jit without a function")
    if ctx.position == "receiver":
        raise GiveUp("jax.jit(...).lower/.eval_shape/.trace: the jitted object's methods have no PyTorch counterpart")
    if mode == "drop":
        ctx.note("jax.jit dropped: eager PyTorch computes the same values", severity=_info())
        return fun
    if extra:
        ctx.note(f"torch.compile needs no {', '.join(extra)}: dropped")
    return call.with_changes(func=ctx.ref("torch.compile"), args=[call.args[0].with_changes(keyword=None, equal=_default(), comma=_default())])


def _info():
    from jax2torch.findings import Severity

    return Severity.INFO


def _default():
    import libcst as cst

    return cst.MaybeSentinel.DEFAULT
