"""Integer and index samplers, bit-exact against JAX (pure integer work plus exact float steps)."""

from __future__ import annotations

import math

import torch

from . import _threefry
from ._continuous import gumbel, uniform
from ._u32 import to_u64


def _unsigned_rem64(a: torch.Tensor, n: torch.Tensor) -> torch.Tensor:
    """``a % n`` for uint64 bit patterns held in int64 (n > 0 as unsigned)."""
    half = (a >> 1) & 0x7FFFFFFFFFFFFFFF
    small = n > 0  # n < 2**63: plain signed arithmetic on the halved value is exact
    n_pos = torch.where(small, n, torch.ones_like(n))
    r = (half % n_pos) * 2 + (a & 1)
    r = torch.where(_ult(r, n_pos), r, r - n_pos)
    big = torch.where(_ult(a, n), a, a - n)  # n >= 2**63: at most one subtraction
    return torch.where(small, r, big)


def _ult(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    flip = -0x8000000000000000
    return (a ^ flip) < (b ^ flip)


def randint_bits(key, shape, minval, maxval, dtype: torch.dtype) -> torch.Tensor:
    """JAX's ``_randint``: two words of random bits per value, reduced modulo the span."""
    nbits = torch.iinfo(dtype).bits
    info = torch.iinfo(dtype)
    device = key.device
    minval = torch.as_tensor(minval, device=device).to(torch.int64)
    maxval = torch.as_tensor(maxval, device=device).to(torch.int64)
    out_of_range = maxval > info.max
    minval = minval.clamp(info.min, info.max)
    maxval = maxval.clamp(info.min, info.max)
    k = _threefry.split(key, (2,))
    hi = _threefry.random_bits(k[0], nbits, shape)
    lo = _threefry.random_bits(k[1], nbits, shape)
    if nbits == 64:
        span = maxval - minval
        span = torch.where(maxval <= minval, torch.ones_like(span), span)
        mult = _unsigned_rem64(torch.full_like(span, 1 << 32), span)
        mult = _unsigned_rem64(mult * mult, span)
        return minval + _unsigned_rem64(_unsigned_rem64(hi, span) * mult + _unsigned_rem64(lo, span), span)
    mask = (1 << nbits) - 1
    span = (maxval - minval) & mask
    span = torch.where(maxval <= minval, torch.ones_like(span), span)
    span = torch.where(out_of_range & (maxval > minval), (span + 1) & mask, span)
    full = span == 0  # the whole dtype range: XLA's rem by zero leaves the low word as is
    span_safe = torch.where(full, torch.ones_like(span), span)
    hi_u, lo_u = to_u64(hi), to_u64(lo)
    mult = (1 << (nbits // 2)) % span_safe
    mult = ((mult * mult) & mask) % span_safe  # uint32 products wrap, as in XLA
    off = ((((hi_u % span_safe) * mult) + (lo_u % span_safe)) & mask) % span_safe
    off = torch.where(full, lo_u, off)
    val = (minval + off) & mask
    val = torch.where(val > info.max, val - (1 << nbits), val)
    return val


def shuffle(key, x: torch.Tensor, axis: int) -> torch.Tensor:
    """JAX's sort-based shuffle: sort along ``axis`` by fresh 32-bit keys, ``num_rounds`` times."""
    n = max(1, x.numel())
    rounds = int(math.ceil(3 * math.log(n) / math.log(2**32 - 1)))
    for _ in range(rounds):
        key, sub = _threefry.split(key, (2,))
        sort_keys = to_u64(_threefry.random_bits(sub, 32, tuple(x.shape)))
        order = torch.sort(sort_keys, dim=axis, stable=True).indices
        x = torch.take_along_dim(x, order, dim=axis)
    return x


def bernoulli(key, p: torch.Tensor, shape, mode: str) -> torch.Tensor:
    dtype = p.dtype
    if mode == "high":
        u = uniform(key, (2, *shape), dtype, 0.0, 1.0)
        nmant = {torch.float16: 10, torch.bfloat16: 7, torch.float32: 23, torch.float64: 52}[dtype]
        return u[1] * (2.0 ** -nmant) < p - u[0]
    return uniform(key, shape, dtype, 0.0, 1.0) < p


def categorical(key, logits: torch.Tensor, axis: int, shape, batch_shape, replace: bool, mode: str):
    nd = logits.ndim
    axis = axis % nd if nd else 0
    prefix = tuple(shape[: len(shape) - len(batch_shape)])
    if replace:
        neg_axis = axis - nd
        lshape = list(shape[len(shape) - len(batch_shape):])
        lshape.insert(neg_axis % nd, logits.shape[neg_axis])
        g = gumbel(key, (*prefix, *lshape), logits.dtype, mode)
        expanded = logits.reshape((1,) * len(prefix) + tuple(logits.shape))
        return torch.argmax(g + expanded, dim=neg_axis)
    perturbed = logits + gumbel(key, tuple(logits.shape), logits.dtype, mode)
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise ValueError(f"Number of samples without replacement ({k}) cannot exceed number of "
                         f"categories ({logits.shape[axis]}).")
    idx = _top_k_indices(torch.movedim(perturbed, axis, -1), k)
    return torch.movedim(idx, -1, 0).reshape(tuple(shape))


def _top_k_indices(x: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k largest along the last axis; ties go to the lower index, like XLA."""
    order = torch.sort(x, dim=-1, descending=True, stable=True).indices
    return order[..., :k]
