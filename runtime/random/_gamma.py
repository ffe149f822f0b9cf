"""Rejection-based samplers: gamma (and beta, dirichlet, t through it) and poisson.

JAX runs Marsaglia-Tsang (gamma) and Knuth / transformed rejection (poisson) inside
``lax.while_loop``s whose per-element key-splitting schedule depends on how many proposals each
element needed. Reproducing that bit for bit means per-element data-dependent loops, which
neither vectorise in torch nor survive ``torch.func.vmap``/``torch.compile``. These samplers
therefore match JAX's *distribution*, not its bits: same algorithms, but every element draws a
fixed batch of proposals at once from the key and keeps the first accepted one. They stay pure
functions of the key (same key, same numbers, on every device and under vmap).
"""

from __future__ import annotations

import torch

from ._continuous import normal, uniform
from ._threefry import split

_PROPOSALS = 16  # P(all rejected) < 0.05**16 for Marsaglia-Tsang (acceptance >= 0.95)


def _first_accepted(candidates: torch.Tensor, accepted: torch.Tensor) -> torch.Tensor:
    """Along dim 0, the first candidate whose flag is set (the last one if none is)."""
    accepted = accepted.clone()
    accepted[-1] = True
    first = torch.argmax(accepted.to(torch.int8), dim=0, keepdim=True)
    return torch.take_along_dim(candidates, first, dim=0)[0]


def gamma(key, a: torch.Tensor, shape, dtype) -> torch.Tensor:
    """Gamma(a, 1) by Marsaglia-Tsang, boosted by ``u**(1/a)`` for ``a < 1`` (as JAX does)."""
    work = torch.float64 if dtype == torch.float64 else torch.float32
    a = a.to(work).expand(shape)
    boost = a < 1
    alpha = torch.where(boost, a + 1, a)
    d = alpha - 1.0 / 3.0
    c = (1.0 / 3.0) / torch.sqrt(d)
    k_x, k_u, k_boost = split(key, (3,))
    x = normal(k_x, (_PROPOSALS, *shape), work)
    u = uniform(k_u, (_PROPOSALS, *shape), work, 0.0, 1.0)
    v = (1 + x * c) ** 3
    x2 = x * x
    ok = (v > 0) & ((u < 1 - 0.0331 * x2 * x2) | (torch.log(u) < 0.5 * x2 + d * (1 - v + torch.log(v.clamp_min(1e-30)))))
    sample = d * _first_accepted(v, ok)
    ub = 1 - uniform(k_boost, tuple(shape), work, 0.0, 1.0)
    sample = torch.where(boost, sample * ub ** (1 / a), sample)
    return sample.to(dtype)


def loggamma(key, a, shape, dtype) -> torch.Tensor:
    """log of a Gamma(a) draw, kept finite for tiny ``a`` like JAX's log-space sampler."""
    g = gamma(key, a, shape, torch.float64)
    return torch.log(g.clamp_min(torch.finfo(torch.float64).tiny)).to(dtype)


def poisson(key, lam: torch.Tensor, shape, dtype) -> torch.Tensor:
    """Poisson(lam): inversion for ``lam < 10``, Hormann's PTRS rejection above (JAX's split)."""
    lam = lam.to(torch.float32).expand(shape)
    k_small, k_large = split(key, (2,))
    small = _poisson_inversion(k_small, torch.where(lam < 10, lam, torch.zeros_like(lam)), shape)
    large = _poisson_ptrs(k_large, torch.where(lam < 10, torch.full_like(lam, 100.0), lam), shape)
    out = torch.where(lam < 10, small, large)
    return torch.where(lam == 0, torch.zeros_like(out), out).to(dtype)


def _poisson_inversion(key, lam, shape, terms: int = 48) -> torch.Tensor:
    lam = lam.double()
    u = uniform(key, tuple(shape), torch.float64, 0.0, 1.0)
    pmf = torch.exp(-lam)
    cdf = pmf.clone()
    count = torch.zeros_like(lam)
    for k in range(1, terms):
        count = count + (cdf < u).double()
        pmf = pmf * lam / k
        cdf = cdf + pmf
    return count


def _poisson_ptrs(key, lam, shape) -> torch.Tensor:
    k_u, k_v = split(key, (2,))
    lam = lam.double()
    u = uniform(k_u, (_PROPOSALS, *shape), torch.float64, 0.0, 1.0) - 0.5
    v = uniform(k_v, (_PROPOSALS, *shape), torch.float64, 0.0, 1.0)
    log_lam = torch.log(lam)
    b = 0.931 + 2.53 * torch.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    us = 0.5 - u.abs()
    k = torch.floor((2 * a / us + b) * u + lam + 0.43)
    s = torch.log(v * inv_alpha / (a / (us * us) + b))
    t = -lam + k * log_lam - torch.lgamma(k + 1)
    accept = ((us >= 0.07) & (v <= v_r)) | (~((k < 0) | ((us < 0.013) & (v > us))) & (s <= t))
    return _first_accepted(k, accept)
