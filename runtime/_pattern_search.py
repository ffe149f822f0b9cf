"""Exact and approximate pattern search: 1-D, along a dim of an N-D tensor, and batched.

Semantics shared by every search function:

- exact matching is IEEE ``==`` on every element (so ``-0.0`` matches ``0.0`` and NaN never
  matches), in the data's own dtype; a pattern tensor must have the data's dtype;
- approximate matching computes ``x - p`` in float32 (float64 when either side is float64) and
  accepts a window when its L2 norm (``metric="l2"``) or largest absolute difference
  (``metric="linf"``) is ``<= tol``; the returned distance is that norm;
- windows never cross a row: along ``dim`` of an N-D tensor every other index is a separate row.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from . import _pattern_checks as checks
from . import _pattern_fused as fused
from ._pattern_engine import search
from ._pattern_kernels import EAGER, Kernels


_COLUMN_LOOP_MAX = 64  # longest pattern whose distance profile is built column by column


class Matches(NamedTuple):
    """Match positions and their distances (zeros for exact matches)."""

    positions: torch.Tensor
    distances: torch.Tensor


def _searchable(x: torch.Tensor) -> torch.Tensor:
    return x.to(torch.uint8) if x.dtype == torch.bool else x


def _rows(data: torch.Tensor, dim: int):
    """``data`` as contiguous rows ``(R, L)`` with ``dim`` last, plus the moved shape."""
    moved = data.movedim(dim, -1)
    return moved.reshape(-1, moved.shape[-1]).contiguous(), moved.shape


def _search_rows(x2d, patterns, metric, tol, kernels):
    # Search results are values, not differentiable functions of the inputs (the torch engine
    # writes into preallocated buffers, the numba kernel leaves torch): both paths work on detached
    # tensors, so inputs that require grad are accepted and give no-grad distances.
    x2d, patterns = x2d.detach(), patterns.detach()
    rows, length = x2d.shape
    width = length - patterns.shape[1] + 1
    xflat = x2d.reshape(-1)
    thr = fused.plan(xflat, patterns, metric, tol)
    if thr is not None:
        offsets = np.arange(0, rows * length, length, dtype=np.int64)
        pats, flat, dist = fused.search(xflat, offsets, np.full(rows, width, dtype=np.int64), patterns, metric, thr)
    else:
        if rows == 1:
            column = lambda j: x2d[0, j : j + width]  # noqa: E731 - one-line index maps read best inline
            to_flat = lambda c: c  # noqa: E731
        else:
            column = lambda j: x2d[:, j : j + width].reshape(-1)  # noqa: E731
            to_flat = lambda c: (c // width) * length + c % width  # noqa: E731
        pats, flat, dist = search(xflat, column, to_flat, patterns, metric, tol, kernels)
    if rows == 1:  # flat indices are the starts already
        return pats, torch.zeros_like(flat), flat, dist
    return pats, flat // length, flat % length, dist


def _positions(row, start, moved_shape, dim, ndim):
    """Index rows of the original tensor for (row, start) pairs, and the order that sorts them.

    Results come out ordered by (row, start) of the moved layout; when ``dim`` is not last that is
    not the original row-major order, so the returned permutation restores it (as
    ``torch.nonzero`` would order them).
    """
    if ndim == 1:
        return start, None
    cols = list(torch.unravel_index(row, tuple(moved_shape[:-1])))
    cols.insert(dim, start)
    pos = torch.stack(cols, 1)
    if dim == ndim - 1 or pos.shape[0] == 0:
        return pos, None
    shape = list(moved_shape[:-1])
    shape.insert(dim, moved_shape[-1])
    strides = [1] * ndim
    for d in range(ndim - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    key = (pos * torch.tensor(strides, device=pos.device)).sum(1)
    order = torch.argsort(key)
    return pos[order], order


def _single(data, pattern, dim, metric, tol, kernels):
    data = checks.as_data(data)
    dim = checks.normalize_dim(dim, data.ndim)
    patterns = checks.as_patterns(pattern, data, exact=metric is None)
    if patterns.shape[0] != 1:
        raise ValueError(f"pattern must be 1-D, got shape {tuple(pattern.shape)}; use find_batched for many patterns")
    checks.check_fits(patterns.shape[1], data.shape[dim])
    x2d, moved_shape = _rows(_searchable(data), dim)
    _, row, start, dist = _search_rows(x2d, _searchable(patterns), metric, tol, kernels)
    pos, order = _positions(row, start, moved_shape, dim, data.ndim)
    return Matches(pos, dist if order is None else dist[order])


def find(data: torch.Tensor, pattern, dim: int = -1, *, kernels: Kernels = EAGER) -> torch.Tensor:
    """Start positions where ``pattern`` occurs exactly in ``data`` along ``dim``.

    Returns a 1-D int64 tensor of starts for 1-D data; for N-D data a ``(K, data.ndim)`` tensor of
    index rows (the ``dim`` column is the start), in row-major order like ``torch.nonzero``.
    """
    return _single(data, pattern, dim, None, 0.0, kernels).positions


def find_approx(data, pattern, tol: float, metric: str = "l2", dim: int = -1, *, kernels: Kernels = EAGER) -> Matches:
    """Windows of ``data`` along ``dim`` within ``tol`` of ``pattern`` (L2 or L-inf distance).

    Positions have the layout of :func:`find`; ``distances`` holds each match's distance.
    """
    tol = checks.check_tol(tol)
    metric = checks.check_metric(metric)
    return _single(data, pattern, dim, metric, tol, kernels)


def distance_profile(data, pattern, metric: str = "l2", dim: int = -1, *, kernels: Kernels = EAGER) -> torch.Tensor:
    """The distance of every window of ``data`` along ``dim`` to ``pattern``.

    Shape is ``data.shape`` with ``dim`` shortened to ``L - m + 1``. Computed directly from
    ``x - p`` (column by column for short patterns, in bounded window chunks for long ones), so it
    is exact up to float rounding and never holds all windows.
    """
    metric = checks.check_metric(metric)
    data = checks.as_data(data)
    dim = checks.normalize_dim(dim, data.ndim)
    patterns = checks.as_patterns(pattern, data, exact=False)
    if patterns.shape[0] != 1:
        raise ValueError(f"pattern must be 1-D, got shape {tuple(pattern.shape)}")
    m = patterns.shape[1]
    checks.check_fits(m, data.shape[dim])
    cdt = checks.compute_dtype(data.dtype, patterns.dtype)
    x2d, moved_shape = _rows(data.to(cdt), dim)
    p = patterns[0].to(cdt)
    if m <= _COLUMN_LOOP_MAX:
        out = kernels.profile_columns(x2d, p, metric == "l2")
    else:
        windows = x2d.unfold(1, m, 1)
        step = max(1, (1 << 22) // (m * x2d.shape[0]))
        parts = [kernels.profile_chunk(windows[:, lo : lo + step], p, metric == "l2") for lo in range(0, windows.shape[1], step)]
        out = torch.cat(parts, 1)
    out = out.reshape(*moved_shape[:-1], out.shape[1])
    return out.movedim(-1, dim)
