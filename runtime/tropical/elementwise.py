"""Elementwise tropical arithmetic and reductions (⊕ = max/min, ⊗ = +, zero absorbing).

All functions broadcast like their torch counterparts and stay differentiable: ``add`` passes
the gradient to the winning operand (``torch.maximum`` splits ties evenly), ``mul`` is ``+``.
"""

from __future__ import annotations

import torch

from ._semiring import absorbing_add, as_float_tensor, get_semiring


def _pair(a, b):
    a = as_float_tensor(a, "a", device=b.device if isinstance(b, torch.Tensor) else None)
    b = as_float_tensor(b, "b", device=a.device)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)


def add(a, b, semiring: str = "max") -> torch.Tensor:
    """Tropical sum ``a ⊕ b``: ``max(a, b)`` (max-plus) or ``min(a, b)`` (min-plus)."""
    a, b = _pair(a, b)
    return get_semiring(semiring).plus(a, b)


def mul(a, b, semiring: str = "max") -> torch.Tensor:
    """Tropical product ``a ⊗ b = a + b``, with the zero absorbing (``-inf ⊗ +inf = -inf`` in max-plus)."""
    a, b = _pair(a, b)
    return absorbing_add(a, b, get_semiring(semiring))


def power(a, exponent: float, semiring: str = "max") -> torch.Tensor:
    """Tropical power ``a^⊗e = e * a``; ``a^⊗0`` is the one (``0``) even for infinite ``a``."""
    sr = get_semiring(semiring)
    a = as_float_tensor(a, "a")
    if exponent < 0 and bool((a == sr.zero).any()):
        raise ValueError("the tropical zero has no inverse: negative power of a zero entry")
    if exponent == 0:
        return torch.zeros_like(a)
    return a * exponent


def div(a, b, semiring: str = "max") -> torch.Tensor:
    """Tropical quotient ``a ⊘ b = a - b`` (inverse of ⊗); dividing by the zero is an error."""
    sr = get_semiring(semiring)
    a, b = _pair(a, b)
    if bool((b == sr.zero).any()):
        raise ZeroDivisionError("tropical division by the tropical zero")
    return torch.where(a == sr.zero, torch.full_like(a, sr.zero), a - b)


def sum(x, dim=None, keepdim: bool = False, semiring: str = "max") -> torch.Tensor:  # noqa: A001
    """Tropical sum-reduction ``⊕`` over ``dim`` (all dims when ``None``): max or min."""
    sr = get_semiring(semiring)
    x = as_float_tensor(x, "x")
    if x.numel() == 0:
        shape = list(x.shape) if dim is not None else []
        if dim is not None:
            if keepdim:
                shape[dim] = 1
            else:
                del shape[dim]
        return x.new_full(shape, sr.zero)
    if dim is None:
        return sr.reduce(x.reshape(-1), 0)
    return torch.amax(x, dim=dim, keepdim=keepdim) if sr.is_max else torch.amin(x, dim=dim, keepdim=keepdim)


def prod(x, dim=None, keepdim: bool = False, semiring: str = "max") -> torch.Tensor:
    """Tropical product-reduction ``⊗`` over ``dim``: an ordinary sum in which a zero absorbs."""
    sr = get_semiring(semiring)
    x = as_float_tensor(x, "x")
    has_zero = (x == sr.zero)
    safe = torch.where(has_zero, torch.zeros_like(x), x)
    if dim is None:
        total, hit = safe.sum(), has_zero.any()
    else:
        total, hit = safe.sum(dim=dim, keepdim=keepdim), has_zero.any(dim=dim, keepdim=keepdim)
    return torch.where(hit, torch.full_like(total, sr.zero), total)


def zeros(*shape, semiring: str = "max", dtype=None, device=None) -> torch.Tensor:
    """A tensor filled with the tropical zero (``-inf`` max-plus, ``+inf`` min-plus)."""
    return torch.full(shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape,
                      get_semiring(semiring).zero, dtype=dtype, device=device)


def ones(*shape, dtype=None, device=None) -> torch.Tensor:
    """A tensor filled with the tropical one, ``0``, in either semiring."""
    return torch.zeros(*shape, dtype=dtype, device=device)


def eye(n: int, semiring: str = "max", dtype=None, device=None) -> torch.Tensor:
    """The tropical identity matrix: ``0`` on the diagonal, the tropical zero elsewhere."""
    out = torch.full((n, n), get_semiring(semiring).zero, dtype=dtype, device=device)
    out.fill_diagonal_(0.0)
    return out
