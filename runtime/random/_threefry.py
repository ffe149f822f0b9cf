"""Threefry-2x32 (20 rounds) and the key operations JAX builds on it.

Follows ``jax/_src/random/threefry2x32.py`` in the mode JAX 0.10 uses by default
(``jax_threefry_partitionable=True``): every output element ``i`` of an array of shape ``s`` hashes
the 64-bit counter ``i`` (row-major index) split into ``(hi, lo)`` words, so element values do not
depend on how many elements are drawn. All tensors here are int32 bit patterns (see ``_u32``).
"""

from __future__ import annotations

import math

import torch

from ._u32 import rotl, wrap_i32

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA - (1 << 32)  # as int32


def _rounds(x0: torch.Tensor, x1: torch.Tensor, rotations) -> tuple[torch.Tensor, torch.Tensor]:
    for r in rotations:
        x0 = x0 + x1
        x1 = rotl(x1, r) ^ x0
    return x0, x1


def threefry2x32(k0, k1, x0, x1) -> tuple[torch.Tensor, torch.Tensor]:
    """Hash counter words ``(x0, x1)`` under key words ``(k0, k1)``; all broadcast together."""
    k2 = k0 ^ k1 ^ _PARITY
    ks = (k0, k1, k2)
    x0 = x0 + k0
    x1 = x1 + k1
    for i in range(5):
        x0, x1 = _rounds(x0, x1, _ROTATIONS[i % 2])
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + (i + 1)
    return x0, x1


def iota_2x32(shape: tuple[int, ...], device) -> tuple[torch.Tensor, torch.Tensor]:
    """The row-major index of every element of ``shape`` as (hi, lo) int32 words."""
    n = math.prod(shape)
    if n <= 2**31:
        lo = torch.arange(n, dtype=torch.int32, device=device)
        hi = torch.zeros_like(lo)
    else:
        idx = torch.arange(n, dtype=torch.int64, device=device)
        hi, lo = wrap_i32(idx >> 32), wrap_i32(idx)
    return hi.reshape(shape), lo.reshape(shape)


def hash_shape(key: torch.Tensor, shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """Both Threefry output words for every counter of ``shape`` (key: int32 tensor of shape (2,))."""
    hi, lo = iota_2x32(shape, key.device)
    return threefry2x32(key[0], key[1], hi, lo)


def split(key: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """``jax.random.split`` on one int32 key: new keys of shape ``shape + (2,)``."""
    b0, b1 = hash_shape(key, shape)
    return torch.stack([b0, b1], dim=-1)


def fold_in(key: torch.Tensor, data: torch.Tensor) -> torch.Tensor:
    """``jax.random.fold_in``: hash the counter pair (0, data) under ``key``."""
    zero = torch.zeros_like(data)
    b0, b1 = threefry2x32(key[0], key[1], zero, data)
    return torch.stack([b0, b1], dim=-1)


def random_bits(key: torch.Tensor, bit_width: int, shape: tuple[int, ...]) -> torch.Tensor:
    """Uniform bits as JAX draws them.

    32 bits and narrower: int32 holding ``b0 ^ b1`` truncated to ``bit_width`` (as a non-negative
    value for 8/16). 64 bits: int64 holding ``(b0 << 32) | b1`` as a two's-complement pattern.
    """
    b0, b1 = hash_shape(key, shape)
    if bit_width == 64:
        return (b0.to(torch.int64) << 32) | (b1.to(torch.int64) & 0xFFFFFFFF)
    bits = b0 ^ b1
    if bit_width == 32:
        return bits
    return bits & ((1 << bit_width) - 1)
