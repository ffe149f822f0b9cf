"""Argument validation shared by the encoders, so every op fails with the same clear messages."""

from __future__ import annotations

import torch

FLOAT_DTYPES = (torch.float32, torch.float16, torch.bfloat16, torch.float64)


def check_tensor(x: object, name: str = "weights") -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); nothing to compress")
    return x


def check_float(x: object, name: str = "weights") -> torch.Tensor:
    x = check_tensor(x, name)
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be float32/float16/bfloat16/float64, got {x.dtype}")
    return x


def check_finite(x: torch.Tensor, name: str = "weights") -> None:
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} contains inf or nan; this lossy encoding needs finite values")


def check_bits(bits: object, low: int = 2, high: int = 8) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int):
        raise TypeError(f"bits must be an int, got {type(bits).__name__}")
    if not low <= bits <= high:
        raise ValueError(f"bits must be in [{low}, {high}], got {bits}")
    return bits


def check_axis(x: torch.Tensor, axis: int) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"axis must be an int, got {type(axis).__name__}")
    if x.dim() == 0:
        raise ValueError("per-channel encoding needs at least a 1-D tensor, got a scalar")
    if not -x.dim() <= axis < x.dim():
        raise ValueError(f"axis {axis} out of range for a {x.dim()}-D tensor")
    return axis % x.dim()


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def check_fraction(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return float(value)
