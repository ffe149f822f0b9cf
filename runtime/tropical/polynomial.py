"""Tropical polynomial evaluation: ``p(x) = ⊕_i c_i ⊗ x^⊗i = max_i (c_i + i·x)``.

Coefficients are in *ascending* order (``coeffs[..., i]`` multiplies ``x^⊗i``), like
``numpy.polynomial.polynomial.polyval`` and unlike ``numpy.polyval``: the index is the exponent.
"""

from __future__ import annotations

import torch

from ._semiring import absorbing_add, as_float_tensor, check_nonempty, get_semiring


def polyval(coeffs, x, semiring: str = "max") -> torch.Tensor:
    """Evaluate tropical polynomials at ``x``.

    ``coeffs`` has shape ``(..., d + 1)``; its leading dims broadcast against ``x``'s shape, so a
    ``(d + 1,)`` vector evaluates one polynomial at many points and a ``(P, d + 1)`` batch with
    ``x`` of shape ``(P,)`` (or ``(N, P)``) evaluates P polynomials at once. ``x^⊗0`` is the one,
    so the constant term holds even at ``x = ±inf``. Differentiable: the gradient goes to the
    winning term's coefficient (1) and to ``x`` (its exponent).
    """
    sr = get_semiring(semiring)
    coeffs = as_float_tensor(coeffs, "coeffs")
    x = as_float_tensor(x, "x", device=coeffs.device)
    if coeffs.dim() == 0:
        raise ValueError("coeffs must have a last dimension holding the d + 1 coefficients")
    check_nonempty(coeffs, "coeffs")
    dtype = torch.promote_types(coeffs.dtype, x.dtype)
    coeffs, x = coeffs.to(dtype), x.to(dtype)
    exps = torch.arange(coeffs.shape[-1], dtype=dtype, device=coeffs.device)
    xe = x.unsqueeze(-1)
    powers = torch.where(exps == 0, torch.zeros((), dtype=dtype, device=x.device), xe * exps)
    terms = absorbing_add(coeffs, powers, sr)
    return sr.reduce_arg(terms, -1).values


def polyval_naive(coeffs: list[float], x: float, semiring: str = "max") -> float:
    """Scalar reference evaluation (plain Python), used by :class:`TropicalPolynomial` and tests."""
    sr = get_semiring(semiring)
    best = sr.zero
    for i, c in enumerate(coeffs):
        if c == sr.zero or (i > 0 and x == sr.zero):
            continue
        term = c + (i * x if i else 0.0)
        best = max(best, term) if sr.is_max else min(best, term)
    return best
