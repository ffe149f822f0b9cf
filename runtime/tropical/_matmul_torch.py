"""Pure-torch tropical matmul: the fallback when neither numba (CPU) nor Triton (CUDA) is there.

Memory stays bounded: the ``(rows, kc, n)`` broadcast temporary is sized to a fixed budget
(L2-sized on the CPU), never ``m x k x n``. Measured on a 2-core AVX-512 box, blocks of 8 rows x
64 k's beat a one-k-at-a-time loop by 3x because each block's temporary stays in cache.

Large float32/float64 CPU products go to the compiled kernel of ``_matmul_inductor`` instead
(~5x ``torch.matmul`` against ~40x here) once it pays for its compile; until then the eager
time spent on products it could serve is charged to its cost model.
"""

from __future__ import annotations

import time

import torch

from . import _matmul_inductor
from ._semiring import Semiring

_CPU_BUDGET = 8 * 64 * 1024  # elements in the temporary: ~2 MB of float32
_CUDA_BUDGET = 16 * 1024 * 1024


def _block_sizes(m: int, k: int, n: int, device: torch.device) -> tuple[int, int]:
    budget = _CUDA_BUDGET if device.type == "cuda" else _CPU_BUDGET
    kc = min(k, 64)
    rows = max(1, min(m, budget // max(1, kc * n)))
    return rows, kc


def matmul(a: torch.Tensor, b: torch.Tensor, sr: Semiring, with_arg: bool):
    """Tropical ``a @ b`` for 2-D tensors of one dtype; returns ``(values, argk or None)``.

    NaN terms (``zero + top``, i.e. ``-inf + inf`` in max-plus) are replaced by the zero before
    reducing, so the zero absorbs exactly as in the compiled kernels.
    """
    m, k = a.shape
    n = b.shape[1]
    sanitize = bool(torch.isnan(a).any() or torch.isnan(b).any()
                    or ((a == sr.top).any() and (b == sr.zero).any())
                    or ((a == sr.zero).any() and (b == sr.top).any()))
    if with_arg or sanitize or not _matmul_inductor.applies(a, b):
        return _blocked(a, b, sr, with_arg, sanitize)
    if _matmul_inductor.pays(m * k * n):
        out = _matmul_inductor.matmul(a, b, sr)
        if out is not None:
            return out, None
        return _blocked(a, b, sr, with_arg, sanitize)
    start = time.perf_counter()
    result = _blocked(a, b, sr, with_arg, sanitize)
    _matmul_inductor.charge(time.perf_counter() - start)
    return result


def _blocked(a: torch.Tensor, b: torch.Tensor, sr: Semiring, with_arg: bool, sanitize: bool):
    """The eager loop over ``(rows, kc)`` blocks; ``sanitize`` turns NaN terms into the zero."""
    m, k = a.shape
    n = b.shape[1]
    rows, kc = _block_sizes(m, k, n, a.device)
    out = torch.full((m, n), sr.zero, dtype=a.dtype, device=a.device)
    arg = torch.zeros((m, n), dtype=torch.int64, device=a.device) if with_arg else None
    tmp = torch.empty((rows, kc, n), dtype=a.dtype, device=a.device)
    red = torch.empty((rows, n), dtype=a.dtype, device=a.device)
    combine = torch.fmax if sr.is_max else torch.fmin
    for i0 in range(0, m, rows):
        r = min(rows, m - i0)
        o = out[i0:i0 + r]
        for k0 in range(0, k, kc):
            k1 = min(k0 + kc, k)
            t = tmp[:r, :k1 - k0]
            torch.add(a[i0:i0 + r, k0:k1, None], b[None, k0:k1], out=t)
            if sanitize:
                torch.nan_to_num_(t, nan=sr.zero, posinf=float("inf"), neginf=float("-inf"))
            if with_arg:
                best, idx = sr.reduce_arg(t, 1)
                better = sr.better(best, o)
                arg[i0:i0 + r] = torch.where(better, idx + k0, arg[i0:i0 + r])
                o.copy_(torch.where(better, best, o))
            else:
                (torch.amax if sr.is_max else torch.amin)(t, dim=1, out=red[:r])
                combine(o, red[:r], out=o)
    return out, arg
