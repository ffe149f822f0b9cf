"""Argument checking shared by the pattern ops.

Every public pattern function funnels its inputs through here so that wrong shapes, dtypes, empty
inputs and out-of-range arguments fail the same way everywhere: ``TypeError`` for the wrong kind of
object or dtype, ``ValueError`` for a wrong shape, size or value, each naming the argument.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

METRICS = ("l2", "linf")


def as_data(data, name: str = "data") -> torch.Tensor:
    """A non-empty real (bool, integer or floating) tensor."""
    if not isinstance(data, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(data).__name__}")
    if data.is_complex():
        raise TypeError(f"{name} has complex dtype {data.dtype}; pattern ops need real values")
    if data.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a 0-d tensor")
    if data.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(data.shape)})")
    return data


def normalize_dim(dim: int, ndim: int, name: str = "dim") -> int:
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{name} must be an int, got {type(dim).__name__}")
    if not -ndim <= dim < ndim:
        raise ValueError(f"{name}={dim} is out of range for a tensor with {ndim} dimension(s)")
    return dim % ndim


def as_patterns(patterns, like: torch.Tensor, exact: bool, name: str = "pattern") -> torch.Tensor:
    """Patterns as a 2-D ``(P, m)`` tensor on ``like``'s device.

    A plain sequence takes the data's dtype. A tensor keeps its own dtype; for exact matching it
    must equal the data's dtype, because comparing across dtypes would silently round one side.
    """
    if isinstance(patterns, torch.Tensor):
        tensor = patterns
        if tensor.is_complex():
            raise TypeError(f"{name} has complex dtype {tensor.dtype}; pattern ops need real values")
        if exact and tensor.dtype != like.dtype:
            raise TypeError(
                f"{name} dtype {tensor.dtype} differs from the data dtype {like.dtype}; exact "
                f"matching compares values bit for bit, so convert one of them explicitly"
            )
    elif isinstance(patterns, Sequence) and not isinstance(patterns, (str, bytes)):
        tensor = torch.as_tensor(patterns, dtype=like.dtype)
    else:
        raise TypeError(f"{name} must be a torch.Tensor or a sequence of numbers, got {type(patterns).__name__}")
    if tensor.ndim == 1:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 2:
        raise ValueError(f"{name} must be 1-D (one pattern) or 2-D (patterns, length), got shape {tuple(tensor.shape)}")
    if tensor.shape[0] == 0 or tensor.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(tensor.shape)})")
    return tensor.to(like.device)


def check_fits(length: int, data_length: int, what: str = "pattern") -> None:
    if length > data_length:
        raise ValueError(f"{what} length {length} is longer than the data ({data_length} elements along the searched dim)")


def check_tol(tol, name: str = "tol") -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float)):
        raise TypeError(f"{name} must be a real number, got {type(tol).__name__}")
    tol = float(tol)
    if not math.isfinite(tol) or tol < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {tol}")
    return tol


def check_quant_tol(tol) -> float | None:
    """``None`` (exact bits) or a positive quantization step."""
    if tol is None:
        return None
    tol = check_tol(tol)
    if tol == 0:
        raise ValueError("tol must be > 0 for quantized window comparison (use tol=None for exact bits)")
    return tol


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    return metric


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value


def compute_dtype(*dtypes: torch.dtype) -> torch.dtype:
    """Distances are accumulated in float64 when any input is float64, else float32."""
    return torch.float64 if torch.float64 in dtypes else torch.float32
