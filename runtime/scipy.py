"""jax.scipy.stats distributions and jax.scipy.linalg factorisations with SciPy's conventions.

Migrated code calls ``j2t.scipy.stats.<dist>.<fn>``, ``j2t.scipy.linalg.<fn>`` and
``j2t.scipy.signal.<fn>`` (convolutions, in ``_scipy_signal``).
``torch.distributions`` objects validate their arguments, reject out-of-support values instead of
returning ``-inf`` and have no ``loc``/``scale`` for most families, so the densities are written
out with JAX's formulas (integer inputs promoted to float32 as JAX does). The linear algebra maps
SciPy's ``lower=``/``trans=`` flags and 0-based LU pivots onto ``torch.linalg``. Torch-only.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import torch

from . import _scipy_optimize, _scipy_signal

__all__ = ["linalg", "optimize", "signal", "special", "stats"]


def _float(*args):
    """JAX's ``promote_args_inexact``: tensors (or numbers) in one floating dtype."""
    tensors = [torch.as_tensor(a) for a in args]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype) if t.ndim or t.is_floating_point() else dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        dtype = torch.float32
    return [t.to(dtype) for t in tensors]


def _betaln(a, b):
    return torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)


# ---- continuous distributions ------------------------------------------------------------------

def _norm_logpdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    var = scale * scale
    return -(torch.log(2 * math.pi * var) + (x - loc) * (x - loc) / var) / 2


def _norm_sf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    return torch.special.ndtr(-(x - loc) / scale)


def _norm_logsf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    return torch.special.log_ndtr(-(x - loc) / scale)


def _norm_isf(q, loc=0, scale=1):
    q, loc, scale = _float(q, loc, scale)
    return loc - scale * torch.special.ndtri(q)


def _uniform_logpdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    inside = (x >= loc) & (x <= loc + scale)
    return torch.where(inside, -torch.log(scale), -math.inf)


def _uniform_cdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    return torch.clamp((x - loc) / scale, 0, 1)


def _uniform_ppf(q, loc=0, scale=1):
    q, loc, scale = _float(q, loc, scale)
    return torch.where((q >= 0) & (q <= 1), loc + q * scale, math.nan)


def _expon_logpdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    y = (x - loc) / scale
    return torch.where(y < 0, -math.inf, -y - torch.log(scale))


def _expon_cdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    y = (x - loc) / scale
    return torch.where(y < 0, 0.0, -torch.expm1(-y))


def _expon_sf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    y = (x - loc) / scale
    return torch.where(y < 0, 1.0, torch.exp(-y))


def _expon_ppf(q, loc=0, scale=1):
    q, loc, scale = _float(q, loc, scale)
    return -torch.log1p(-q) * scale + loc


def _gamma_logpdf(x, a, loc=0, scale=1):
    x, a, loc, scale = _float(x, a, loc, scale)
    y = (x - loc) / scale
    out = torch.special.xlogy(a - 1, y) - y - torch.lgamma(a) - torch.log(scale)
    return torch.where(y < 0, -math.inf, out)


def _gamma_cdf(x, a, loc=0, scale=1):
    x, a, loc, scale = _float(x, a, loc, scale)
    return torch.special.gammainc(a, torch.clamp((x - loc) / scale, min=0))


def _gamma_sf(x, a, loc=0, scale=1):
    x, a, loc, scale = _float(x, a, loc, scale)
    return torch.special.gammaincc(a, torch.clamp((x - loc) / scale, min=0))


def _beta_logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = _float(x, a, b, loc, scale)
    y = (x - loc) / scale
    out = torch.special.xlogy(a - 1, y) + torch.special.xlog1py(b - 1, -y) - _betaln(a, b) - torch.log(scale)
    return torch.where((y < 0) | (y > 1), -math.inf, out)


def _t_logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = _float(x, df, loc, scale)
    z = (x - loc) / scale
    half = df / 2
    norm = torch.lgamma(half) + torch.log(scale * scale * math.pi * df) / 2 - torch.lgamma(half + 0.5)
    return -(norm + (half + 0.5) * torch.log1p(z * z / df))


def _laplace_logpdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    return -(torch.abs(x - loc) / scale + torch.log(2 * scale))


def _laplace_cdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    z = (x - loc) / scale
    return torch.where(z <= 0, 0.5 * torch.exp(z), 1 - 0.5 * torch.exp(-z))


def _cauchy_logpdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    z = (x - loc) / scale
    return -(torch.log(math.pi * scale) + torch.log1p(z * z))


def _cauchy_cdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    return 0.5 + torch.atan((x - loc) / scale) / math.pi


