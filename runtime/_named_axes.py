"""``jax.vmap(..., axis_name=...)`` and the collectives over that axis (``lax.psum``, ``pmean``,
``pmax``, ``pmin``), on ``torch.func.vmap``.

JAX code uses a named vmap axis for batch statistics inside a per-example function (batch norm
written for one example, averaged over the batch with ``lax.pmean(x, "batch")``). ``torch.func.vmap``
has no axis names, so this wrapper records the functorch level of each named vmap while its
function runs; a collective unwraps its operand at that level (the batch becomes a real dim),
reduces over it, and returns the result unbatched, i.e. the same for every example, which is what
JAX returns. This reads functorch's private ``_unwrap_batched`` (checked on torch 2.13).
"""

from __future__ import annotations

import functools

import torch
from torch._C import _functorch

from jax2torch_runtime import tree

_ACTIVE: list = []  # (axis name, functorch level, batch size) of the named vmaps now running


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """``jax.vmap`` with JAX's signature; ``axis_name`` enables the collectives in this module."""
    if spmd_axis_name is not None:
        raise NotImplementedError("spmd_axis_name (sharding) has no single-process counterpart")
    in_dims = tuple(in_axes) if isinstance(in_axes, list) else in_axes
    if axis_name is None:
        return torch.func.vmap(fun, in_dims=in_dims, out_dims=out_axes)

    @functools.wraps(fun)
    def named(*args):
        level = _functorch.maybe_current_level()
        _ACTIVE.append((axis_name, level, axis_size or _batch_size(args, level)))
        try:
            return fun(*args)
        finally:
            _ACTIVE.pop()

    return torch.func.vmap(named, in_dims=in_dims, out_dims=out_axes)


def _batch_size(args, level) -> int | None:
    for leaf in tree.leaves(args):
        if isinstance(leaf, torch.Tensor) and _functorch.is_batchedtensor(leaf) and _functorch.maybe_get_level(leaf) == level:
            full, bdim = _functorch._unwrap_batched(leaf, level)
            return full.shape[bdim]
    return None


def _axis(axis_name):
    for name, level, size in reversed(_ACTIVE):
        if name == axis_name:
            return level, size
    raise NameError(f"unbound axis name: {axis_name!r} (collectives need an enclosing vmap with axis_name=)")


def _collective(x, axis_name, batched, constant):
    """Apply ``batched(full, bdim)`` to every leaf batched over ``axis_name``'s vmap and
    ``constant(leaf, size)`` to leaves that are the same for every example."""
    names = axis_name if isinstance(axis_name, (tuple, list)) else (axis_name,)

    def one(leaf):
        t = torch.as_tensor(leaf)
        for name in names:
            level, size = _axis(name)
            if _functorch.is_batchedtensor(t) and _functorch.maybe_get_level(t) == level:
                full, bdim = _functorch._unwrap_batched(t, level)
                t = batched(full, bdim)
            else:
                t = constant(t, size)
        return t

    return tree.map(one, x)


def psum(x, axis_name, *, axis_index_groups=None):
    """``lax.psum`` over a named vmap axis: the sum over the batch, the same for every example."""
    _no_groups(axis_index_groups)
    return _collective(x, axis_name, lambda full, d: full.sum(d), lambda t, size: t * size)


def pmean(x, axis_name, *, axis_index_groups=None):
    """``lax.pmean`` over a named vmap axis (batch statistics in a per-example function)."""
    _no_groups(axis_index_groups)
    return _collective(x, axis_name, lambda full, d: full.mean(d), lambda t, size: t)


def pmax(x, axis_name, *, axis_index_groups=None):
    """``lax.pmax`` over a named vmap axis."""
    _no_groups(axis_index_groups)
    return _collective(x, axis_name, lambda full, d: full.amax(d), lambda t, size: t)


def pmin(x, axis_name, *, axis_index_groups=None):
    """``lax.pmin`` over a named vmap axis."""
    _no_groups(axis_index_groups)
    return _collective(x, axis_name, lambda full, d: full.amin(d), lambda t, size: t)


def _no_groups(groups):
    if groups is not None:
        raise NotImplementedError("axis_index_groups (sub-groups of a pmap axis) is not translated")
