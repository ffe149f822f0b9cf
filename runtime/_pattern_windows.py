"""Grouping equal windows: the base of recurring patterns, entropy and the hierarchy.

How values are compared (documented in docs/pattern.md):

- ``tol=None``: exact bits after two canonicalizations, ``-0.0 -> +0.0`` and every NaN -> one NaN.
  So two windows group together exactly when ``==`` holds element-wise, except that NaNs
  group with NaNs (``==`` never matches NaN).
- ``tol=q > 0``: each value is replaced by ``round(x / q)`` (round half to even, computed in
  float64) and windows group when all those integers are equal. This is a fixed grid, not a
  distance threshold: two values closer than ``q`` can fall on either side of a bin edge.
  Infinities saturate to the extreme bins and NaN gets its own bin.

Windows are hashed (``_pattern_kernels.window_hash``), grouped by hash, and every window is then
compared with its group's first window; if any pair differs (a hash collision) the grouping is
recomputed with an exact lexicographic ``torch.unique`` over the windows.

With numba on the CPU, the codes (packed windows, compacted keys, window hashes) are grouped in one
loop by ``_pattern_groups_fast`` instead of the torch tables and sorts below; same groups, same order.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from . import _pattern_groups_fast as fast
from ._pattern_kernels import _MIX, Kernels

_SATURATE = float(2**61)
_NAN_BIN = 2**62
_PACK_BITS = 62  # a packed window must stay a non-negative int64
_SAMPLE_STRIDE = 97  # every 97th key estimates how many distinct values there are


def window_keys(x: torch.Tensor, tol: float | None) -> torch.Tensor:
    """int64 keys, one per element, equal exactly when the values count as equal."""
    if tol is not None:
        q = torch.round(x.to(torch.float64) / tol).clamp_(-_SATURATE, _SATURATE)
        return torch.nan_to_num_(q, nan=float(_NAN_BIN)).to(torch.int64)
    if not x.is_floating_point():
        return x.to(torch.int64)
    canonical = torch.nan_to_num(x, nan=float("nan"), posinf=float("inf"), neginf=float("-inf")) + 0.0
    width = {8: torch.int64, 4: torch.int32, 2: torch.int16}[x.element_size()]
    return canonical.view(width).to(torch.int64)


class Groups(NamedTuple):
    """Windows grouped by equality.

    ``inverse[w]`` is the group of window ``w``; ``counts[g]`` its size; ``first[g]`` the index of
    its first window. Groups are numbered in order of first appearance.
    """

    inverse: torch.Tensor
    counts: torch.Tensor
    first: torch.Tensor


def _claim_rounds(codes: torch.Tensor, rounds: int = 4) -> torch.Tensor | None:
    """Index of the first window with each window's code, by a hash table instead of a sort.

    Each round hashes the still-unresolved codes into a table 16x to 32x their count, and every
    slot is claimed by the smallest window index landing there (``scatter_reduce`` amin). A window
    whose code equals its slot owner's code is resolved: windows with equal codes share a slot, so
    the owner is the first window with that code. Colliding windows try again with another
    multiplier. Codes are compared exactly, so the result is exact; None if collisions persist.
    """
    n = codes.numel()
    rep = torch.empty(n, dtype=torch.long, device=codes.device)
    todo = torch.arange(n, device=codes.device)
    sub = codes
    for attempt in range(rounds):
        bits = max(10, (16 * sub.numel()).bit_length())
        slots = (((sub + attempt) * _MIX) >> 24) & ((1 << bits) - 1)
        owner = torch.full((1 << bits,), n, dtype=torch.long, device=codes.device)
        owner.scatter_reduce_(0, slots, todo, "amin")
        mine = owner[slots]
        resolved = codes[mine] == sub
        rep[todo] = torch.where(resolved, mine, -1)
        if bool(resolved.all()):
            return rep
        left = torch.nonzero(~resolved).squeeze(1)
        todo, sub = todo[left], sub[left]
    return None


def _groups_from_reps(rep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(inverse, counts, first) numbered by first appearance, from each window's first index."""
    n = rep.numel()
    is_first = rep == torch.arange(n, device=rep.device)
    number = torch.cumsum(is_first, 0) - 1
    inverse = number[rep]
    first = torch.nonzero(is_first).squeeze(1)
    return inverse, torch.bincount(inverse, minlength=first.numel()), first


