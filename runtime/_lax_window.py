"""``lax.reduce_window`` (pooling and any windowed fold) with XLA's semantics.

Each output element is ``computation`` folded over its window, starting from ``init_value``:
``init ⊕ w0 ⊕ w1 ⊕ ...`` in row-major window order. Positions that fall into ``padding`` or into
the holes of ``base_dilation`` are *skipped*, not filled with ``init_value`` (what JAX on XLA does:
``reduce_window(x, 10., lax.add, (2,), (1,), [(1, 1)])`` starts with ``10 + x[0]``).

Two paths give that result. Sum, product, maximum, minimum and log-add-exp (``torch.add``,
``torch.mul``, ``torch.maximum``, ``torch.minimum``, ``torch.logaddexp``: what migrated
``lax.add``/``lax.mul``/``lax.max``/``lax.min`` become; the ``j2t.numpy`` versions that
``jnp.maximum``/``jnp.minimum``/``jnp.logaddexp`` become; :mod:`operator`'s ``add``/``mul``) pad
with the operation's identity, reduce the ``Tensor.unfold`` windows in one call and combine with
``init`` once. Any other callable is folded
window offset by window offset over strided views of the whole operand, with a mask that keeps the
accumulator where the position is padding; it must work elementwise on tensors (as JAX's traced
computation does on scalars). A tuple or list of operands goes with a tuple or list of init values
and a computation over such tuples (JAX's variadic form) on the same generic path.
"""

from __future__ import annotations

import builtins
import itertools
import math
import operator

import torch

from ._lax_pad import pad, padtype_to_pads
from ._numpy_core import logaddexp as _np_logaddexp
from ._numpy_core import maximum as _np_maximum
from ._numpy_core import minimum as _np_minimum

__all__ = ["reduce_window", "reduce_window_shape_tuple"]


def _identity(dtype, kind):
    """The padding value that cannot change a window's sum, product, maximum or minimum."""
    if kind in ("sum", "prod"):
        return 0 if kind == "sum" else 1
    if kind == "logsumexp":
        return -math.inf
    if dtype == torch.bool:
        return kind == "amin"
    if dtype.is_floating_point:
        return -math.inf if kind == "amax" else math.inf
    info = torch.iinfo(dtype)
    return info.min if kind == "amax" else info.max


_MONOIDS = ((torch.add, "sum"), (operator.add, "sum"), (torch.mul, "prod"), (torch.multiply, "prod"),
            (operator.mul, "prod"), (torch.maximum, "amax"), (torch.max, "amax"), (_np_maximum, "amax"),
            (torch.minimum, "amin"), (torch.min, "amin"), (_np_minimum, "amin"),
            (torch.logaddexp, "logsumexp"), (_np_logaddexp, "logsumexp"))


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    """``lax.reduce_window_shape_tuple``: the output shape as a tuple of Python ints."""
    shape = [int(d) for d in operand_shape]
    window = [int(k) for k in window_dimensions]
    if base_dilation is not None:
        shape = [max(0, 1 + int(b) * (d - 1)) for d, b in zip(shape, base_dilation)]
    if window_dilation is not None:
        window = [max(0, 1 + int(r) * (k - 1)) for k, r in zip(window, window_dilation)]
    padded = [d + int(lo) + int(hi) for d, (lo, hi) in zip(shape, padding)]
    return tuple(max((d - k) // int(s) + 1, 0) for d, k, s in zip(padded, window, window_strides))


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """``lax.reduce_window``: ``computation`` folded from ``init_value`` over each (strided, dilated,
    padded) window; the result has the operand's dtype. See the module docstring for the paths."""
    operands = list(operand) if isinstance(operand, (tuple, list)) else [operand]
    inits = list(init_value) if isinstance(operand, (tuple, list)) else [init_value]
    operands = [torch.as_tensor(x) for x in operands]
    first = operands[0]
    ndim = first.ndim
    if len(window_dimensions) != ndim:
        raise TypeError("reduce_window got the wrong number of window_dimensions for operand: got operand "
                        f"shape {tuple(first.shape)} with window_dimensions {tuple(window_dimensions)}.")
    window = [int(k) for k in window_dimensions]
    strides = [int(s) for s in window_strides] if window_strides is not None else [1] * ndim
    base = [int(b) for b in base_dilation] if base_dilation is not None else [1] * ndim
    wdil = [int(r) for r in window_dilation] if window_dilation is not None else [1] * ndim
    if isinstance(padding, str):
        padding = padtype_to_pads(first.shape, [1 + r * (k - 1) for k, r in zip(window, wdil)], strides, padding)
    config = [(int(lo), int(hi), b - 1) for (lo, hi), b in zip(padding, base)]
    out_shape = reduce_window_shape_tuple(first.shape, window, strides, padding, base, wdil)
    kind = next((k for fn, k in _MONOIDS if computation is fn), None)
    if kind is not None and not isinstance(operand, (tuple, list)):
        return _monoid(first, inits[0], computation, kind, window, strides, config, wdil, out_shape)
    results = _fold(operands, inits, computation, window, strides, config, wdil, out_shape)
    return type(operand)(results) if isinstance(operand, (tuple, list)) else results[0]


def _monoid(x, init, computation, kind, window, strides, config, wdil, out_shape):
    """One reduction over ``unfold`` windows of the operand padded with the operation's identity."""
    init = torch.as_tensor(init, dtype=x.dtype, device=x.device)
    if 0 in out_shape:
        return init.expand(out_shape).clone()
    padded = pad(x, _identity(x.dtype, kind), config)
    for dim, (k, s, r) in enumerate(zip(window, strides, wdil)):
        padded = padded.unfold(dim, 1 + r * (k - 1), s)[..., ::r]
    windows = padded.reshape(*out_shape, -1)
    if kind == "sum":
        reduced = windows.sum(dim=-1, dtype=x.dtype)
    elif kind == "prod":
        reduced = windows.prod(dim=-1, dtype=x.dtype)
    else:  # amax, amin, logsumexp
        reduced = getattr(windows, kind)(dim=-1)
    return computation(init, reduced).to(x.dtype)


def _fold(operands, inits, computation, window, strides, config, wdil, out_shape):
    """The generic path: fold ``computation`` over window offsets, skipping padding positions."""
    first = operands[0]
    valid = pad(torch.ones_like(first, dtype=torch.bool), False, config)
    padded = [pad(x, 0, config) for x in operands]
    accs = [torch.as_tensor(v, dtype=x.dtype, device=x.device).expand(out_shape).clone()
            for v, x in zip(inits, operands)]
    if 0 in out_shape:
        return accs
    for offset in itertools.product(*(range(k) for k in window)):
        index = tuple(builtins.slice(o * r, o * r + (n - 1) * s + 1, s)
                      for o, r, s, n in zip(offset, wdil, strides, out_shape))
        args = [p[index] for p in padded]
        if len(operands) == 1:
            new = [torch.as_tensor(computation(accs[0], args[0]))]
        else:
            new = [torch.as_tensor(v) for v in computation(tuple(accs), tuple(args))]
        keep = valid[index]
        accs = [torch.where(keep, v.to(a.dtype), a) for v, a in zip(new, accs)]
    return accs
