"""``jax.random`` for PyTorch: JAX's default PRNG (threefry2x32, partitionable mode), same streams.

Every function takes the same arguments as its ``jax.random`` namesake and returns a torch tensor
on the key's device. Keys are ``torch.uint32`` tensors of shape ``(..., 2)`` (see ``_keys``).

Bit-exact against JAX 0.10 on CPU: ``PRNGKey``/``key``/``split``/``fold_in``/``bits``,
``uniform``, ``normal`` (float32/float16/bfloat16), ``bernoulli``, ``randint``, ``permutation``,
``choice``, ``categorical``, ``gumbel``, ``exponential``, ``laplace``, ``logistic``,
``rademacher``. Close but not guaranteed bit-identical (float64 transcendentals, LAPACK
factorisations, ``erf``/``tan``): ``normal`` in float64 (~99.998% identical bits), ``truncated_normal``,
``multivariate_normal``, ``orthogonal``, ``cauchy``. Distribution-matched only (JAX's
data-dependent rejection loops): ``gamma``, ``loggamma``, ``beta``, ``dirichlet``, ``t``,
``poisson``, ``ball``. docs/random.md gives the measured match rates.
"""

from __future__ import annotations

from ._api import (
    ball,
    bernoulli,
    beta,
    bits,
    categorical,
    cauchy,
    choice,
    dirichlet,
    exponential,
    gamma,
    gumbel,
    laplace,
    loggamma,
    logistic,
    multivariate_normal,
    normal,
    orthogonal,
    permutation,
    poisson,
    rademacher,
    randint,
    t,
    truncated_normal,
    uniform,
)
from ._dtypes import enable_x64, x64_enabled
from ._keys import PRNGKey, fold_in, key, key_data, split, wrap_key_data

__all__ = [
    "PRNGKey", "key", "key_data", "wrap_key_data", "split", "fold_in", "bits", "uniform",
    "normal", "bernoulli", "categorical", "randint", "choice", "permutation", "truncated_normal",
    "gumbel", "exponential", "laplace", "logistic", "multivariate_normal", "dirichlet", "gamma",
    "loggamma", "beta", "poisson", "rademacher", "orthogonal", "ball", "t", "cauchy",
    "enable_x64", "x64_enabled",
]
