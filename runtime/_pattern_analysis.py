"""Recurring patterns, pattern entropy and hierarchical (multi-scale) pattern analysis.

All three count equal windows with ``_pattern_windows.group_windows``; see that module for how
floats are compared (exact bits, or a quantization grid of step ``tol``).
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from . import _pattern_checks as checks
from ._pattern_kernels import EAGER, Kernels
from ._pattern_search import _positions
from ._pattern_windows import Groups, group_windows, members, shannon_entropy, window_keys


class RecurringPattern(NamedTuple):
    """One recurring window: its values (at the first occurrence), how often, and where."""

    window: torch.Tensor
    count: int
    positions: torch.Tensor


class PatternLevel(NamedTuple):
    """One scale of :func:`hierarchical_patterns`.

    ``symbols[t]`` names the t-th tile of ``span`` elements (ids in order of first appearance);
    ``patterns`` lists the tiles seen at least twice, most frequent first.
    """

    level: int
    span: int
    symbols: torch.Tensor
    distinct: int
    entropy: float
    patterns: list[RecurringPattern]


def _rows(data: torch.Tensor, dim: int | None):
    if dim is None:
        return data.reshape(1, -1), None
    dim = checks.normalize_dim(dim, data.ndim)
    moved = data.movedim(dim, -1)
    return moved.reshape(-1, moved.shape[-1]), (moved.shape, dim)


def _check_top(top):
    return None if top is None else checks.check_positive_int(top, "top")


def _ranked(groups: Groups, min_count: int, top: int | None) -> list[int]:
    """Group ids with at least ``min_count`` windows, most frequent first, earliest first on ties.

    Only the groups that can make the list are sorted: a ``topk`` gives the ``top``-th largest
    count, every group at or above it (and ``min_count``) is kept in id order, and a stable sort of
    those few gives the same order as sorting all counts would.
    """
    counts = groups.counts
    floor = min_count
    if top is not None and counts.numel() > top:
        floor = max(floor, int(torch.topk(counts, top, sorted=False).values.min()))
    keep = torch.nonzero(counts >= floor).squeeze(1)
    keep = keep[torch.sort(counts[keep], descending=True, stable=True).indices]
    return (keep if top is None else keep[:top]).tolist()


def recurring_patterns(
    data: torch.Tensor, k: int, top: int | None = 10, tol: float | None = None, dim: int | None = None,
    min_count: int = 2, *, kernels: Kernels = EAGER,
) -> list[RecurringPattern]:
    """The most frequent length-``k`` windows (overlapping: every start counts) and where they occur.

    ``dim=None`` flattens ``data`` (positions are flat starts); an int ``dim`` takes windows along
    that dim within each row (positions are ``(count, ndim)`` index rows, ``dim`` column = start).
    Only windows seen at least ``min_count`` times are reported, at most ``top`` of them.
    """
    data = checks.as_data(data)
    k = checks.check_positive_int(k, "k")
    min_count = checks.check_positive_int(min_count, "min_count")
    top, tol = _check_top(top), checks.check_quant_tol(tol)
    x2d, moved = _rows(data, dim)
    length = x2d.shape[1]
    checks.check_fits(k, length, "window")
    groups, starts = group_windows(window_keys(x2d, tol).contiguous(), k, 1, kernels)
    xflat = x2d.reshape(-1)
    result = []
    ranked = _ranked(groups, min_count, top)
    for g, windows in zip(ranked, members(groups, ranked)):
        flat = starts[windows]
        window = xflat[int(flat[0]) : int(flat[0]) + k].clone()
        if moved is None:
            pos = flat
        else:
            pos, _ = _positions(flat // length, flat % length, moved[0], moved[1], data.ndim)
        result.append(RecurringPattern(window, int(groups.counts[g]), pos))
    return result


def entropy(
    data: torch.Tensor, k: int = 1, tol: float | None = None, dim: int | None = None, base: float | None = None,
    *, kernels: Kernels = EAGER,
) -> float:
    """Shannon entropy of the distribution of length-``k`` windows (in nats, or ``base`` units).

    0 when every window is the same; ``log(N)`` (N windows) when all differ.
    """
    data = checks.as_data(data)
    k = checks.check_positive_int(k, "k")
    tol = checks.check_quant_tol(tol)
    if base is not None and (isinstance(base, bool) or not isinstance(base, (int, float)) or base <= 0 or base == 1):
        raise ValueError(f"base must be a positive number other than 1, got {base!r}")
    x2d, _ = _rows(data, dim)
    checks.check_fits(k, x2d.shape[1], "window")
    groups, _ = group_windows(window_keys(x2d, tol).contiguous(), k, 1, kernels)
    return shannon_entropy(groups.counts, base)


def hierarchical_patterns(
    data: torch.Tensor, k: int = 4, levels: int = 3, branching: int = 2, tol: float | None = None,
    top: int | None = 5, *, kernels: Kernels = EAGER,
) -> list[PatternLevel]:
    """Patterns of patterns: tiles of ``k`` elements, then tiles of ``branching`` tiles, and so on.

    Level 0 cuts the flattened data into aligned tiles of ``k`` elements (a trailing partial tile
    is dropped) and names each distinct tile by a symbol; level ``l + 1`` does the same to the
    level-``l`` symbol sequence with tiles of ``branching`` symbols, so level ``l`` spans
    ``k * branching**l`` elements (k, 2k, 4k, ... by default). Stops early when fewer than
    ``branching`` tiles remain. Positions are element offsets into the flattened data.
    """
    data = checks.as_data(data)
    k = checks.check_positive_int(k, "k")
    levels = checks.check_positive_int(levels, "levels")
    branching = checks.check_positive_int(branching, "branching")
    if branching < 2:
        raise ValueError(f"branching must be >= 2, got {branching}")
    top, tol = _check_top(top), checks.check_quant_tol(tol)
    flat = data.reshape(-1)
    checks.check_fits(k, flat.numel(), "tile")
    keys, width, span, result = window_keys(flat, tol).unsqueeze(0), k, k, []
    for level in range(levels):
        if level and keys.shape[1] < branching:
            break
        groups, _ = group_windows(keys.contiguous(), width, width, kernels)
        patterns = []
        ranked = _ranked(groups, 2, top)
        for g, windows in zip(ranked, members(groups, ranked)):
            pos = windows * span
            start = int(pos[0])
            patterns.append(RecurringPattern(flat[start : start + span].clone(), int(groups.counts[g]), pos))
        entropy_value = shannon_entropy(groups.counts, None)
        result.append(PatternLevel(level, span, groups.inverse, groups.counts.numel(), entropy_value, patterns))
        keys, width, span = groups.inverse.unsqueeze(0), branching, span * branching
    return result
