"""Dense inner kernels of the pattern ops, eager or ``torch.compile``-d.

The pattern ops alternate dense work (compare a block of gathered windows, hash every window,
compute a distance profile) with data-dependent steps (``nonzero``, ``unique``) that a compiler
cannot fuse. Only the dense steps live here, so ``PyTorchPatternMatcher(compile=True)`` swaps in
compiled versions of exactly these and the control flow around them stays identical; that is what
makes the compiled results equal the eager ones.
"""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import torch

# 64-bit odd constants (splitmix64 / golden ratio) written as signed int64, since torch has no uint64 math.
_MIX = -7046029254386353131  # 0x9E3779B97F4A7C15
_MIX2 = -4658895280553007687  # 0xBF58476D1CE4E5B9
_BASE = -7723592293110705685  # 0x94D049BB133111EB


def _signed64(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def exact_block(xflat: torch.Tensor, starts: torch.Tensor, offsets: torch.Tensor, pg: torch.Tensor) -> torch.Tensor:
    """Whether the gathered window columns equal the pattern columns (IEEE ``==``)."""
    return (xflat[starts.unsqueeze(1) + offsets] == pg).all(1)


def l2_block(xflat, starts, offsets, pg, acc):
    """``acc`` plus the squared differences of this column block, in ``acc``'s dtype."""
    diff = xflat[starts.unsqueeze(1) + offsets].to(acc.dtype) - pg.to(acc.dtype)
    return acc + (diff * diff).sum(1)


def linf_block(xflat, starts, offsets, pg, acc):
    """``max(acc, max |x - p|)`` over this column block, in ``acc``'s dtype."""
    diff = xflat[starts.unsqueeze(1) + offsets].to(acc.dtype) - pg.to(acc.dtype)
    return torch.maximum(acc, diff.abs().amax(1))


def _doubling_windows(first: torch.Tensor, k: int, shift) -> torch.Tensor:
    """Every length-``k`` window code from length-1 codes by doubling: runs of 1, 2, 4, ... are
    combined along the binary digits of ``k`` as ``left * shift(len(right)) + right``, so it costs
    O(log k) passes instead of k."""
    cur, cur_len, res, res_len, remaining = first, 1, None, 0, k
    while remaining:
        if remaining & 1:
            if res is None:
                res, res_len = cur, cur_len
            else:
                count = res.shape[-1] - cur_len
                res = res[..., :count] * shift(cur_len) + cur[..., res_len : res_len + count]
                res_len += cur_len
        remaining >>= 1
        if remaining:
            count = cur.shape[-1] - cur_len
            cur = cur[..., :count] * shift(cur_len) + cur[..., cur_len : cur_len + count]
            cur_len *= 2
    return res[..., : first.shape[-1] - k + 1]


def window_hash(keys: torch.Tensor, k: int) -> torch.Tensor:
    """A 64-bit polynomial hash of every length-``k`` window along the last dim of int64 ``keys``.

    Arithmetic wraps modulo 2**64; equal windows always get equal hashes, and callers verify groups
    exactly, so a collision can cost time but never a wrong answer.
    """
    mixed = keys * _MIX
    return _doubling_windows((mixed ^ (mixed >> 31)) * _MIX2, k, lambda n: _signed64(pow(_BASE, n, 1 << 64)))


def window_pack(keys: torch.Tensor, k: int, radix: int) -> torch.Tensor:
    """Every length-``k`` window of ``keys`` (values in ``[0, radix)``, ``radix**k < 2**62``) as the
    base-``radix`` number of its elements, first element most significant: an exact, injective code.
    """
    return _doubling_windows(keys, k, lambda n: radix**n)


def profile_columns(x2d: torch.Tensor, pattern: torch.Tensor, squared: bool) -> torch.Tensor:
    """Distances of every window of each row of ``x2d`` to ``pattern``, one column at a time.

    m passes over the rows instead of an (n, m) window temporary: for the short patterns this is
    built for, the passes stay in cache and cost far less than materializing the windows.
    """
    m = pattern.shape[0]
    width = x2d.shape[1] - m + 1
    acc = torch.zeros(x2d.shape[0], width, dtype=x2d.dtype, device=x2d.device)
    for j in range(m):
        diff = x2d[:, j : j + width] - pattern[j]
        acc = acc.addcmul_(diff, diff) if squared else torch.maximum(acc, diff.abs_(), out=acc)
    return acc.sqrt_() if squared else acc


def profile_chunk(windows: torch.Tensor, pattern: torch.Tensor, squared: bool) -> torch.Tensor:
    """Distances of ``windows`` (rows) to ``pattern``: L2 when ``squared`` else L-inf."""
    diff = windows - pattern
    if squared:
        return (diff * diff).sum(-1).sqrt()
    return diff.abs().amax(-1)


class Kernels(NamedTuple):
    exact_block: Callable
    l2_block: Callable
    linf_block: Callable
    window_hash: Callable
    window_pack: Callable
    profile_columns: Callable
    profile_chunk: Callable


EAGER = Kernels(exact_block, l2_block, linf_block, window_hash, window_pack, profile_columns, profile_chunk)


@functools.lru_cache(maxsize=1)
def compiled() -> Kernels:
    """The same kernels through ``torch.compile`` (built once per process, compiled on first call)."""
    return Kernels(*(torch.compile(fn, dynamic=True) for fn in EAGER))