def _logistic_logpdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    half = (x - loc) / scale / 2
    return -2 * torch.logaddexp(half, -half) - torch.log(scale)


def _logistic_cdf(x, loc=0, scale=1):
    x, loc, scale = _float(x, loc, scale)
    return torch.sigmoid((x - loc) / scale)


def _mvn_logpdf(x, mean, cov, allow_singular=None):
    """Cholesky-based like JAX (a scalar ``cov`` is an isotropic variance)."""
    if allow_singular is not None:
        raise NotImplementedError("multivariate_normal.logpdf: allow_singular is not supported")
    x, mean, cov = _float(x, mean, cov)
    n = x.shape[-1]
    if cov.ndim == 0:
        y = x - mean
        return -0.5 * (y * y).sum(-1) / cov - n / 2 * (math.log(2 * math.pi) + torch.log(cov))
    chol = torch.linalg.cholesky(cov)
    y = torch.linalg.solve_triangular(chol, (x - mean).unsqueeze(-1), upper=False).squeeze(-1)
    return (-0.5 * (y * y).sum(-1) - n / 2 * math.log(2 * math.pi)
            - torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1))


# ---- discrete distributions --------------------------------------------------------------------

def _bernoulli_logpmf(k, p, loc=0):
    k, p, loc = _float(k, p, loc)
    x = k - loc
    out = torch.special.xlogy(x, p) + torch.special.xlog1py(1 - x, -p)
    return torch.where((x < 0) | (x > 1), -math.inf, out)


def _bernoulli_cdf(k, p, loc=0):
    k, p, loc = _float(k, p, loc)
    x = k - loc
    return torch.where(x < 0, 0.0, torch.where(x < 1, 1 - p, 1.0))


def _poisson_logpmf(k, mu, loc=0):
    k, mu, loc = _float(k, mu, loc)
    x = k - loc
    out = torch.special.xlogy(x, mu) - torch.lgamma(x + 1) - mu
    return torch.where((x < 0) | (torch.round(k) != k), -math.inf, out)


def _poisson_cdf(k, mu, loc=0):
    k, mu, loc = _float(k, mu, loc)
    x = k - loc
    return torch.where(x < 0, 0.0, torch.special.gammaincc(torch.floor(x) + 1, mu))


def _exp_of(logfn):
    def fn(*args, **kwargs):
        return torch.exp(logfn(*args, **kwargs))
    fn.__doc__ = f"exp of {logfn.__name__.lstrip('_')}"
    return fn


def _log_of(fn):
    def logfn(*args, **kwargs):
        return torch.log(fn(*args, **kwargs))
    return logfn


stats = SimpleNamespace(
    norm=SimpleNamespace(logpdf=_norm_logpdf, pdf=_exp_of(_norm_logpdf), sf=_norm_sf, logsf=_norm_logsf,
                         isf=_norm_isf),
    uniform=SimpleNamespace(logpdf=_uniform_logpdf, pdf=_exp_of(_uniform_logpdf), cdf=_uniform_cdf,
                            ppf=_uniform_ppf),
    expon=SimpleNamespace(logpdf=_expon_logpdf, pdf=_exp_of(_expon_logpdf), cdf=_expon_cdf, sf=_expon_sf,
                          ppf=_expon_ppf, logcdf=_log_of(_expon_cdf), logsf=_log_of(_expon_sf)),
    gamma=SimpleNamespace(logpdf=_gamma_logpdf, pdf=_exp_of(_gamma_logpdf), cdf=_gamma_cdf, sf=_gamma_sf,
                          logcdf=_log_of(_gamma_cdf), logsf=_log_of(_gamma_sf)),
    beta=SimpleNamespace(logpdf=_beta_logpdf, pdf=_exp_of(_beta_logpdf)),
    t=SimpleNamespace(logpdf=_t_logpdf, pdf=_exp_of(_t_logpdf)),
    laplace=SimpleNamespace(logpdf=_laplace_logpdf, pdf=_exp_of(_laplace_logpdf), cdf=_laplace_cdf),
    cauchy=SimpleNamespace(logpdf=_cauchy_logpdf, pdf=_exp_of(_cauchy_logpdf), cdf=_cauchy_cdf),
    logistic=SimpleNamespace(logpdf=_logistic_logpdf, pdf=_exp_of(_logistic_logpdf), cdf=_logistic_cdf),
    multivariate_normal=SimpleNamespace(logpdf=_mvn_logpdf, pdf=_exp_of(_mvn_logpdf)),
    bernoulli=SimpleNamespace(logpmf=_bernoulli_logpmf, pmf=_exp_of(_bernoulli_logpmf), cdf=_bernoulli_cdf),
    poisson=SimpleNamespace(logpmf=_poisson_logpmf, pmf=_exp_of(_poisson_logpmf), cdf=_poisson_cdf),
)

