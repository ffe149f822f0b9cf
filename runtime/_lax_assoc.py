"""``jax.lax.associative_scan``: an inclusive prefix-combine with any associative ``fn``.

This is JAX's own parallel odd/even scheme (Blelloch 1990) ported to torch, not a sequential
loop: combine adjacent pairs, scan the half-length sequence recursively (those are the odd
outputs), combine each odd output with the next even input (the even outputs), interleave. It
takes O(log n) vectorised calls of ``fn`` and, because it combines the very same operands in the
very same order as JAX, floating-point results round as JAX's do (a sequential scan would sum in
another order and drift apart for long float32 sequences). Everything is slicing, ``cat`` and
``stack`` on tensors, so ``torch.func.grad``/``vmap`` and autograd go through it unchanged.

Pytrees follow :mod:`jax2torch_runtime.tree` (JAX's leaf order: sorted dict keys, ``None`` empty,
registered classes), so ``fn`` sees the same structure it saw under JAX. A negative ``axis`` also
works with ``reverse=True`` (JAX 0.10 rejects that pair because it reverses before normalising).
"""

from __future__ import annotations

import torch

from . import tree as _tree

__all__ = ["associative_scan"]


def _slice(x: torch.Tensor, axis: int, start: int, stop: int | None, step: int = 1) -> torch.Tensor:
    """``lax.slice_in_dim``: a strided view of ``x`` along ``axis`` (basic indexing, so vmap-safe)."""
    return x[(slice(None),) * axis + (slice(start, stop, step),)]


def _interleave(evens: torch.Tensor, odds: torch.Tensor, axis: int) -> torch.Tensor:
    """``evens[0], odds[0], evens[1], odds[1], ...`` along ``axis``; ``evens`` may be one longer.

    JAX pads both with zeros and adds them; stacking places the same values without that addition
    (which would only turn ``-0.0`` into ``+0.0``) and works for every dtype.
    """
    n_odd = odds.shape[axis]
    paired = torch.stack([_slice(evens, axis, 0, n_odd), odds], dim=axis + 1).flatten(axis, axis + 1)
    if evens.shape[axis] == n_odd:
        return paired
    return torch.cat([paired, _slice(evens, axis, n_odd, None)], dim=axis)


def _as_tensor(leaf) -> torch.Tensor:
    return leaf if isinstance(leaf, torch.Tensor) else torch.as_tensor(leaf)


def associative_scan(fn, elems, reverse: bool = False, axis: int = 0):
    """Inclusive scan of the pytree ``elems`` along ``axis`` with the associative ``fn(a, b)``.

    ``fn`` must combine two pytrees shaped like ``elems`` elementwise along ``axis`` (vectorised,
    as in JAX). For ``elems = [a, b, c, ...]`` the result is ``[a, fn(a, b), fn(fn(a, b), c), ...]``;
    with ``reverse=True`` it is ``[..., fn(fn(z, y), x), fn(z, y), z]`` for ``[..., x, y, z]``.
    """
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    leaves, treedef = _tree.flatten(elems)
    if not leaves:
        raise ValueError("lax.associative_scan: elems has no arrays to scan (an empty pytree).")
    leaves = [_as_tensor(leaf) for leaf in leaves]
    ndim = leaves[0].dim()
    if not -ndim <= axis < ndim:
        raise ValueError(f"lax.associative_scan: axis {axis} is out of bounds for arrays of rank {ndim}.")
    axis = axis % ndim
    lengths = [leaf.shape[axis] if leaf.dim() > axis else None for leaf in leaves]
    if any(length != lengths[0] for length in lengths):
        raise ValueError("Array inputs to associative_scan must have the same length along axis "
                         f"{axis}. (saw shapes: {[tuple(leaf.shape) for leaf in leaves]})")

    def combine(a_leaves, b_leaves):
        """``fn`` lowered to flat leaf lists, checking it keeps the structure of ``elems``."""
        out_leaves, out_def = _tree.flatten(fn(_tree.unflatten(treedef, a_leaves), _tree.unflatten(treedef, b_leaves)))
        if len(out_leaves) != len(a_leaves):
            raise TypeError("lax.associative_scan: fn must return a pytree with the structure of elems; "
                            f"expected {treedef}, got {out_def}.")
        return [_as_tensor(leaf) for leaf in out_leaves]

    def scan(xs):
        length = xs[0].shape[axis]
        if length < 2:
            return xs
        odds = scan(combine([_slice(x, axis, 0, -1, 2) for x in xs], [_slice(x, axis, 1, None, 2) for x in xs]))
        if length % 2 == 0:
            evens = combine([_slice(o, axis, 0, -1) for o in odds], [_slice(x, axis, 2, None, 2) for x in xs])
        else:
            evens = combine(odds, [_slice(x, axis, 2, None, 2) for x in xs])
        evens = [torch.cat([_slice(x, axis, 0, 1), e], dim=axis) for x, e in zip(xs, evens)]
        return [_interleave(e, o, axis) for e, o in zip(evens, odds)]

    if reverse:
        leaves = [torch.flip(leaf, (axis,)) for leaf in leaves]
    scanned = scan(leaves)
    if reverse:
        scanned = [torch.flip(leaf, (axis,)) for leaf in scanned]
    return _tree.unflatten(treedef, scanned)
