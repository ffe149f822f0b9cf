"""Continuous samplers that are bit-exact against JAX on CPU (float32, float16, bfloat16; float64
where noted). Each follows the body of the same-named ``_name`` function in
``jax/_src/random/core.py``; the transcendental functions come from ``_xla_math``.
"""

from __future__ import annotations

import math

import torch

from . import _xla_math as xm
from ._uniform import unit_float

def _as(value, dtype, device) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.to(device=device, dtype=dtype)
    return torch.tensor(value, dtype=dtype, device=device)


def affine(u: torch.Tensor, minval, maxval, dtype: torch.dtype) -> torch.Tensor:
    """``max(minval, u * (maxval - minval) + minval)`` with XLA's rounding (FMA on CPU)."""
    lo = _as(minval, dtype, u.device)
    hi = _as(maxval, dtype, u.device)
    span = hi - lo
    if dtype == torch.float32:
        out = xm.fma(u, span, lo)
    elif dtype == torch.float64:
        out = xm.fma64(u, span.expand_as(u) if span.ndim else span.expand(u.shape), lo.expand(u.shape))
    elif dtype == torch.float16:
        out = xm.fma(u.float(), span.float(), lo.float()).to(dtype)
    else:
        out = u * span + lo
    return torch.maximum(lo, out)


def _r(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """A float32 intermediate as XLA CPU keeps it: bfloat16 ops round after every op (explicit
    converts in the HLO), float16 chains stay in float32 and round once at the end."""
    return x.to(dtype).float() if dtype == torch.bfloat16 else x


def uniform(key, shape, dtype, minval, maxval) -> torch.Tensor:
    return affine(unit_float(key, shape, dtype), minval, maxval, dtype)


def _f32_math(fn, u: torch.Tensor) -> torch.Tensor:
    """Apply a float32 XLA routine to ``u`` and return it in ``u``'s dtype (upcast for 16-bit)."""
    if u.dtype == torch.float64:
        raise NotImplementedError("float64 variant handled by the caller")
    return fn(u.float())


def _lowest_above_minus_one(dtype) -> float:
    return -1.0 + torch.finfo(dtype).eps / 2


def normal(key, shape, dtype) -> torch.Tensor:
    """``sqrt(2) * erf_inv(u)`` with ``u`` uniform on (-1, 1)."""
    u = uniform(key, shape, dtype, _lowest_above_minus_one(dtype), 1.0)
    if dtype == torch.float64:
        return math.sqrt(2) * xm.erf_inv64(u)
    e = xm.erf_inv(u.float())
    if dtype == torch.float32:
        return e * _as(math.sqrt(2), torch.float32, u.device)
    return e.to(dtype) * _as(math.sqrt(2), dtype, u.device)


def exponential(key, shape, dtype) -> torch.Tensor:
    """``-log1p(-u)``."""
    u = uniform(key, shape, dtype, 0.0, 1.0)
    if dtype == torch.float64:
        return -torch.log1p(-u)
    return (-xm.log1p(-u.float())).to(dtype)


def laplace(key, shape, dtype) -> torch.Tensor:
    """``sign(u) * log1p(-|u|)`` with ``u`` uniform on (-1, 1)."""
    u = uniform(key, shape, dtype, -1.0 + torch.finfo(dtype).eps / 2, 1.0)
    if dtype == torch.float64:
        return torch.sign(u) * torch.log1p(-u.abs())
    return (torch.sign(u).float() * xm.log1p(-u.abs().float())).to(dtype)


def logistic(key, shape, dtype) -> torch.Tensor:
    """``log(u) - log1p(-u)`` with ``u`` uniform on (tiny, 1)."""
    u = uniform(key, shape, dtype, torch.finfo(dtype).tiny, 1.0)
    if dtype == torch.float64:
        return torch.log(u) - torch.log1p(-u)
    return (_r(xm.log(u.float()), dtype) - _r(xm.log1p(-u.float()), dtype)).to(dtype)


def gumbel(key, shape, dtype, mode: str) -> torch.Tensor:
    """``-log(-log(u))`` ('low'); 'high' mixes a second draw into small ``u`` like JAX."""
    info = torch.finfo(dtype)
    if mode == "low":
        u = uniform(key, shape, dtype, info.tiny, 1.0)
        if dtype == torch.float64:
            return -torch.log(-torch.log(u))
        return (-xm.log(-_r(xm.log(u.float()), dtype))).to(dtype)
    if mode != "high":
        raise NotImplementedError("gumbel mode='highest' is not reproduced; use 'low' or 'high'")
    both = uniform(key, (2, *shape), dtype, 0.0, 1.0)
    high, low = both[0], both[1]
    nmant = {torch.float16: 10, torch.bfloat16: 7, torch.float32: 23, torch.float64: 52}[dtype]
    x = torch.where(high >= 0.5, high, high + (2.0 ** -nmant) * low + info.tiny)
    if dtype == torch.float64:
        return -torch.log(-torch.log1p(-x))
    return (-xm.log(-_r(xm.log1p(-x.float()), dtype))).to(dtype)
