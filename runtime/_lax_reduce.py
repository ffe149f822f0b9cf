"""``jax.lax.reduce`` (XLA's Reduce) and ``jax.named_call``, in eager PyTorch.

``reduce`` folds ``computation`` over the ``dimensions`` of one operand, or of a pytree of
same-shaped operands with a matching pytree of scalar ``init_values`` (JAX's variadic form, e.g. an
argmax over ``(values, indices)``). JAX requires ``init_values`` to be an identity of an associative
``computation`` and calls anything else undefined; what XLA on CPU actually gives depends on the
length of the reduced axes: up to 32 elements it is the sequential fold ``((init ⊕ x0) ⊕ x1) ⊕ ...``
(a non-identity init counts once), beyond that the init is folded into several partial
accumulators. Here the init always counts once, ``init ⊕ (x0 ⊕ x1 ⊕ ...)``, JAX's CPU result on
short axes and the monoid meaning on long ones. ``dimensions=()`` returns the operands untouched,
init not applied, as XLA does.

Migrated code reaches this call with ``computation`` already rewritten to torch, so the fast path
recognises the functions JAX's binary ops become (``lax.add``/``mul``/``max``/``min`` ->
``torch.add``/``mul``/``maximum``/``minimum``; ``jnp.maximum``/``minimum``/``logaddexp`` -> the
``j2t.numpy`` ones; ``logical_and``/``or`` and ``bitwise_and``/``or`` on bool) and runs one torch
reduction, then combines it with the init once. Every other callable (lambdas, ``bitwise_*`` on
integers, tuple computations) takes the generic path with the reduced dimensions moved last and
flattened: an axis of up to 32 elements is folded sequentially from the init, exactly XLA's CPU
order (so even an accumulator-style ``lambda acc, x: acc + x * x`` matches JAX there); a longer one
is combined pairwise, adjacent elements level by level (``ceil(log2 n)`` vectorised calls, left to
right order kept, so associative but non-commutative computations are right). As under JAX's
tracing, ``computation`` must work elementwise; each result is cast back to its operand's dtype,
the output dtype JAX gives.
"""

from __future__ import annotations

import operator

import torch

from . import tree as _tree
from ._numpy_core import logaddexp as _np_logaddexp
from ._numpy_core import maximum as _np_maximum
from ._numpy_core import minimum as _np_minimum

__all__ = ["reduce", "named_call"]

_KINDS = (
    ((torch.add, operator.add), "sum"),
    ((torch.mul, torch.multiply, operator.mul), "prod"),
    ((torch.maximum, torch.max, _np_maximum), "amax"),
    ((torch.minimum, torch.min, _np_minimum), "amin"),
    ((torch.logaddexp, _np_logaddexp), "logsumexp"),
    ((torch.logical_and, torch.bitwise_and, operator.and_), "all"),
    ((torch.logical_or, torch.bitwise_or, operator.or_), "any"),
)
# XLA's CPU emitter folds an axis of up to 32 elements sequentially from the init; longer ones it
# splits into partial accumulators (each starting from the init) that are combined at the end.
_SEQUENTIAL_MAX = 32
_BOOL_KIND = {"sum": "any", "prod": "all", "amax": "any", "amin": "all", "all": "all", "any": "any"}


def named_call(fun, *, name=None):
    """``jax.named_call``: ``fun`` itself. The name only labels JAX's profiler and HLO scopes,
    which eager torch does not have, so there is nothing to wrap."""
    return fun


def _kind(computation, dtype: torch.dtype) -> str | None:
    """The fast reduction for ``computation`` on ``dtype``, or ``None`` for the generic fold."""
    kind = next((k for fns, k in _KINDS if any(computation is fn for fn in fns)), None)
    if dtype == torch.bool:
        return _BOOL_KIND.get(kind)
    if kind in ("all", "any") or (kind == "logsumexp" and not dtype.is_floating_point):
        return None
    return kind


def _checked_dims(dimensions, shape) -> tuple[int, ...]:
    """``dimensions`` as ints, with JAX's errors for negative, out-of-range and repeated axes."""
    dims = tuple(operator.index(d) for d in dimensions)
    if any(not 0 <= d < len(shape) for d in dims):
        raise ValueError(f"reduction axes {dims} contains out-of-bounds indices for shape {tuple(shape)}.")
    if len(set(dims)) != len(dims):
        raise ValueError(f"duplicate value in 'axes' of reduction: {dims}")
    return dims


