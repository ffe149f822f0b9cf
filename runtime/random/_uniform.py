"""Random bits to floats, the way ``jax.random.uniform`` does it.

JAX fills the mantissa of a float in [1, 2) with the top random bits and subtracts one; for
dtypes with fewer than 8 mantissa bits (bfloat16) it draws 8 bits instead of 16. Every step is
exact integer work or a single correctly rounded float operation, so this is bit-exact on any
device; only the final affine map ``u * (maxval - minval) + minval`` may be contracted into a
fused multiply-add by XLA, which :func:`uniform` reproduces (see ``_xla_math.fma``).
"""

from __future__ import annotations

import torch

from . import _threefry
from ._u32 import shr

_ONE_BITS = {torch.float16: 0x3C00, torch.bfloat16: 0x3F80, torch.float32: 0x3F800000}
_NMANT = {torch.float16: 10, torch.bfloat16: 7, torch.float32: 23, torch.float64: 52}


def rng_bit_width(dtype: torch.dtype) -> int:
    """How many random bits JAX draws per float of ``dtype``."""
    nbits = torch.finfo(dtype).bits
    return 8 if _NMANT[dtype] < 8 else nbits


def bits_to_unit_float(bits: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Floats in [0, 1) from bits as returned by ``_threefry.random_bits`` for ``dtype``."""
    nmant = _NMANT[dtype]
    if dtype == torch.float64:
        mant = (bits >> 12) & ((1 << 52) - 1)
        return (mant | 0x3FF0000000000000).view(torch.float64) - 1.0
    shift = rng_bit_width(dtype) - nmant
    if dtype == torch.float32:
        pattern = shr(bits, shift) | _ONE_BITS[dtype]
        return pattern.view(torch.float32) - 1.0
    pattern = (bits >> shift) | _ONE_BITS[dtype]
    return pattern.to(torch.int16).view(dtype) - 1.0


def unit_float(key: torch.Tensor, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """``uniform(key, shape, dtype)`` with the default [0, 1) range."""
    bits = _threefry.random_bits(key, rng_bit_width(dtype), shape)
    return bits_to_unit_float(bits, dtype)
