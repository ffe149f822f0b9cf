"""Search for many patterns in many sequences at once.

Patterns of one length are matched together (a sorted lookup of first elements generates every
(pattern, start) candidate in one pass, see ``_pattern_engine``); patterns of different lengths
form separate groups. Sequences may be rows of a 2-D tensor or 1-D tensors of different lengths;
a sequence shorter than a pattern simply holds no match of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from . import _pattern_checks as checks
from . import _pattern_fused as fused
from ._pattern_engine import search
from ._pattern_kernels import EAGER, Kernels
from ._pattern_search import Matches, _searchable, _search_rows


def _sequences(data):
    """``(x2d or None, list of 1-D tensors)``: a 2-D view when all sequences share a length."""
    if isinstance(data, torch.Tensor):
        checks.as_data(data)
        if data.ndim == 1:
            return data.unsqueeze(0), None
        if data.ndim == 2:
            return data, None
        raise ValueError(f"data must be 1-D or 2-D (sequences, length), got shape {tuple(data.shape)}; use find(..., dim=) for N-D")
    if not isinstance(data, Sequence) or isinstance(data, (str, bytes)) or not data:
        raise TypeError("data must be a tensor or a non-empty sequence of 1-D tensors")
    seqs = [checks.as_data(s, f"data[{i}]") for i, s in enumerate(data)]
    for i, s in enumerate(seqs):
        if s.ndim != 1:
            raise ValueError(f"data[{i}] must be 1-D, got shape {tuple(s.shape)}")
        if s.dtype != seqs[0].dtype:
            raise TypeError(f"data[{i}] has dtype {s.dtype}, data[0] has {seqs[0].dtype}")
        if s.device != seqs[0].device:
            raise ValueError(f"data[{i}] is on {s.device}, data[0] on {seqs[0].device}")
    if len({s.numel() for s in seqs}) == 1:
        return torch.stack(seqs), None
    return None, seqs


def _pattern_groups(patterns, like, exact):
    """``[(global ids, (P_g, m) tensor)]``, one entry per distinct pattern length."""
    if isinstance(patterns, torch.Tensor) or (
        isinstance(patterns, Sequence) and patterns and not isinstance(patterns[0], (torch.Tensor, Sequence))
    ):
        tensor = checks.as_patterns(patterns, like, exact, "patterns")
        return [(torch.arange(tensor.shape[0], device=like.device), tensor)]
    if not isinstance(patterns, Sequence) or not patterns:
        raise TypeError("patterns must be a tensor or a non-empty sequence of 1-D patterns")
    rows = []
    for i, p in enumerate(patterns):
        tensor = checks.as_patterns(p, like, exact, f"patterns[{i}]")
        if tensor.shape[0] != 1:
            raise ValueError(f"patterns[{i}] must be 1-D, got shape {tuple(p.shape)}")
        rows.append(tensor[0])
    by_length: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        by_length.setdefault(row.numel(), []).append(i)
    return [(torch.tensor(ids, device=like.device), torch.stack([rows[i] for i in ids])) for ids in by_length.values()]


def _search_ragged(seqs, group, metric, tol, kernels):
    m = group.shape[1]
    lengths = torch.tensor([s.numel() for s in seqs])
    offsets = torch.cumsum(lengths, 0) - lengths
    xflat = torch.cat(seqs).detach()  # results carry no gradient (see _search_rows)
    group = group.detach()
    device = xflat.device
    thr = fused.plan(xflat, group, metric, tol)
    if thr is not None:
        widths = (lengths - m + 1).clamp_(min=0)
        pats, flat, dist = fused.search(xflat, offsets.numpy(), widths.numpy(), group, metric, thr)
    else:
        starts = torch.cat([off + torch.arange(max(0, n - m + 1)) for off, n in zip(offsets.tolist(), lengths.tolist())])
        starts = starts.to(device)
        pats, flat, dist = search(xflat, lambda j: xflat[starts + j], lambda c: starts[c], group, metric, tol, kernels)
    offsets = offsets.to(device)
    seq = torch.searchsorted(offsets, flat, right=True) - 1
    return pats, seq, flat - offsets[seq], dist


def find_batched(data, patterns, tol: float | None = None, metric: str = "l2", *, kernels: Kernels = EAGER) -> Matches:
    """Every match of every pattern in every sequence.

    ``data``: a 1-D tensor, a 2-D tensor of rows, or a sequence of 1-D tensors (lengths may
    differ). ``patterns``: a 1-D tensor, a 2-D ``(P, m)`` tensor, or a sequence of 1-D patterns
    (lengths may differ). ``tol=None`` matches exactly, else within ``tol`` under ``metric``.
    Returns positions ``(K, 3)`` with columns (pattern, sequence, start), sorted, and distances.
    """
    x2d, seqs = _sequences(data)
    like = x2d if x2d is not None else seqs[0]
    exact = tol is None
    metric = None if exact else checks.check_metric(metric)
    tol = 0.0 if exact else checks.check_tol(tol)
    groups = _pattern_groups(patterns, like, exact)
    longest = max(s.numel() for s in seqs) if seqs is not None else x2d.shape[1]
    checks.check_fits(min(g.shape[1] for _, g in groups), longest, "every pattern's")
    cdt = checks.compute_dtype(like.dtype, *(g.dtype for _, g in groups))
    out_pat, out_seq, out_start, out_dist = [], [], [], []
    for ids, group in groups:
        if group.shape[1] > longest:
            continue
        if x2d is not None:
            pats, seq, start, dist = _search_rows(_searchable(x2d).contiguous(), _searchable(group), metric, tol, kernels)
        else:
            pats, seq, start, dist = _search_ragged([_searchable(s) for s in seqs], _searchable(group), metric, tol, kernels)
        out_pat.append(ids[pats]), out_seq.append(seq), out_start.append(start), out_dist.append(dist.to(cdt))
    pat, seq, start, dist = (torch.cat(v) for v in (out_pat, out_seq, out_start, out_dist))
    key = (pat * (seq.max() + 1 if seq.numel() else 1) + seq) * (longest + 1) + start
    order = torch.argsort(key)
    return Matches(torch.stack([pat, seq, start], 1)[order], dist[order])
