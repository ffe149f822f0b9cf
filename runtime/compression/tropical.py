"""Tropical (max-plus) low-rank approximation: ``W[i, j] ~ max_k (A[i, k] + B[k, j])``.

Why it is here: the strategy selector needs a tropical candidate without depending on the separate
``jax2torch_runtime.tropical`` package. Construction (greedy residuation, after Butkovic's
"max-algebra" sub-solutions): pick the column with the largest current error, add it to ``A``,
then set ``B = A \\ W`` (``B[k, j] = min_i W[i, j] - A[i, k]``), the greatest ``B`` whose product
stays below ``W``; ``refine`` rounds then alternate the same residuation for ``A`` and ``B``;
finally shift ``A`` up by half the worst gap, which makes the L-inf error
``max_gap / 2``. Storage: ``rank * (rows + cols)`` floats instead of ``rows * cols``.
"""

from __future__ import annotations

import torch

from . import _checks
from .container import Compressed, dtype_name


def maxplus(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``max_k a[:, k] + b[k, :]`` by a loop over the (small) rank, so memory stays ``rows * cols``."""
    out = a[:, :1] + b[:1, :]
    for k in range(1, a.shape[1]):
        torch.maximum(out, a[:, k : k + 1] + b[k : k + 1, :], out=out)
    return out


def _residuate(w: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return torch.stack([(w - a[:, k : k + 1]).amin(dim=0) for k in range(a.shape[1])])


class TropicalLowRank(Compressed):
    """Factors ``A`` (rows x rank) and ``B`` (rank x cols) of a 2-D view ``(shape[0], -1)``."""

    kind = "tropical"

    def decompress(self) -> torch.Tensor:
        return maxplus(self.data["a"], self.data["b"]).view(self.shape).to(self.dtype)


def tropical_compress(weights: torch.Tensor, rank: int = 4, refine: int = 2) -> TropicalLowRank:
    """Greedy max-plus factorization of ``weights`` viewed as ``(shape[0], -1)``."""
    _checks.check_float(weights)
    rank = _checks.check_positive_int(rank, "rank")
    if weights.dim() < 2:
        raise ValueError(f"tropical_compress needs a tensor with at least 2 dims, got {weights.dim()}-D")
    w = weights.reshape(weights.shape[0], -1).float()
    _checks.check_finite(w)
    rank = min(rank, w.shape[1])
    columns = [int(torch.argmax(w.amax(0) - w.amin(0)))]
    while True:
        a = w[:, columns]
        b = _residuate(w, a)
        gap = (w - maxplus(a, b)).amax(dim=0)
        if len(columns) == rank:
            break
        columns.append(int(torch.argmax(gap)))
    for _ in range(refine):
        a = _residuate(w.T, b.T).T
        b = _residuate(w, a)
    gap = (w - maxplus(a, b)).amax()
    a = a + float(gap) / 2
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype), "rank": rank}
    return TropicalLowRank({"a": a.contiguous(), "b": b.contiguous()}, meta)
