"""Public samplers with ``jax.random``'s signatures: argument checking, dtype defaults, shapes.
The numerical work lives in ``_continuous``, ``_discrete`` and ``_gamma``."""

from __future__ import annotations

import math

import torch

from . import _continuous as C
from . import _discrete as D
from . import _gamma as G
from . import _threefry
from ._dtypes import UNSIGNED, canonical, default_float, default_int, default_uint
from ._keys import to_key_tensor
from ._u32 import as_u32


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def _float_dtype(dtype, name: str) -> torch.dtype:
    dt = canonical(dtype, default_float())
    if not dt.is_floating_point:
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {dt}")
    return dt


def _param(x, dtype, device) -> torch.Tensor:
    return torch.as_tensor(x, device=device).to(dtype)


def _broadcast_shape(name, shape, *params) -> tuple[int, ...]:
    shapes = [tuple(torch.as_tensor(p).shape) if not isinstance(p, torch.Tensor) else tuple(p.shape) for p in params]
    if shape is None:
        return tuple(torch.broadcast_shapes(*shapes)) if shapes else ()
    shape = _shape(shape)
    if shapes and tuple(torch.broadcast_shapes(shape, *shapes)) != shape:
        raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape argument {shape}")
    return shape


def bits(key, shape=(), dtype=None) -> torch.Tensor:
    """Uniform unsigned bits (default uint32; uint64 under x64). Bit-exact."""
    k = to_key_tensor(key, "bits")
    dt = canonical(dtype, default_uint())
    if dt not in UNSIGNED:
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dt}")
    width = torch.iinfo(dt).bits
    raw = _threefry.random_bits(k, width, _shape(shape))
    if width == 32:
        return as_u32(raw)
    if width == 64:
        return raw.view(torch.uint64)
    return raw.to(dt)


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0) -> torch.Tensor:
    """Uniform on [minval, maxval). Bit-exact (XLA's FMA in the affine map is reproduced)."""
    k = to_key_tensor(key, "uniform")
    dt = _float_dtype(dtype, "uniform")
    return C.uniform(k, _shape(shape), dt, minval, maxval)


def normal(key, shape=(), dtype=None) -> torch.Tensor:
    """Standard normal via ``sqrt(2) * erf_inv(u)``. Bit-exact on CPU for float32/16/bf16 (XLA's
    erf_inv and log1p reproduced); float64 follows XLA's float64 erf_inv and is ~99.998% bit-identical
    (max 3 ulp: XLA calls glibc's log, which differs from torch's on ~0.3% of inputs)."""
    k = to_key_tensor(key, "normal")
    dt = _float_dtype(dtype, "normal")
    from ._fused import normal as fused_normal

    return fused_normal(k, _shape(shape), dt)


def truncated_normal(key, lower, upper, shape=None, dtype=None) -> torch.Tensor:
    """Normal truncated to (lower, upper). Same algorithm as JAX; ``erf`` of the bounds comes from
    torch in float64, so values can differ from JAX by an ulp (not bit-exact)."""
    k = to_key_tensor(key, "truncated_normal")
    dt = _float_dtype(dtype, "truncated_normal")
    shape = _broadcast_shape("truncated_normal", shape, lower, upper)
    lo = _param(lower, dt, k.device)
    hi = _param(upper, dt, k.device)
    sqrt2 = math.sqrt(2)
    a = torch.special.erf(lo.double() / sqrt2).to(dt)
    b = torch.special.erf(hi.double() / sqrt2).to(dt)
    u = C.uniform(k, shape, dt, a, b)
    if dt == torch.float64:
        out = sqrt2 * C.xm.erf_inv64(u)
    else:
        out = (C.xm.erf_inv(u.float()) * torch.tensor(sqrt2, dtype=torch.float32)).to(dt)
    inf = torch.tensor(float("inf"), dtype=dt, device=k.device)
    return torch.clamp(out, torch.nextafter(lo, inf), torch.nextafter(hi, -inf))


def bernoulli(key, p=0.5, shape=None, mode: str = "low") -> torch.Tensor:
    """Boolean draws ``uniform < p`` (mode 'high' as JAX). Bit-exact."""
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    k = to_key_tensor(key, "bernoulli")
    p = p if isinstance(p, torch.Tensor) else torch.tensor(p, dtype=default_float())
    if not p.dtype.is_floating_point:
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {p.dtype}.")
    p = p.to(k.device)
    shape = tuple(p.shape) if shape is None else _broadcast_shape("bernoulli", shape, p)
    return D.bernoulli(k, p, shape, mode)


