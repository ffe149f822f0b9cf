"""uint32 arithmetic on int32 storage.

torch has a ``uint32`` dtype but (as of 2.13) no add, shift or compare kernels for it, on CPU or
under Inductor. Threefry only needs wrapping add, xor and rotations, which are the same bit
patterns in two's-complement ``int32``; only right shifts and comparisons need care, so they are
spelled out here once.
"""

from __future__ import annotations

import torch

MASK32 = 0xFFFFFFFF


def as_i32(x: torch.Tensor) -> torch.Tensor:
    """Reinterpret uint32 data (or any 32-bit integer tensor) as int32 without copying."""
    if x.dtype == torch.int32:
        return x
    if x.dtype == torch.uint32:
        return x.view(torch.int32)
    return wrap_i32(x.to(torch.int64))


def as_u32(x: torch.Tensor) -> torch.Tensor:
    """Reinterpret int32 bit patterns as torch.uint32 (the dtype JAX's key data has)."""
    return x.view(torch.uint32)


def wrap_i32(x: torch.Tensor) -> torch.Tensor:
    """int64 -> int32 keeping the low 32 bits (two's complement), without relying on cast overflow."""
    return (((x + 0x80000000) & MASK32) - 0x80000000).to(torch.int32)


def to_u64(x: torch.Tensor) -> torch.Tensor:
    """int32 bit pattern -> its unsigned value as int64 (0 .. 2**32-1)."""
    return x.to(torch.int64) & MASK32


def shr(x: torch.Tensor, s: int) -> torch.Tensor:
    """Logical right shift of int32 bit patterns by a constant 0 < s < 32."""
    return (x >> s) & ((1 << (32 - s)) - 1)


def rotl(x: torch.Tensor, r: int) -> torch.Tensor:
    """Rotate int32 bit patterns left by a constant 0 < r < 32."""
    return (x << r) | shr(x, 32 - r)
