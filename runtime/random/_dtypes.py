"""dtype handling shared by the samplers, mirroring JAX's x32/x64 defaults.

JAX's default float/int/uint widths depend on ``jax_enable_x64``; migrated code that turned it on
calls :func:`enable_x64` once so that default dtypes (and seed handling) match.
"""

from __future__ import annotations

import torch

_STATE = {"x64": False}

_NAMES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "uint8": torch.uint8, "uint16": torch.uint16, "uint32": torch.uint32,
    "uint64": torch.uint64, "bool": torch.bool, "float": torch.float64, "int": torch.int64,
}
_NARROW = {torch.float64: torch.float32, torch.int64: torch.int32, torch.uint64: torch.uint32}
UNSIGNED = {torch.uint8, torch.uint16, torch.uint32, torch.uint64}


def enable_x64(enabled: bool = True) -> None:
    """Follow ``jax.config.update("jax_enable_x64", enabled)``: 64-bit default dtypes and seeds."""
    _STATE["x64"] = bool(enabled)


def x64_enabled() -> bool:
    """Whether 64-bit JAX semantics are on (see :func:`enable_x64`)."""
    return _STATE["x64"]


def canonical(dtype, default: torch.dtype) -> torch.dtype:
    """A torch dtype from a torch/NumPy dtype, a name or a Python type; 64-bit narrows under x32."""
    if dtype is None:
        dtype = default
    elif not isinstance(dtype, torch.dtype):
        name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", None)
        name = str(getattr(dtype, "name", name))
        if name not in _NAMES:
            raise TypeError(f"unsupported dtype {dtype!r}")
        dtype = _NAMES[name]
    if not x64_enabled():
        dtype = _NARROW.get(dtype, dtype)
    return dtype


def default_float() -> torch.dtype:
    return torch.float64 if x64_enabled() else torch.float32


def default_int() -> torch.dtype:
    return torch.int64 if x64_enabled() else torch.int32


def default_uint() -> torch.dtype:
    return torch.uint64 if x64_enabled() else torch.uint32


def bit_width(dtype: torch.dtype) -> int:
    return torch.finfo(dtype).bits if dtype.is_floating_point else torch.iinfo(dtype).bits
