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
from ._pattern_multi import candidates

_MAX_BLOCK = 32
_BLOCK = 64  # flags per block in _select
_DENSE_MAX = 8  # most columns filtered with whole-tensor ops
_SAMPLE = 61  # stride of the survivor sample that decides on one more dense column
_FEW = 1 << 15  # gathered elements below which one block verifies all remaining columns
_CHUNK = 1 << 18  # candidates verified together; bounds the gathered temporaries
_LOOP_PATTERNS = 8  # up to this many patterns, one cheap comparison pass each beats a sorted lookup


def _flags(compare, a, b) -> torch.Tensor:
    """A comparison written as float32 0/1; torch's CPU comparisons into bool are ~4x slower."""
    return compare(a, b, out=torch.empty(a.shape, dtype=torch.float32, device=a.device))


def _select(flags: torch.Tensor) -> torch.Tensor:
    """``nonzero`` of a float32 0/1 tensor, skipping empty 64-element blocks.

    ``nonzero`` costs several full passes; a block maximum first (one cheap pass) lets it run only
    on the blocks that hold a survivor, which is most of the work saved when survivors are rare.
    Reading the flags as int32 bits keeps the ``nonzero`` on its fast integer path.
    """
    full = flags.numel() // _BLOCK * _BLOCK
    blocks = flags[:full].view(-1, _BLOCK)
    hit = torch.nonzero(blocks.amax(1).view(torch.int32)).squeeze(1)
    if hit.numel() * 2 > blocks.shape[0]:
        return torch.nonzero(flags.view(torch.int32)).squeeze(1)
    inner = torch.nonzero(blocks[hit].view(torch.int32).reshape(-1)).squeeze(1)
    idx = hit[inner // _BLOCK] * _BLOCK + inner % _BLOCK
    if full == flags.numel():
        return idx
    tail = torch.nonzero(flags[full:].view(torch.int32)).squeeze(1) + full
    return torch.cat([idx, tail])


def _still_dense(sample: torch.Tensor) -> bool:
    """Whether more than 1 in 64 sampled starts survive: then ``_select`` cannot skip blocks."""
    return int(sample.sum()) * _BLOCK > sample.numel()


def _dense_prefix(column, patterns, metric, tol, cdt):
    """Filter every valid start on the first columns with whole-tensor ops.

    At least two columns, and more (up to ``_DENSE_MAX``) while a strided sample says many starts
    survive: one more elementwise column costs two cheap passes, while ``nonzero`` and the sparse
    verification cost far more per survivor. Returns surviving indices, their accumulated
    distance (``acc``) and how many columns were consumed.
    """
    limit = min(_DENSE_MAX, patterns.shape[1])
    p = patterns[0]
    if metric is None:
        flags = _flags(torch.eq, column(0), p[0])
        width = 1
        while width < limit and (width < 2 or _still_dense(flags[::_SAMPLE])):
            flags.mul_(_flags(torch.eq, column(width), p[width]))
            width += 1
        idx = _select(flags)
        return idx, torch.zeros(idx.numel(), dtype=cdt, device=idx.device), width
    thr = _threshold(metric, tol, cdt).to(p.device)
    pc = p.to(cdt).tolist()
    acc = column(0).to(cdt) - pc[0]
    acc = acc.mul_(acc) if metric == "l2" else acc.abs_()
    # One scratch buffer for every column's difference and then the flags: fresh 100k-element
    # temporaries each column cost page faults that exceed the arithmetic itself.
    diff = torch.empty_like(acc)
    width = 1
    while width < limit and (width < 2 or _still_dense(acc[::_SAMPLE] <= thr)):
        torch.sub(column(width).to(cdt), pc[width], out=diff)
        acc = acc.addcmul_(diff, diff) if metric == "l2" else torch.maximum(acc, diff.abs_(), out=acc)
        width += 1
    flags = torch.le(acc, thr, out=diff) if cdt == torch.float32 else _flags(torch.le, acc, thr)
    idx = _select(flags)
    return idx, acc[idx], width


def _threshold(metric, tol, cdt):
    limit = torch.tensor(tol, dtype=cdt)
    return limit * limit if metric == "l2" else limit


def _verify(xflat, starts, pat, acc, patterns, metric, tol, first_col, kernels: Kernels):
    """Keep the candidates whose whole window matches; returns (starts, pat, distances).

    ``acc`` holds each candidate's distance over the columns before ``first_col``. Blocks grow
    1, 2, 4, ... columns while many candidates remain; once few remain, one block takes the rest.
    """
    m = patterns.shape[1]
    single = patterns.shape[0] == 1
    cdt = acc.dtype
    thr = None if metric is None else _threshold(metric, tol, cdt).to(xflat.device)
    block_fn = {"l2": kernels.l2_block, "linf": kernels.linf_block}.get(metric)
    lo, width = first_col, 1
    while lo < m and starts.numel():
        hi = m if starts.numel() * (m - lo) <= _FEW else min(m, lo + width)
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
        lo, width = hi, min(_MAX_BLOCK, width * 2)
    dist = acc.sqrt() if metric == "l2" else acc
    return starts, pat, dist


def search(
    xflat: torch.Tensor,
    column: Callable[[int], torch.Tensor],
    to_flat: Callable[[torch.Tensor], torch.Tensor],
    patterns: torch.Tensor,
    metric: str | None,
    tol: float,
    kernels: Kernels,
):
    """Match ``patterns`` (P, m) at every valid start of ``xflat``.

    ``column(j)`` is the 1-D tensor of data values at offset ``j`` from every valid start, and
    ``to_flat(c)`` maps positions in it to indices into ``xflat``. Returns
    ``(pattern_ids, flat_starts, distances)`` sorted by pattern then start.
    """
    cdt = compute_dtype(xflat.dtype, patterns.dtype)
    if 1 < patterns.shape[0] <= _LOOP_PATTERNS:
        parts = [search(xflat, column, to_flat, patterns[i : i + 1], metric, tol, kernels) for i in range(patterns.shape[0])]
        pats = [part[0] + i for i, part in enumerate(parts)]
        return torch.cat(pats), torch.cat([p[1] for p in parts]), torch.cat([p[2] for p in parts])
    if patterns.shape[0] == 1:
        idx, acc, first_col = _dense_prefix(column, patterns, metric, tol, cdt)
        pat = torch.zeros_like(idx)
    else:
        idx, pat = candidates(column(0), patterns, metric, tol, cdt)
        acc, first_col = torch.zeros(idx.numel(), dtype=cdt, device=idx.device), 0
    out_starts, out_pats, out_dist = [], [], []
    for lo in range(0, max(idx.numel(), 1), _CHUNK):
        starts = to_flat(idx[lo : lo + _CHUNK])
        chunk = slice(lo, lo + _CHUNK)
        s, p, d = _verify(xflat, starts, pat[chunk], acc[chunk], patterns, metric, tol, first_col, kernels)
        out_starts.append(s), out_pats.append(p), out_dist.append(d)
    if len(out_starts) == 1:  # one chunk: nothing to concatenate
        starts, pats, dist = out_starts[0], out_pats[0], out_dist[0]
    else:
        starts, pats, dist = torch.cat(out_starts), torch.cat(out_pats), torch.cat(out_dist)
    if patterns.shape[0] > 1:
        order = torch.argsort(pats * xflat.numel() + starts)
        starts, pats, dist = starts[order], pats[order], dist[order]
    return pats, starts, dist
