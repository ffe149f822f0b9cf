"""The candidate-filter-verify engine behind exact and approximate pattern search.

Search never materializes all ``n x m`` windows. It first keeps the start positions whose first
value can still match (an equality for exact search, ``|x - p0| <= tol`` for approximate), then
verifies the survivors on column blocks of growing width (1, 1, 2, 4, ... up to 32), dropping a
candidate as soon as one block rules it out. Partial sums of squares only grow and partial maxima
only grow, so a candidate dropped early would also fail on the full window; the distance reported
for a match is the one accumulated here, directly from ``x - p`` (no ``x^2 - 2xp + p^2``
cancellation). Random data leaves few candidates after the first column; data where everything
matches costs O(n * m) like any direct method.
"""

from __future__ import annotations

from typing import Callable

import torch

from ._pattern_checks import compute_dtype
from ._pattern_kernels import Kernels

_MAX_BLOCK = 32
_CHUNK = 1 << 18  # candidates verified together; bounds the gathered temporaries
_LOOP_PATTERNS = 8  # up to this many patterns, one cheap comparison pass each beats a sorted lookup


def _first_column_candidates(values, patterns, metric, tol, cdt):
    """Indices into ``values`` and pattern ids whose first element can still match."""
    count = patterns.shape[0]
    if count == 1:
        first = patterns[0, 0]
        if metric is None:
            mask = values == first
        else:
            diff = values.to(cdt) - first.to(cdt)
            mask = diff.abs() <= tol if metric == "linf" else diff * diff <= _threshold(metric, tol, cdt)
        idx = torch.nonzero(mask).squeeze(1)
        return idx, torch.zeros_like(idx)
    firsts, order = torch.sort(patterns[:, 0])
    if metric is None:
        lo = torch.searchsorted(firsts, values)
        hi = torch.searchsorted(firsts, values, right=True)
    else:
        # Widened by a few ulps so that the float64 range lookup is a superset of the criterion
        # the verification applies in ``cdt``; verification makes the final decision.
        eps = torch.finfo(cdt).eps
        f64, v64 = firsts.double(), values.double()
        margin = tol * (1 + 4 * eps) + 4 * eps * v64.abs()
        lo = torch.searchsorted(f64, v64 - margin)
        hi = torch.searchsorted(f64, v64 + margin, right=True)
    counts = hi - lo
    idx = torch.repeat_interleave(torch.arange(values.numel(), device=values.device), counts)
    within = torch.arange(idx.numel(), device=values.device) - (torch.cumsum(counts, 0) - counts)[idx]
    return idx, order[lo[idx] + within]


def _threshold(metric, tol, cdt):
    limit = torch.tensor(tol, dtype=cdt)
    return limit * limit if metric == "l2" else limit


def _verify(xflat, starts, pat, patterns, metric, tol, cdt, first_col, kernels: Kernels):
    """Keep the candidates whose whole window matches; returns (starts, pat, distances)."""
    m = patterns.shape[1]
    single = patterns.shape[0] == 1
    acc = torch.zeros(starts.numel(), dtype=cdt, device=xflat.device)
    thr = None if metric is None else _threshold(metric, tol, cdt).to(xflat.device)
    block_fn = {"l2": kernels.l2_block, "linf": kernels.linf_block}.get(metric)
    lo, width = first_col, 1
    while lo < m and starts.numel():
        hi = min(m, lo + width)
        offsets = torch.arange(lo, hi, device=xflat.device)
        pg = patterns[:, lo:hi] if single else patterns[pat, lo:hi]
        if metric is None:
            keep = kernels.exact_block(xflat, starts, offsets, pg)
        else:
            acc = block_fn(xflat, starts, offsets, pg, acc)
            keep = acc <= thr
        idx = torch.nonzero(keep).squeeze(1)
        if idx.numel() != starts.numel():
            starts, pat, acc = starts[idx], pat[idx], acc[idx]
        lo, width = hi, min(_MAX_BLOCK, width * 2 if lo > first_col else 1)
    dist = acc.sqrt() if metric == "l2" else acc
    return starts, pat, dist


def search(
    xflat: torch.Tensor,
    values: torch.Tensor,
    to_flat: Callable[[torch.Tensor], torch.Tensor],
    patterns: torch.Tensor,
    metric: str | None,
    tol: float,
    kernels: Kernels,
):
    """Match ``patterns`` (P, m) at the valid starts described by ``values``/``to_flat``.

    ``values[c]`` is the data value at the c-th valid start and ``to_flat(c)`` its index in
    ``xflat``. Returns ``(pattern_ids, flat_starts, distances)`` sorted by pattern then start.
    """
    cdt = compute_dtype(xflat.dtype, patterns.dtype)
    if 1 < patterns.shape[0] <= _LOOP_PATTERNS:
        parts = [search(xflat, values, to_flat, patterns[i : i + 1], metric, tol, kernels) for i in range(patterns.shape[0])]
        pats = [part[0] + i for i, part in enumerate(parts)]
        return torch.cat(pats), torch.cat([p[1] for p in parts]), torch.cat([p[2] for p in parts])
    idx, pat = _first_column_candidates(values, patterns, metric, tol, cdt)
    # A single exact pattern had its first column checked with the same comparison already.
    first_col = 1 if metric is None and patterns.shape[0] == 1 else 0
    out_starts, out_pats, out_dist = [], [], []
    for lo in range(0, max(idx.numel(), 1), _CHUNK):
        starts = to_flat(idx[lo : lo + _CHUNK])
        s, p, d = _verify(xflat, starts, pat[lo : lo + _CHUNK], patterns, metric, tol, cdt, first_col, kernels)
        out_starts.append(s), out_pats.append(p), out_dist.append(d)
    starts, pats, dist = torch.cat(out_starts), torch.cat(out_pats), torch.cat(out_dist)
    if patterns.shape[0] > 1:
        order = torch.argsort(pats * xflat.numel() + starts)
        starts, pats, dist = starts[order], pats[order], dist[order]
    return pats, starts, dist
