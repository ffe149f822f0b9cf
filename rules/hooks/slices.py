"""``x[::-1]``: NumPy/JAX reverse with a negative slice step; torch slices only step forward."""

from __future__ import annotations

import libcst as cst

from jax2torch.hookapi import GiveUp, hook, is_array, is_none

def _step(part) -> int | None:
    """The slice's literal integer step (``-1`` for ``::-1``), or None when absent or not a literal."""
    step = part.step
    if step is None or is_none(step):
        return None
    sign = 1
    if isinstance(step, cst.UnaryOperation) and isinstance(step.operator, cst.Minus):
        sign, step = -1, step.expression
    return sign * step.evaluated_value if isinstance(step, cst.Integer) else None


def _dims(elements, flipped) -> tuple[int, ...]:
    """The receiver's dims that the ``flipped`` elements index (``None`` adds no dim, ``...`` makes
    later positions count from the end)."""
    consumes = [not (isinstance(e.slice, cst.Index) and (is_none(e.slice.value) or isinstance(e.slice.value, cst.Ellipsis)))
                for e in elements]
    ellipsis = next((i for i, e in enumerate(elements)
                     if isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Ellipsis)), None)
    dims = []
    for i in flipped:
        if ellipsis is not None and i > ellipsis:
            dims.append(-sum(consumes[i:]))
        else:
            dims.append(sum(consumes[:i]))
    return tuple(dims)


def _takes_all(part) -> bool:
    """``:`` or ``...``: an index element that selects everything."""
    if isinstance(part, cst.Slice):
        return part.lower is None and part.upper is None and part.step is None
    return isinstance(part.value, cst.Ellipsis)


@hook("reverse_slice")
def reverse_slice(sub, ctx):
    """``x[:, ::-1]`` -> ``torch.flip(x, dims=(1,))``; ``x[0, ::-1]`` -> ``torch.flip(x, dims=(1,))[0, :]``.

    Only where the receiver is surely an array: a multi-axis index (a list or string cannot take
    one), the result of a torch call, or a name bound only to JAX array results. Any other
    ``name[::-1]`` is left alone: far more often a list.
    Other negative steps (``[::-2]``, ``[5:1:-1]``) there are left with a TODO."""
    elements = list(sub.slice)
    stepped = [i for i, e in enumerate(elements) if isinstance(e.slice, cst.Slice) and (_step(e.slice) or 1) < 0]
    if not stepped or not (len(elements) > 1 or is_array(sub.value, ctx)):
        return None
    for i in stepped:
        part = elements[i].slice
        if _step(part) != -1 or not (part.lower is None or is_none(part.lower)) or not (part.upper is None or is_none(part.upper)):
            raise GiveUp("a negative slice step other than [::-1]: torch slices step forward only "
                         "(flip with torch.flip, then slice)")
    dims = _dims(elements, stepped)
    flip = cst.Call(func=ctx.ref("torch.flip"), args=[
        cst.Arg(sub.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
        cst.Arg(cst.Tuple([cst.Element(cst.Integer(str(d)) if d >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-d))))
                           for d in dims]),
                keyword=cst.Name("dims"), equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                               whitespace_after=cst.SimpleWhitespace(""))),
    ])
    rest = [e.with_changes(slice=cst.Slice(lower=None, upper=None)) if i in stepped else e for i, e in enumerate(elements)]
    if all(_takes_all(e.slice) for e in rest):
        return flip  # nothing left to index: ``x[:, ::-1]`` / ``x[..., ::-1]``
    return sub.with_changes(value=flip, slice=rest)
