"""runtime.scipy against jax.scipy: densities inside and outside the support, loc/scale, and the
linalg flag mappings (lower/trans, 0-based pivots, qr modes)."""

import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
import pytest
import torch

from jax2torch_runtime import scipy as js

RNG = np.random.default_rng(7)
X = np.concatenate([RNG.standard_normal(20) * 2, [-1.0, 0.0, 1.0, 2.0]]).astype(np.float32)

CASES = [  # (distribution, function, extra args)
    ("norm", "logpdf", (0.5, 2.0)), ("norm", "sf", (0.0, 1.5)), ("norm", "logsf", ()),
    ("uniform", "logpdf", (-1.0, 2.0)), ("uniform", "cdf", (-1.0, 2.0)),
    ("expon", "logpdf", (-0.5, 2.0)), ("expon", "cdf", (0.0, 0.5)), ("expon", "sf", (0.1, 2.0)),
    ("gamma", "logpdf", (2.5, -1.0, 0.5)), ("gamma", "cdf", (1.5,)), ("gamma", "sf", (0.7,)),
    ("beta", "logpdf", (2.0, 3.0, -2.0, 4.0)), ("t", "logpdf", (3.0, 1.0, 2.0)),
    ("laplace", "logpdf", (0.5, 2.0)), ("laplace", "cdf", (0.0, 0.5)), ("cauchy", "cdf", (1.0, 2.0)),
    ("logistic", "logpdf", (1.0, 0.5)), ("logistic", "cdf", (0.0, 2.0)),
    ("bernoulli", "logpmf", (0.3,)), ("bernoulli", "cdf", (0.3,)),
    ("poisson", "logpmf", (2.5,)), ("poisson", "cdf", (2.5,)),
]


@pytest.mark.parametrize("dist,fn,args", CASES, ids=[f"{d}.{f}" for d, f, _ in CASES])
def test_distribution_matches_jax(dist, fn, args):
    want = np.asarray(getattr(getattr(jsp.stats, dist), fn)(jnp.asarray(X), *args))
    got = getattr(getattr(js.stats, dist), fn)(torch.from_numpy(X), *args)
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)


def test_integer_input_is_promoted_like_jax():
    k = np.arange(-2, 5, dtype=np.int32)
    want = np.asarray(jsp.stats.poisson.logpmf(jnp.asarray(k), 2.0))
    got = js.stats.poisson.logpmf(torch.from_numpy(k), 2.0)
    assert got.dtype == torch.float32 and np.isneginf(got.numpy()[:2]).all()
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)


def test_multivariate_normal_full_and_isotropic_covariance():
    a = RNG.standard_normal((3, 3)).astype(np.float32)
    cov = a @ a.T + np.eye(3, dtype=np.float32)
    x, m = RNG.standard_normal((5, 3)).astype(np.float32), RNG.standard_normal(3).astype(np.float32)
    for c in (cov, np.float32(2.0)):
        want = np.asarray(jsp.stats.multivariate_normal.logpdf(x, m, c))
        got = js.stats.multivariate_normal.logpdf(torch.from_numpy(x), torch.from_numpy(m), torch.as_tensor(c))
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("trans,lower", [(0, False), (1, True), ("C", False), (2, True)])
def test_solve_triangular_flags(trans, lower):
    a = (RNG.standard_normal((4, 4)) + 4 * np.eye(4)).astype(np.float32)
    b = RNG.standard_normal((4, 2)).astype(np.float32)
    want = np.asarray(jsp.linalg.solve_triangular(a, b, trans=trans, lower=lower))
    got = js.linalg.solve_triangular(torch.from_numpy(a), torch.from_numpy(b), trans=trans, lower=lower)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)


def test_lu_factor_pivots_are_zero_based_and_round_trip():
    a = RNG.standard_normal((5, 5)).astype(np.float32)
    lu, piv = js.linalg.lu_factor(torch.from_numpy(a))
    jlu, jpiv = jsp.linalg.lu_factor(a)
    np.testing.assert_array_equal(piv.numpy(), np.asarray(jpiv))
    b = RNG.standard_normal(5).astype(np.float32)
    for trans in (0, 1):
        want = np.asarray(jsp.linalg.lu_solve((jlu, jpiv), b, trans=trans))
        np.testing.assert_allclose(js.linalg.lu_solve((lu, piv), torch.from_numpy(b), trans=trans).numpy(), want,
                                   rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("mode,shapes", [("full", [(5, 5), (5, 3)]), ("economic", [(5, 3), (3, 3)]), ("r", [(5, 3)])])
def test_qr_modes_give_scipy_shapes(mode, shapes):
    a = torch.randn(5, 3)
    assert [tuple(t.shape) for t in js.linalg.qr(a, mode=mode)] == shapes
