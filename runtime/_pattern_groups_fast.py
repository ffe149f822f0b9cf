"""Grouping int64 codes by first appearance in one numba pass (the optional ``fast`` extra).

Why: the torch way to number equal codes is a sort (``torch.unique``) or, as ``_pattern_windows``
does, a few rounds of scatter into hash tables 16-32x the input, each a handful of whole-tensor
ops. The hierarchy runs that once per level on ever smaller inputs (25k, 12k, 6k, 3k windows at
100k elements), where the ~25 small torch ops and table fills cost more than the work. Here one
loop over the codes probes an open-addressing table twice their count (linear probing, codes
compared exactly), so the result is exact for any int64 codes and numbered by first appearance,
as :class:`_pattern_windows.Groups` is.

Single-threaded: the loop is ~5-10 ns per code, memory-latency bound on the table.
"""

from __future__ import annotations

import numpy as np
import torch

from . import _pattern_fused

if _pattern_fused.njit is not None:
    from numba import njit, uint64

    _MIX = 0x9E3779B97F4A7C15  # golden-ratio multiplier; the table index is its top bits

    @njit(cache=True, nogil=True)
    def _group_kernel(codes, shift, inverse, counts, first):
        size = 1 << (64 - shift)
        mask = size - 1
        # slot s holds (code, group) at 2s, 2s+1: one cache line per probe; group -1 = empty
        table = np.empty(2 * size, np.int64)
        table[1::2] = -1
        groups = 0
        mix = uint64(_MIX)
        for i in range(codes.shape[0]):
            code = codes[i]
            slot = np.int64((uint64(code) * mix) >> uint64(shift))
            while True:
                owner = table[2 * slot + 1]
                if owner < 0:
                    table[2 * slot] = code
                    table[2 * slot + 1] = groups
                    first[groups] = i
                    counts[groups] = 1
                    inverse[i] = groups
                    groups += 1
                    break
                if table[2 * slot] == code:
                    inverse[i] = owner
                    counts[owner] += 1
                    break
                slot = (slot + 1) & mask
        return groups

    @njit(cache=True, nogil=True)
    def _dense_kernel(codes, size, inverse, counts, first):
        group_of = np.full(size, -1, np.int32)  # codes index the table directly: no hash, no probe
        groups = 0
        for i in range(codes.shape[0]):
            code = codes[i]
            owner = group_of[code]
            if owner < 0:
                group_of[code] = groups
                first[groups] = i
                counts[groups] = 1
                inverse[i] = groups
                groups += 1
            else:
                inverse[i] = owner
                counts[owner] += 1
        return groups


def available(codes: torch.Tensor) -> bool:
    """Whether :func:`group_codes` handles these codes (numba present and switched on, CPU)."""
    return _pattern_fused.use_numba and codes.device.type == "cpu"


def group_codes(codes: torch.Tensor, size: int | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(inverse, counts, first)`` of int64 ``codes`` (flattened): ``inverse[i]`` numbers
    ``codes[i]``'s value by first appearance, ``counts[g]`` how often value ``g`` occurs,
    ``first[g]`` where first. ``size``, when given, promises codes in ``[0, size)``; a small enough
    range is then indexed directly. Call only when :func:`available`.
    """
    flat = codes.detach().reshape(-1).contiguous().numpy()
    n = flat.shape[0]
    inverse = np.empty(n, np.int64)
    counts = np.empty(n, np.int64)
    first = np.empty(n, np.int64)
    if size is not None and size <= max(1 << 16, 4 * n):
        groups = _dense_kernel(flat, size, inverse, counts, first)
    else:
        bits = max(4, (2 * n).bit_length())  # table of 2n..4n slots: probes stay short
        groups = _group_kernel(flat, 64 - bits, inverse, counts, first)
    return torch.from_numpy(inverse), torch.from_numpy(counts[:groups]), torch.from_numpy(first[:groups])