def _first_index(inverse, groups):
    n = inverse.numel()
    first = torch.full((groups,), n, dtype=torch.long, device=inverse.device)
    return first.scatter_reduce(0, inverse, torch.arange(n, device=inverse.device), "amin")


def _collision_free(keys, k, stride, rep_starts):
    """Whether every window equals the first window of its hash group (exact check).

    Column by column: this window's j-th keys are a strided slice, the representative's a gather.
    """
    per_row = (keys.shape[1] - k) // stride + 1
    flat = keys.reshape(-1)
    for j in range(k):
        mine = keys[:, j : j + (per_row - 1) * stride + 1 : stride].reshape(-1)
        if not torch.equal(mine, flat[rep_starts + j]):
            return False
    return True


def _dense_groups(codes: torch.Tensor, size: int):
    """unique(return_inverse, return_counts) for codes in ``[0, size)`` by counting, not sorting."""
    counts = torch.bincount(codes, minlength=size)
    present = torch.nonzero(counts).squeeze(1)
    rank = torch.zeros(size, dtype=torch.long, device=codes.device)
    rank[present] = torch.arange(present.numel(), device=codes.device)
    return rank[codes], counts[present]


def _hashed_groups(keys, k, stride, starts, kernels):
    """Group by a 64-bit hash, then prove every group exact (or regroup exactly)."""
    hashes = kernels.window_hash(keys, k)[:, ::stride].reshape(-1)
    if fast.available(hashes):
        inverse, counts, first = fast.group_codes(hashes)
    else:
        _, inverse, counts = torch.unique(hashes, return_inverse=True, return_counts=True)
        first = _first_index(inverse, counts.numel())
    if not _collision_free(keys, k, stride, starts[first[inverse]]):
        windows = keys.unfold(1, k, stride).reshape(-1, k)
        _, inverse, counts = torch.unique(windows, dim=0, return_inverse=True, return_counts=True)
    return inverse, counts


def _slot(keys: torch.Tensor, bits: int) -> torch.Tensor:
    return ((keys * _MIX) >> 24) & ((1 << bits) - 1)


def _ranks_via_table(keys: torch.Tensor, values: torch.Tensor, retries: int = 1) -> torch.Tensor | None:
    """Each key's index in ``values`` (distinct keys, from a sample), or None.

    A small hash table holding only ``values`` replaces the sort behind ``torch.unique``. Keys the
    sample missed are added once (a few rare values are common in weights); None when two values
    share a slot or too many keys are still missing. The read-back check makes returned ranks exact.
    """
    bits = max(10, (64 * values.numel()).bit_length())
    slots = _slot(values, bits)
    if torch.unique(slots).numel() != values.numel():
        return None
    table = torch.zeros(1 << bits, dtype=keys.dtype, device=keys.device)
    rank = torch.full((1 << bits,), -1, dtype=torch.long, device=keys.device)
    table[slots] = values
    rank[slots] = torch.arange(values.numel(), device=keys.device)
    where = _slot(keys, bits)
    ranks = rank[where]
    # An empty slot reads rank -1 (its table entry 0 could equal a key, so check both).
    missing = (table[where] != keys) | (ranks < 0)
    if not bool(missing.any()):
        return ranks
    extra = torch.unique(keys[missing])
    if retries == 0 or extra.numel() > values.numel():
        return None
    return _ranks_via_table(keys, torch.cat([values, extra]), retries - 1)


