"""Helpers for comparing jax2torch_runtime.random with jax.random."""

from __future__ import annotations

import numpy as np
import torch

import jax
import jax.numpy as jnp


def jkey(seed: int):
    return jax.random.PRNGKey(seed)


def as_np(x) -> np.ndarray:
    """Any torch/JAX array as NumPy, with bfloat16/float16 widened to float32 exactly."""
    if isinstance(x, torch.Tensor):
        if x.dtype in (torch.bfloat16, torch.float16):
            x = x.float()
        if x.dtype in (torch.uint32, torch.uint64, torch.uint16):
            return x.cpu().numpy()
        return x.cpu().numpy()
    x = np.asarray(x)
    if x.dtype == jnp.bfloat16 or x.dtype == np.float16:
        x = x.astype(np.float32)
    return x


def assert_same_bits(ours, theirs) -> None:
    a, b = as_np(ours), as_np(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind == "f":
        a, b = a.astype(b.dtype), b
        np.testing.assert_array_equal(a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8))
    else:
        np.testing.assert_array_equal(a.astype(np.int64) if a.dtype != np.uint64 else a, b.astype(np.int64) if b.dtype != np.uint64 else b)
