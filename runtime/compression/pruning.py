"""Pruning masks: unstructured magnitude, structured (whole channels or blocks) and N:M.

A mask is a bool tensor of the weight's shape, ``True`` = keep. Masks feed :func:`apply_mask` or the
sparse encoder; ties at the threshold are broken by position so the kept count is exact.
"""

from __future__ import annotations

import torch

from . import _checks


def _keep_count(total: int, sparsity: float) -> int:
    return total - int(round(sparsity * total))


def _top_mask(scores: torch.Tensor, keep: int) -> torch.Tensor:
    mask = torch.zeros(scores.numel(), dtype=torch.bool, device=scores.device)
    if keep > 0:
        mask[torch.topk(scores.reshape(-1).float(), keep, sorted=False).indices] = True
    return mask.view(scores.shape)


def magnitude_mask(weights: torch.Tensor, sparsity: float) -> torch.Tensor:
    """Keep the ``1 - sparsity`` fraction of entries with the largest ``|w|``."""
    _checks.check_float(weights)
    sparsity = _checks.check_fraction(sparsity, "sparsity")
    return _top_mask(weights.abs(), _keep_count(weights.numel(), sparsity))


def channel_mask(weights: torch.Tensor, sparsity: float, axis: int = 0, p: float = 2.0) -> torch.Tensor:
    """Drop whole slices along ``axis`` (output channels by default) with the smallest L``p`` norm."""
    _checks.check_float(weights)
    sparsity = _checks.check_fraction(sparsity, "sparsity")
    ax = _checks.check_axis(weights, axis)
    moved = weights.movedim(ax, 0)
    norms = torch.linalg.vector_norm(moved.reshape(moved.shape[0], -1).float(), ord=p, dim=1)
    keep = _top_mask(norms, _keep_count(norms.numel(), sparsity))
    shape = [1] * weights.dim()
    shape[ax] = -1
    return keep.view(shape).expand(weights.shape).clone()


def block_mask(weights: torch.Tensor, sparsity: float, block_shape: tuple[int, int] = (4, 4)) -> torch.Tensor:
    """Drop ``block_shape`` tiles of a 2-D tensor with the smallest L2 norm (shape must tile evenly)."""
    _checks.check_float(weights)
    sparsity = _checks.check_fraction(sparsity, "sparsity")
    if weights.dim() != 2:
        raise ValueError(f"block_mask needs a 2-D tensor, got {weights.dim()}-D")
    bh, bw = (_checks.check_positive_int(b, "block_shape entry") for b in block_shape)
    rows, cols = weights.shape
    if rows % bh or cols % bw:
        raise ValueError(f"shape {tuple(weights.shape)} is not divisible by block_shape {(bh, bw)}")
    tiles = weights.float().reshape(rows // bh, bh, cols // bw, bw)
    norms = tiles.pow(2).sum(dim=(1, 3))
    keep = _top_mask(norms, _keep_count(norms.numel(), sparsity))
    return keep.repeat_interleave(bh, 0).repeat_interleave(bw, 1)


def n_m_mask(weights: torch.Tensor, n: int = 2, m: int = 4, axis: int = -1) -> torch.Tensor:
    """Keep the ``n`` largest-magnitude entries in every group of ``m`` consecutive ones along ``axis``.

    2:4 along the input dimension is the pattern sparse tensor cores accelerate.
    """
    _checks.check_float(weights)
    n = _checks.check_positive_int(n, "n")
    m = _checks.check_positive_int(m, "m")
    if n > m:
        raise ValueError(f"n must be <= m, got {n}:{m}")
    ax = _checks.check_axis(weights, axis)
    moved = weights.movedim(ax, -1)
    if moved.shape[-1] % m:
        raise ValueError(f"size {moved.shape[-1]} along axis {axis} is not a multiple of m={m}")
    groups = moved.abs().float().reshape(-1, m)
    keep = torch.zeros_like(groups, dtype=torch.bool)
    keep.scatter_(1, torch.topk(groups, n, dim=1, sorted=False).indices, True)
    return keep.view(moved.shape).movedim(-1, ax).contiguous()


def apply_mask(weights: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``weights`` with pruned entries set to zero (a new tensor)."""
    if mask.shape != weights.shape or mask.dtype != torch.bool:
        raise ValueError(f"mask must be a bool tensor of shape {tuple(weights.shape)}, got {mask.dtype} {tuple(mask.shape)}")
    return torch.where(mask, weights, torch.zeros((), dtype=weights.dtype, device=weights.device))