def rademacher(key, shape=(), dtype=None) -> torch.Tensor:
    """-1/+1 with equal probability (``2 * bernoulli - 1``). Bit-exact."""
    k = to_key_tensor(key, "rademacher")
    dt = canonical(dtype, default_int())
    b = D.bernoulli(k, torch.tensor(0.5, dtype=default_float(), device=k.device), _shape(shape), "low")
    return (2 * b.to(dt) - 1).to(dt)


def randint(key, shape, minval, maxval, dtype=None) -> torch.Tensor:
    """Integers in [minval, maxval) by JAX's two-word modulo method (same small bias). Bit-exact."""
    k = to_key_tensor(key, "randint")
    dt = canonical(dtype, default_int())
    if dt.is_floating_point or dt == torch.bool:
        raise TypeError(f"randint only accepts integer dtypes, got {dt}")
    shape = _broadcast_shape("randint", shape, minval, maxval)
    info = torch.iinfo(dt)
    if info.bits < 32:
        lo = torch.as_tensor(minval).to(torch.int64).clamp(info.min, info.max)
        hi = torch.as_tensor(maxval).to(torch.int64).clamp(info.min, info.max + 1)
        return D.randint_bits(k, shape, lo, hi, torch.int32).to(dt)
    return D.randint_bits(k, shape, minval, maxval, dt).to(dt)


def permutation(key, x, axis: int = 0, independent: bool = False) -> torch.Tensor:
    """A shuffled ``arange(x)`` or a shuffle of ``x`` along ``axis`` (sort-based, as JAX). Bit-exact."""
    k = to_key_tensor(key, "permutation")
    if isinstance(x, int) or (isinstance(x, torch.Tensor) and x.ndim == 0):
        return D.shuffle(k, torch.arange(int(x), dtype=default_int(), device=k.device), 0)
    x = torch.as_tensor(x, device=k.device)
    axis = axis % x.ndim
    if independent or x.ndim == 1:
        return D.shuffle(k, x, axis)
    ind = D.shuffle(k, torch.arange(x.shape[axis], device=k.device), 0)
    return torch.index_select(x, axis, ind)


def choice(key, a, shape=(), replace: bool = True, p=None, axis: int = 0, mode=None) -> torch.Tensor:
    """Samples from ``a`` (an int n or an array along ``axis``), as JAX. Bit-exact."""
    k = to_key_tensor(key, "choice")
    shape = _shape(shape)
    arr = a if isinstance(a, torch.Tensor) else torch.as_tensor(a)
    if arr.dtype == torch.int64 and not isinstance(a, torch.Tensor):
        arr = arr.to(default_int())
    arr = arr.to(k.device)
    n_inputs = int(a) if arr.ndim == 0 else arr.shape[axis % arr.ndim]
    axis = axis % arr.ndim if arr.ndim else 0
    n_draws = math.prod(shape)
    if n_draws == 0:
        return torch.zeros(shape, dtype=arr.dtype, device=k.device)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(k, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else torch.index_select(arr, axis, ind.reshape(-1).long())
        else:
            perm = permutation(k, n_inputs if arr.ndim == 0 else arr, axis)
            result = perm.narrow(axis, 0, n_draws)
    else:
        p_arr = p if isinstance(p, torch.Tensor) else torch.as_tensor(p, dtype=default_float())
        p_arr = p_arr.to(k.device)
        if not p_arr.dtype.is_floating_point:
            p_arr = p_arr.to(default_float())
        if tuple(p_arr.shape) != (n_inputs,):
            raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis].")
        if replace:
            p_cuml = torch.cumsum(p_arr, 0)
            r = p_cuml[-1] * (1 - C.uniform(k, shape, p_arr.dtype, 0.0, 1.0))
            ind = torch.searchsorted(p_cuml, r).to(default_int())
        else:
            g = C.gumbel(k, (n_inputs,), p_arr.dtype, mode or "low") + _log(p_arr)
            ind = D._top_k_indices(g, n_draws).to(default_int())
        result = ind if arr.ndim == 0 else torch.index_select(arr, axis, ind.reshape(-1).long())
    out_shape = shape if arr.ndim == 0 else tuple(arr.shape[:axis]) + shape + tuple(arr.shape[axis + 1:])
    return result.reshape(out_shape)


def _log(x: torch.Tensor) -> torch.Tensor:
    if x.dtype == torch.float64:
        return torch.log(x)
    return C.xm.log(x.float()).to(x.dtype)