special = SimpleNamespace(betaln=lambda a, b: _betaln(*_float(a, b)))


# ---- linear algebra ----------------------------------------------------------------------------

def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, debug=None,
                      check_finite=True):
    """SciPy's flags: ``trans`` 0/'N', 1/'T' (transpose), 2/'C' (conjugate transpose); a 1-D ``b``."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    trans = {"N": 0, "T": 1, "C": 2}.get(trans, trans)
    if trans:
        a = a.mT.conj() if trans == 2 else a.mT
        lower = not lower
    vector = b.ndim == a.ndim - 1
    out = torch.linalg.solve_triangular(a, b.unsqueeze(-1) if vector else b, upper=not lower,
                                        unitriangular=unit_diagonal)
    return out.squeeze(-1) if vector else out


def _cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)``: the Cholesky factor in the requested triangle (zeros elsewhere)."""
    c = torch.linalg.cholesky(torch.as_tensor(a), upper=not lower)
    return c, lower


def _cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    b = torch.as_tensor(b)
    vector = b.ndim == c.ndim - 1
    out = torch.cholesky_solve(b.unsqueeze(-1) if vector else b, c, upper=not lower)
    return out.squeeze(-1) if vector else out


def _lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    p, lower, upper = torch.linalg.lu(torch.as_tensor(a))
    return (p @ lower, upper) if permute_l else (p, lower, upper)


def _lu_factor(a, overwrite_a=False, check_finite=True):
    """``(lu, piv)`` with SciPy's 0-based pivots (LAPACK/torch count from 1)."""
    lu, piv = torch.linalg.lu_factor(torch.as_tensor(a))
    return lu, piv - 1


def _lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    lu, piv = lu_and_piv
    b = torch.as_tensor(b)
    vector = b.ndim == lu.ndim - 1
    rhs = b.unsqueeze(-1) if vector else b
    if trans in (0, "N"):
        out = torch.linalg.lu_solve(lu, (piv + 1).to(torch.int32), rhs)
    elif trans in (1, "T") and not lu.is_complex():
        out = torch.linalg.lu_solve(lu, (piv + 1).to(torch.int32), rhs, adjoint=True)
    elif trans in (2, "C"):
        out = torch.linalg.lu_solve(lu, (piv + 1).to(torch.int32), rhs, adjoint=True)
    else:
        raise NotImplementedError("lu_solve: trans=1 on complex input is not supported by j2t.scipy")
    return out.squeeze(-1) if vector else out


def _eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, type=1,  # noqa: A002
          check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    if b is not None or subset_by_index is not None or subset_by_value is not None:
        raise NotImplementedError("eigh: generalized problems and subsets are not supported by j2t.scipy")
    a = torch.as_tensor(a)
    uplo = "L" if lower else "U"
    return torch.linalg.eigvalsh(a, UPLO=uplo) if eigvals_only else tuple(torch.linalg.eigh(a, UPLO=uplo))


def _svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
         lapack_driver="gesdd"):
    a = torch.as_tensor(a)
    return tuple(torch.linalg.svd(a, full_matrices=full_matrices)) if compute_uv else torch.linalg.svdvals(a)


def _qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """SciPy's modes: 'full' (torch 'complete'), 'economic' ('reduced'), 'r' (the full-mode R
    alone, as a 1-tuple; torch's mode='r' gives the reduced R)."""
    if pivoting:
        raise NotImplementedError("qr(pivoting=True) is not supported by j2t.scipy")
    a = torch.as_tensor(a)
    if mode == "r":
        return (torch.linalg.qr(a, mode="complete").R,)
    return tuple(torch.linalg.qr(a, mode={"full": "complete", "economic": "reduced"}[mode]))


linalg = SimpleNamespace(solve_triangular=_solve_triangular, cho_factor=_cho_factor, cho_solve=_cho_solve,
                         lu=_lu, lu_factor=_lu_factor, lu_solve=_lu_solve, eigh=_eigh, svd=_svd, qr=_qr)

signal = SimpleNamespace(convolve=_scipy_signal.convolve, correlate=_scipy_signal.correlate,
                         convolve2d=_scipy_signal.convolve2d, correlate2d=_scipy_signal.correlate2d)

optimize = SimpleNamespace(minimize=_scipy_optimize.minimize, OptimizeResults=_scipy_optimize.OptimizeResults)