def _flat_last(x: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """``x`` with ``dims`` moved to the end (in the given order) and flattened into one."""
    k = len(dims)
    return x.movedim(dims, tuple(range(x.ndim - k, x.ndim))).flatten(x.ndim - k)


def _fast(x, init, computation, kind, dims):
    """One torch reduction over the flattened ``dims``, combined with ``init`` once."""
    y = _flat_last(x, dims)
    init = torch.as_tensor(init, dtype=x.dtype, device=x.device)
    if y.shape[-1] == 0:
        return init.expand(y.shape[:-1]).clone()
    if kind == "sum":
        reduced = y.sum(dim=-1, dtype=x.dtype)
    elif kind == "prod":
        reduced = y.prod(dim=-1, dtype=x.dtype)
    else:  # amax, amin, logsumexp, all, any
        reduced = getattr(torch, kind)(y, dim=-1)
    return torch.as_tensor(computation(init, reduced)).to(x.dtype)


def _combine(computation, treedef, lhs, rhs, shape):
    """``computation`` on two pytrees of leaves, its leaves cast to the operands' dtypes."""
    out = computation(_tree.unflatten(treedef, lhs), _tree.unflatten(treedef, rhs))
    leaves, out_def = _tree.flatten(out)
    if len(leaves) != len(lhs):
        raise TypeError(f"reduce computation returned {len(leaves)} values for {len(lhs)} operands ({out_def}).")
    return [torch.as_tensor(v, device=a.device).to(a.dtype).broadcast_to(shape) for v, a in zip(leaves, lhs)]


def _fold(xs, inits, computation, treedef, dims):
    """The generic path: a sequential fold from ``init`` on short axes, else pairwise, then ``init ⊕``."""
    ys = [_flat_last(x, dims) for x in xs]
    out_shape = ys[0].shape[:-1]
    accs = [torch.as_tensor(v, dtype=y.dtype, device=y.device).expand(out_shape) for v, y in zip(inits, ys)]
    n = ys[0].shape[-1]
    if n <= _SEQUENTIAL_MAX:
        for i in range(n):
            accs = _combine(computation, treedef, accs, [y[..., i] for y in ys], out_shape)
        return [a.contiguous() for a in accs]
    while n > 1:
        half = n // 2
        pairs = _combine(computation, treedef, [y[..., 0:2 * half:2] for y in ys],
                         [y[..., 1:2 * half:2] for y in ys], (*out_shape, half))
        ys = [torch.cat([p, y[..., -1:]], dim=-1) for p, y in zip(pairs, ys)] if n % 2 else pairs
        n = half + n % 2
    return [a.contiguous() for a in _combine(computation, treedef, accs, [y[..., 0] for y in ys], out_shape)]


def reduce(operands, init_values, computation, dimensions):
    """``jax.lax.reduce``: ``computation`` folded from ``init_values`` over ``dimensions``.

    Returns the operands' pytree (a bare tensor for a bare operand); like JAX, a single operand
    reduced by a recognised binary op comes back bare even when passed as a one-element tuple.
    """
    flat, treedef = _tree.flatten(operands)
    flat_inits, init_def = _tree.flatten(init_values)
    if treedef != init_def:
        raise ValueError(f"Operands must have the same tree structure as init_values: {treedef} vs. {init_def}")
    xs = [torch.as_tensor(x) for x in flat]
    if any(x.shape != xs[0].shape for x in xs):
        raise ValueError(f"reduce operands must all have the same shape, got {[tuple(x.shape) for x in xs]}")
    dims = _checked_dims(dimensions, xs[0].shape)
    kind = _kind(computation, xs[0].dtype) if len(xs) == 1 else None
    if not dims:
        results = [x.clone() for x in xs]
    elif kind is not None:
        return _fast(xs[0], flat_inits[0], computation, kind, dims)
    else:
        results = _fold(xs, flat_inits, computation, treedef, dims)
    return results[0] if kind is not None else _tree.unflatten(treedef, results)
