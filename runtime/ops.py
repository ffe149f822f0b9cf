"""``jax.ops.segment_*``: reductions of rows of ``data`` into ``num_segments`` buckets.

JAX semantics kept: the result has ``num_segments`` rows (``max(segment_ids) + 1`` when not
given), ids outside ``[0, num_segments)`` (negative ones included) are dropped, and an empty
segment holds the reduction's identity (0 for sum, 1 for prod, the dtype's lowest value for max,
its highest for min: ``-inf``/``inf`` for floats). ``indices_are_sorted``/``unique_indices`` are
performance hints and ``bucket_size`` a JAX memory knob; all are accepted and ignored.
"""

from __future__ import annotations

import torch

__all__ = ["segment_sum", "segment_prod", "segment_max", "segment_min"]


def _identity(kind: str, dtype: torch.dtype):
    if kind == "sum":
        return 0
    if kind == "prod":
        return 1
    if dtype == torch.bool:
        return kind == "amin"
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    if dtype.is_floating_point:
        return float("-inf") if kind == "amax" else float("inf")
    return info.min if kind == "amax" else info.max


def _segment(kind, data, segment_ids, num_segments, mode):
    if mode not in (None, "fill", "drop", "promise_in_bounds"):
        raise ValueError(f"jax.ops.segment_*: mode {mode!r} is not supported (only the default drop)")
    data = torch.as_tensor(data)
    ids = torch.as_tensor(segment_ids, device=data.device).long()
    if ids.shape != data.shape[:ids.ndim]:
        raise ValueError(f"segment_ids shape {tuple(ids.shape)} must be a prefix of data shape {tuple(data.shape)}")
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    rest = data.shape[ids.ndim:]
    flat_ids, flat = ids.reshape(-1), data.reshape(-1, *rest)
    valid = (flat_ids >= 0) & (flat_ids < num_segments)
    if not bool(valid.all()):
        flat_ids, flat = flat_ids[valid], flat[valid]
    out = torch.full((num_segments, *rest), _identity(kind, data.dtype), dtype=data.dtype, device=data.device)
    if kind == "sum":
        return out.index_add(0, flat_ids, flat)
    index = flat_ids.reshape(-1, *([1] * len(rest))).expand_as(flat)
    return out.scatter_reduce(0, index, flat, reduce=kind, include_self=True)


def segment_sum(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                bucket_size=None, mode=None) -> torch.Tensor:
    """``jax.ops.segment_sum``: ``out[s] = sum(data[i] for i with segment_ids[i] == s)``."""
    return _segment("sum", data, segment_ids, num_segments, mode)


def segment_prod(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                 bucket_size=None, mode=None) -> torch.Tensor:
    """``jax.ops.segment_prod``: products per segment (1 for an empty one)."""
    return _segment("prod", data, segment_ids, num_segments, mode)


def segment_max(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                bucket_size=None, mode=None) -> torch.Tensor:
    """``jax.ops.segment_max``: maxima per segment (``-inf`` / the integer minimum for an empty one)."""
    return _segment("amax", data, segment_ids, num_segments, mode)


def segment_min(data, segment_ids, num_segments=None, indices_are_sorted=False, unique_indices=False,
                bucket_size=None, mode=None) -> torch.Tensor:
    """``jax.ops.segment_min``: minima per segment (``inf`` / the integer maximum for an empty one)."""
    return _segment("amin", data, segment_ids, num_segments, mode)
