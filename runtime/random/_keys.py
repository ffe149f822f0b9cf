"""Keys as plain tensors, and the key operations of ``jax.random``.

A key is a ``torch.uint32`` tensor whose last axis has length 2, exactly the data
``jax.random.key_data`` returns. Typed keys (``jax.random.key``) use the same representation: torch
has no extensible key dtype, and a plain tensor is what passes unchanged through
``torch.func.vmap``, ``torch.compile``, pytrees and device moves. The one visible difference from
JAX is that a typed key's ``.shape`` includes the trailing 2.
"""

from __future__ import annotations

import torch

from . import _threefry
from ._dtypes import x64_enabled
from ._u32 import as_i32, as_u32, wrap_i32

KEY_WIDTH = 2


def to_key_tensor(key, name: str, *, batched: bool = False) -> torch.Tensor:
    """Validate a key argument and return its bits as an int32 tensor of shape (..., 2)."""
    if not isinstance(key, torch.Tensor):
        key = torch.as_tensor(_numpy_u32(key))
    if key.dtype.is_floating_point or key.dtype == torch.bool:
        raise TypeError(f"{name}: a PRNG key must hold uint32 data, got dtype {key.dtype}")
    if key.ndim == 0 or key.shape[-1] != KEY_WIDTH:
        raise TypeError(f"{name}: a PRNG key must have a trailing axis of size 2, got {tuple(key.shape)}")
    if not batched and key.ndim != 1:
        raise ValueError(
            f"{name} accepts a single key, but was given a key array of shape "
            f"{tuple(key.shape[:-1])} != (). Use torch.func.vmap for batching.")
    return as_i32(key)


def _numpy_u32(key):
    import numpy as np

    return np.asarray(key).astype(np.uint32).view(np.int32)


def _seed_words(seed) -> tuple[int, int]:
    if isinstance(seed, torch.Tensor):
        if seed.ndim:
            raise TypeError(f"PRNGKey accepts a scalar seed, but was given a tensor of shape {tuple(seed.shape)}")
        if seed.dtype.is_floating_point:
            raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
        wide = seed.dtype in (torch.int64, torch.uint64)
        seed = int(seed.item())
    else:
        seed = int(seed)
        wide = True
    if not (x64_enabled() and wide):
        return 0, seed & 0xFFFFFFFF
    return (seed >> 32) & 0xFFFFFFFF, seed & 0xFFFFFFFF


def PRNGKey(seed, *, impl=None, device=None) -> torch.Tensor:
    """``jax.random.PRNGKey``: a raw key ``[hi, lo]`` of the seed (x32: the seed's low 32 bits)."""
    _check_impl(impl)
    hi, lo = _seed_words(seed)
    if device is None and isinstance(seed, torch.Tensor):
        device = seed.device
    words = torch.tensor([hi, lo], dtype=torch.int64, device=device)
    return as_u32(wrap_i32(words))


def key(seed, *, impl=None, dtype=None, device=None) -> torch.Tensor:
    """``jax.random.key``: same bits as :func:`PRNGKey` (typed keys are represented as raw data)."""
    _check_impl(impl if dtype is None else dtype)
    return PRNGKey(seed, device=device)


def key_data(keys) -> torch.Tensor:
    """``jax.random.key_data``: the uint32 data of (a batch of) keys, which is the key itself."""
    return as_u32(to_key_tensor(keys, "key_data", batched=True))


def wrap_key_data(key_bits_array, *, impl=None, dtype=None) -> torch.Tensor:
    """``jax.random.wrap_key_data``: validate uint32 key data and use it as (a batch of) keys."""
    _check_impl(impl if dtype is None else dtype)
    return as_u32(to_key_tensor(key_bits_array, "wrap_key_data", batched=True))


def _check_impl(impl) -> None:
    if impl is not None and str(getattr(impl, "name", impl)) not in ("threefry2x32", "key<fry>", "fry"):
        raise NotImplementedError(f"only the threefry2x32 PRNG is reproduced, got impl={impl!r}")


def split(key, num: int | tuple[int, ...] = 2) -> torch.Tensor:
    """``jax.random.split``: ``num`` (an int or a shape) new keys, shape ``(*num, 2)``."""
    k = to_key_tensor(key, "split")
    shape = tuple(num) if isinstance(num, (tuple, list, torch.Size)) else (int(num),)
    return as_u32(_threefry.split(k, shape))


def fold_in(key, data) -> torch.Tensor:
    """``jax.random.fold_in``: a new key from ``key`` and a 32-bit integer."""
    k = to_key_tensor(key, "fold_in")
    if isinstance(data, torch.Tensor):
        if data.ndim:
            raise TypeError(f"fold_in accepts a scalar, but was given a tensor of shape {tuple(data.shape)}")
        d = as_i32(data.to(k.device)) if data.dtype in (torch.int32, torch.uint32) else wrap_i32(data.to(k.device, torch.int64))
    else:
        d = wrap_i32(torch.tensor(int(data), dtype=torch.int64, device=k.device))
    return as_u32(_threefry.fold_in(k, d))