def _compact(keys: torch.Tensor, k: int) -> torch.Tensor:
    """Keys renumbered 0..D-1 when their range is too wide to pack but few values occur.

    Float bits of even a handful of values span ~30 bits, so windows of them cannot be packed;
    their ranks among the distinct values can. A strided sample decides whether that is likely to
    pay (few distinct values); the ranks keep equality exact either way.
    """
    low, high = int(keys.min()), int(keys.max())
    if (high - low + 1) ** k < 1 << _PACK_BITS:
        return keys
    sample = keys.reshape(-1)[::_SAMPLE_STRIDE]
    seen = torch.unique(sample)
    if seen.numel() * 2 > sample.numel() or (4 * seen.numel()) ** k >= 1 << _PACK_BITS:
        return keys
    if fast.available(keys):
        return fast.group_codes(keys)[0].reshape(keys.shape)  # numbered by first appearance: also exact
    ranks = _ranks_via_table(keys, seen)
    if ranks is None:
        ranks = torch.unique(keys, return_inverse=True)[1]
    return ranks.reshape(keys.shape)


def _tile_codes(keys, k, stride, per_row, window_fn):
    """``window_fn`` codes of every ``stride``-th window, one per window, flattened.

    Non-overlapping tiles (``stride == k``) are coded on a ``(tiles, k)`` view, so only the kept
    windows are computed; otherwise every start is coded and the strided ones kept.
    """
    if stride == k:
        return window_fn(keys[:, : per_row * k].reshape(-1, k)).reshape(-1)
    return window_fn(keys)[:, ::stride].reshape(-1)


def group_windows(keys: torch.Tensor, k: int, stride: int, kernels: Kernels) -> tuple[Groups, torch.Tensor]:
    """Group the length-``k`` windows (every ``stride``-th start) of each row of ``keys`` (R, L).

    Returns the groups and each window's flat start index into ``keys``. Windows are ordered row by
    row, start by start. ``keys`` must be contiguous.

    When the keys span a small enough range that a whole window packs into one int64 as a
    base-(range) number (quantized data, small integers, symbol ids), that code is the group key:
    exact, and grouped by ``bincount`` without any sort when the code range is small. Otherwise
    windows are hashed and verified.
    """
    rows, length = keys.shape
    per_row = (length - k) // stride + 1
    starts = (torch.arange(rows, device=keys.device).unsqueeze(1) * length + torch.arange(per_row, device=keys.device) * stride).reshape(-1)
    keys = _compact(keys, k)
    low, high = int(keys.min()), int(keys.max())
    size = (high - low + 1) ** k
    if size < 1 << _PACK_BITS:
        codes = _tile_codes(keys - low, k, stride, per_row, lambda t: kernels.window_pack(t, k, high - low + 1))
        if fast.available(codes):
            return Groups(*fast.group_codes(codes, size)), starts
        if size <= max(1 << 16, 2 * codes.numel()):
            inverse, counts = _dense_groups(codes, size)
        else:
            rep = _claim_rounds(codes)
            if rep is not None:
                inverse, counts, first = _groups_from_reps(rep)
                return Groups(inverse, counts, first), starts
            _, inverse, counts = torch.unique(codes, return_inverse=True, return_counts=True)
    else:
        inverse, counts = _hashed_groups(keys, k, stride, starts, kernels)
    first = _first_index(inverse, counts.numel())
    # Renumber groups by first appearance so results do not depend on codes or hash values.
    order = torch.argsort(first)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel(), device=order.device)
    return Groups(rank[inverse], counts[order], first[order]), starts


def shannon_entropy(counts: torch.Tensor, base: float | None) -> float:
    """Entropy of the distribution ``counts / counts.sum()``, in nats or in ``base`` units."""
    p = counts.to(torch.float64) / counts.sum()
    value = float(-(p * torch.log(p)).sum())
    if base is not None:
        value /= float(torch.log(torch.tensor(float(base), dtype=torch.float64)))
    return max(0.0, value)  # never -0.0 for a single group


def members(groups: Groups, ids: list[int]) -> list[torch.Tensor]:
    """Window indices of each group in ``ids`` (ascending), found in one pass over all windows."""
    if not ids:
        return []
    rank = torch.full_like(groups.counts, -1)
    rank[torch.tensor(ids, device=rank.device)] = torch.arange(len(ids), device=rank.device)
    of_window = rank[groups.inverse]
    chosen = torch.nonzero(of_window >= 0).squeeze(1)
    order = torch.sort(of_window[chosen], stable=True).indices
    return list(torch.split(chosen[order], groups.counts[ids].tolist()))