def categorical(key, logits, axis: int = -1, shape=None, replace: bool = True, mode=None) -> torch.Tensor:
    """Indices drawn with probabilities ``softmax(logits)`` by the Gumbel-max trick. Bit-exact."""
    k = to_key_tensor(key, "categorical")
    logits = torch.as_tensor(logits, device=k.device)
    batch = list(logits.shape)
    del batch[axis]
    batch_shape = tuple(batch)
    shape = batch_shape if shape is None else _shape(shape)
    if shape[len(shape) - len(batch_shape):] != batch_shape:
        raise ValueError(f"categorical shape {shape} must end with the batch shape {batch_shape}")
    out = D.categorical(k, logits, axis, shape, batch_shape, replace, mode or "low")
    return out.to(default_int())


def gumbel(key, shape=(), dtype=None, mode=None) -> torch.Tensor:
    """Standard Gumbel, ``-log(-log(u))``. Bit-exact for modes 'low' (default) and 'high'."""
    k = to_key_tensor(key, "gumbel")
    return C.gumbel(k, _shape(shape), _float_dtype(dtype, "gumbel"), mode or "low")


def exponential(key, shape=(), dtype=None) -> torch.Tensor:
    """Standard exponential, ``-log1p(-u)``. Bit-exact except float64 (torch's log1p)."""
    k = to_key_tensor(key, "exponential")
    return C.exponential(k, _shape(shape), _float_dtype(dtype, "exponential"))


def laplace(key, shape=(), dtype=None) -> torch.Tensor:
    """Standard Laplace. Bit-exact except float64 (torch's log1p)."""
    k = to_key_tensor(key, "laplace")
    return C.laplace(k, _shape(shape), _float_dtype(dtype, "laplace"))


def logistic(key, shape=(), dtype=None) -> torch.Tensor:
    """Standard logistic, ``log(u) - log1p(-u)``. Bit-exact except float64."""
    k = to_key_tensor(key, "logistic")
    return C.logistic(k, _shape(shape), _float_dtype(dtype, "logistic"))


def cauchy(key, shape=(), dtype=None) -> torch.Tensor:
    """Standard Cauchy, ``tan(pi * (u - 0.5))``. Same uniforms as JAX; ``tan`` is torch's
    (float64, rounded), so values can differ from XLA's ``tan`` by an ulp or so."""
    k = to_key_tensor(key, "cauchy")
    dt = _float_dtype(dtype, "cauchy")
    u = C.uniform(k, _shape(shape), dt, torch.finfo(dt).eps, 1.0)
    pi = torch.tensor(math.pi, dtype=dt)
    return torch.tan((pi * (u - 0.5)).double()).to(dt)


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method: str = "cholesky") -> torch.Tensor:
    """``mean + factor @ z`` with JAX's normals ``z``; the factor comes from torch.linalg
    (cholesky/svd/eigh), so results agree with JAX to rounding, not bit for bit."""
    if method not in {"svd", "eigh", "cholesky"}:
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    k = to_key_tensor(key, "multivariate_normal")
    mean = torch.as_tensor(mean, device=k.device)
    cov = torch.as_tensor(cov, device=k.device)
    work = mean.dtype if mean.dtype.is_floating_point else default_float()
    dt = _float_dtype(dtype if dtype is not None else work, "multivariate_normal")
    mean, cov = mean.to(dt), cov.to(dt)
    n = mean.shape[-1]
    if tuple(cov.shape[-2:]) != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}")
    batch = tuple(torch.broadcast_shapes(mean.shape[:-1], cov.shape[:-2]))
    shape = batch if shape is None else _shape(shape)
    if method == "svd":
        u, s, _ = torch.linalg.svd(cov)
        factor = u * torch.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = torch.linalg.eigh(cov)
        factor = v * torch.sqrt(w[..., None, :])
    else:
        factor = torch.linalg.cholesky(cov)
    z = normal(k, shape + (n,), dt)
    return mean + torch.einsum("...ij,...j->...i", factor, z)


def orthogonal(key, n: int, shape=(), dtype=None, m=None) -> torch.Tensor:
    """Haar-random orthogonal (or semi-orthogonal ``n x m``) matrices: QR of JAX's normals with
    the sign fix; torch's LAPACK QR matches XLA's to rounding, not bit for bit."""
    k = to_key_tensor(key, "orthogonal")
    dt = _float_dtype(dtype, "orthogonal")
    m = n if m is None else m
    z = normal(k, (*_shape(shape), max(n, m), min(n, m)), dt)
    q, r = torch.linalg.qr(z)
    d = torch.diagonal(r, dim1=-2, dim2=-1)
    x = q * torch.sign(d).unsqueeze(-2)
    return x.mT if n < m else x


