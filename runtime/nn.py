"""jax.nn (and jax.scipy.special) functions whose defaults have no one-call PyTorch spelling.

Migrated code calls these as ``j2t.nn.<name>`` where the plain torch function would differ:
``one_hot`` (JAX returns float32 and all-zero rows for out-of-range labels; ``F.one_hot`` returns
int64 and raises), ``logsumexp``/``softmax`` over ``axis=None`` or a tuple of axes (torch wants
one dim), and ``standardize``. Torch-only.
"""

from __future__ import annotations

import torch

__all__ = ["one_hot", "logsumexp", "softmax", "log_softmax", "standardize"]


def _axes(x: torch.Tensor, axis):
    if axis is None:
        return tuple(range(x.ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def one_hot(x, num_classes, *, dtype=None, axis=-1) -> torch.Tensor:
    """``jax.nn.one_hot``: float32 by default; labels outside ``[0, num_classes)`` (negative
    ones included) give an all-zero row instead of an error; the class axis goes at ``axis``."""
    x = torch.as_tensor(x)
    classes = torch.arange(num_classes, device=x.device)
    out = (x.unsqueeze(-1) == classes).to(torch.float32 if dtype is None else dtype)
    return torch.movedim(out, -1, axis) if axis not in (-1, out.ndim - 1) else out


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None) -> torch.Tensor:
    """``jax.nn.logsumexp`` / ``jax.scipy.special.logsumexp``: ``axis=None`` reduces every axis,
    a tuple reduces several, ``b`` scales the terms (``log(sum(b * exp(a)))``)."""
    if return_sign or where is not None:
        raise NotImplementedError("logsumexp: return_sign= and where= are not supported")
    a = torch.as_tensor(a)
    dims = _axes(a, axis)
    if b is None:
        return torch.logsumexp(a, dim=dims, keepdim=keepdims) if dims else a
    b = torch.as_tensor(b, dtype=a.dtype, device=a.device)
    peak = torch.amax(a, dim=dims, keepdim=True).detach()
    peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
    out = torch.log(torch.sum(b * torch.exp(a - peak), dim=dims, keepdim=True)) + peak
    return out if keepdims else out.squeeze(dims)


def softmax(x, axis=-1, where=None) -> torch.Tensor:
    """``jax.nn.softmax`` (default ``axis=-1``) and, with ``axis=None``, ``jax.scipy.special.softmax``
    (normalised over every axis); tuples of axes are accepted too."""
    if where is not None:
        raise NotImplementedError("softmax: where= is not supported")
    x = torch.as_tensor(x)
    if isinstance(axis, int):
        return torch.softmax(x, dim=axis)
    return torch.exp(x - logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, axis=-1, where=None) -> torch.Tensor:
    """``jax.nn.log_softmax`` / ``jax.scipy.special.log_softmax`` with ``axis=None`` or tuples."""
    if where is not None:
        raise NotImplementedError("log_softmax: where= is not supported")
    x = torch.as_tensor(x)
    if isinstance(axis, int):
        return torch.log_softmax(x, dim=axis)
    return x - logsumexp(x, axis=axis, keepdims=True)


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None) -> torch.Tensor:
    """``jax.nn.standardize``: ``(x - mean) / sqrt(variance + epsilon)`` with the population
    variance over ``axis`` computed as JAX does (``E[x^2] - E[x]^2``) unless given."""
    if where is not None:
        raise NotImplementedError("standardize: where= is not supported")
    x = torch.as_tensor(x)
    dims = _axes(x, axis)
    if mean is None:
        mean = torch.mean(x, dim=dims, keepdim=True)
    if variance is None:
        variance = torch.mean(torch.square(x), dim=dims, keepdim=True) - torch.square(mean)
    return (x - mean) * torch.rsqrt(variance + epsilon)