def gamma(key, a, shape=None, dtype=None) -> torch.Tensor:
    """Gamma(a, 1). Distribution-matched, not bit-exact (see ``_gamma``)."""
    k = to_key_tensor(key, "gamma")
    dt = _float_dtype(dtype, "gamma")
    shape = _broadcast_shape("gamma", shape, a)
    return G.gamma(k, _param(a, dt, k.device), shape, dt)


def loggamma(key, a, shape=None, dtype=None) -> torch.Tensor:
    """log of Gamma(a, 1) draws. Distribution-matched, not bit-exact."""
    k = to_key_tensor(key, "loggamma")
    dt = _float_dtype(dtype, "loggamma")
    shape = _broadcast_shape("loggamma", shape, a)
    return G.loggamma(k, _param(a, dt, k.device), shape, dt)


def beta(key, a, b, shape=None, dtype=None) -> torch.Tensor:
    """Beta(a, b) from two log-gamma draws, as JAX. Distribution-matched, not bit-exact."""
    k = to_key_tensor(key, "beta")
    dt = _float_dtype(dtype, "beta")
    shape = _broadcast_shape("beta", shape, a, b)
    ka, kb = _threefry.split(k, (2,))
    la = G.loggamma(ka, _param(a, torch.float64, k.device), shape, torch.float64)
    lb = G.loggamma(kb, _param(b, torch.float64, k.device), shape, torch.float64)
    top = torch.maximum(la, lb)
    ga, gb = torch.exp(la - top), torch.exp(lb - top)
    return (ga / (ga + gb)).to(dt)


def dirichlet(key, alpha, shape=None, dtype=None) -> torch.Tensor:
    """Dirichlet(alpha) as a softmax of log-gamma draws. Distribution-matched, not bit-exact."""
    k = to_key_tensor(key, "dirichlet")
    dt = _float_dtype(dtype, "dirichlet")
    alpha = _param(alpha, torch.float64, k.device)
    if alpha.ndim < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {alpha.ndim}")
    shape = tuple(alpha.shape[:-1]) if shape is None else _shape(shape)
    lg = G.loggamma(k, alpha, shape + tuple(alpha.shape[-1:]), torch.float64)
    return torch.softmax(lg, dim=-1).to(dt)


def t(key, df, shape=None, dtype=None) -> torch.Tensor:
    """Student's t: JAX's normal times ``sqrt(df/2 / gamma(df/2))``. Distribution-matched."""
    k = to_key_tensor(key, "t")
    dt = _float_dtype(dtype, "t")
    shape = _broadcast_shape("t", shape, df)
    kn, kg = _threefry.split(k, (2,))
    z = normal(kn, shape, dt)
    half = _param(df, dt, k.device) / 2
    g = G.gamma(kg, half, shape, dt)
    return z * torch.sqrt(half / g)


def poisson(key, lam, shape=None, dtype=None) -> torch.Tensor:
    """Poisson(lam). Distribution-matched, not bit-exact (see ``_gamma``)."""
    k = to_key_tensor(key, "poisson")
    dt = canonical(dtype, default_int())
    lam_t = _param(lam, torch.float32, k.device)
    shape = tuple(lam_t.shape) if shape is None else _shape(shape)
    return G.poisson(k, lam_t, shape, dt)


def ball(key, d: int, p: float = 2, shape=(), dtype=None) -> torch.Tensor:
    """Uniform in the unit ``p``-ball of dimension ``d`` (JAX's generalized-normal construction).
    Distribution-matched: the radius uses ``gamma``."""
    k = to_key_tensor(key, "ball")
    dt = _float_dtype(dtype, "ball")
    shape = _shape(shape)
    k1, k2 = _threefry.split(k, (2,))
    kg, kr = _threefry.split(k1, (2,))
    g = G.gamma(kg, torch.tensor(1.0 / p, dtype=dt, device=k.device), shape + (d,), dt)
    r = rademacher(as_u32(kr), shape + (d,), dt)
    gn = r * g ** (1.0 / p)
    e = C.exponential(k2, shape, dt)
    return gn / ((gn.abs() ** p).sum(-1) + e).pow(1.0 / p).unsqueeze(-1)
