"""Quantiles/percentiles and NaN-aware reductions with JAX's conventions."""

from __future__ import annotations


import torch

from jax2torch_runtime._numpy_core import cumprod, cumsum



# ---- quantiles and NaN-aware reductions ---------------------------------------------------------

def _all_axes(a: torch.Tensor, axis):
    if axis is None:
        return tuple(range(a.ndim))
    return tuple(ax % a.ndim for ax in ((axis,) if isinstance(axis, int) else axis))


def _inexact(a) -> torch.Tensor:
    """Integers and booleans promoted to float32, as JAX's ``promote_dtypes_inexact`` does."""
    a = torch.as_tensor(a)
    return a if a.is_floating_point() or a.is_complex() else a.to(torch.float32)


def _quantile(a, q, axis, method, keepdims, nan: bool):
    a = _inexact(a)
    work = a if a.dtype in (torch.float32, torch.float64) else a.to(torch.float32)
    qt = torch.as_tensor(q, dtype=work.dtype, device=a.device)
    axes = _all_axes(a, axis)
    kept = [d for d in range(a.ndim) if d not in axes]
    moved = work.permute(kept + list(axes)).reshape([a.shape[d] for d in kept] + [-1])
    fn = torch.nanquantile if nan else torch.quantile
    if method == "nearest":  # JAX sends a tie to the lower value; torch rounds half to even
        low = fn(moved, qt, dim=-1, interpolation="lower")
        high = fn(moved, qt, dim=-1, interpolation="higher")
        count = (~torch.isnan(moved)).sum(-1) if nan else moved.shape[-1]
        pos = qt.reshape(qt.shape + (1,) * (low.ndim - qt.ndim)) * (count - 1)
        out = torch.where(pos - pos.floor() <= 0.5, low, high)
    else:
        out = fn(moved, qt, dim=-1, interpolation=method)
    if keepdims:
        for ax in axes:
            out = out.unsqueeze(ax + qt.ndim)
    return out.to(a.dtype)


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """``jnp.quantile``: a tuple of axes or ``None`` (all axes), integer input promoted to float32."""
    return _quantile(a, q, axis, method, keepdims, nan=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """``jnp.nanquantile``: :func:`quantile` ignoring NaNs."""
    return _quantile(a, q, axis, method, keepdims, nan=True)


def _percent(q) -> torch.Tensor:
    """``q / 100`` as JAX computes it under jit: XLA turns the division into a multiplication by
    float32(0.01), which changes the last bit (and hence 'lower'/'higher' picks) for some q."""
    return torch.as_tensor(q, dtype=torch.float32) * torch.tensor(0.01, dtype=torch.float32)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """``jnp.percentile``: :func:`quantile` with ``q`` in [0, 100]."""
    return _quantile(a, _percent(q), axis, method, keepdims, nan=False)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    """``jnp.nanpercentile``: :func:`percentile` ignoring NaNs."""
    return _quantile(a, _percent(q), axis, method, keepdims, nan=True)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """``jnp.nanmedian``: the mean of the two middle values (``torch.nanmedian`` takes the lower)."""
    return _quantile(a, 0.5, axis, "linear", keepdims, nan=True)


def _nan_extreme(a, axis, keepdims, largest: bool):
    a = torch.as_tensor(a)
    dims = _all_axes(a, axis)
    op = torch.amax if largest else torch.amin
    if not a.is_floating_point():
        return op(a, dim=dims, keepdim=keepdims)
    nan = torch.isnan(a)
    out = op(a.masked_fill(nan, float("-inf") if largest else float("inf")), dim=dims, keepdim=keepdims)
    return out.masked_fill(nan.all(dim=dims, keepdim=keepdims) if dims else nan, float("nan"))


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """``jnp.nanmax``: the maximum ignoring NaNs; an all-NaN slice gives NaN."""
    return _nan_extreme(a, axis, keepdims, largest=True)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """``jnp.nanmin``: the minimum ignoring NaNs; an all-NaN slice gives NaN."""
    return _nan_extreme(a, axis, keepdims, largest=False)


def _nan_arg(a, axis, keepdims, largest: bool):
    a = torch.as_tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    op = torch.argmax if largest else torch.argmin
    if not a.is_floating_point():
        return op(a, dim=axis, keepdim=keepdims)
    nan = torch.isnan(a)
    idx = op(a.masked_fill(nan, float("-inf") if largest else float("inf")), dim=axis, keepdim=keepdims)
    return idx.masked_fill(nan.all(dim=axis, keepdim=keepdims), -1)


def nanargmax(a, axis=None, out=None, keepdims=None):
    """``jnp.nanargmax``: index of the maximum ignoring NaNs; -1 for an all-NaN slice."""
    return _nan_arg(a, axis, bool(keepdims), largest=True)


def nanargmin(a, axis=None, out=None, keepdims=None):
    """``jnp.nanargmin``: index of the minimum ignoring NaNs; -1 for an all-NaN slice."""
    return _nan_arg(a, axis, bool(keepdims), largest=False)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """``jnp.nanprod``: NaNs count as 1; ``axis`` may be a tuple (``torch.prod`` takes one dim)."""
    a = torch.as_tensor(a)
    if a.is_floating_point():
        a = a.masked_fill(torch.isnan(a), 1)
    for ax in sorted(_all_axes(a, axis), reverse=True):
        a = torch.prod(a, dim=ax, keepdim=keepdims, dtype=dtype)
    return a if dtype is None else a.to(dtype)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    """``jnp.nanvar``: variance of the non-NaN entries, divided by ``count - ddof``."""
    a = _inexact(a) if dtype is None else torch.as_tensor(a).to(dtype)
    dims = _all_axes(a, axis)
    valid = ~torch.isnan(a)
    count = valid.sum(dim=dims, keepdim=True)
    mean = torch.where(valid, a, 0).sum(dim=dims, keepdim=True) / count
    dev = torch.where(valid, a - mean, 0)
    sq = (dev * dev.conj()).real if a.is_complex() else dev * dev
    out = sq.sum(dim=dims, keepdim=True) / (count - ddof).clamp(min=0)
    return out if keepdims else out.squeeze(dims) if dims else out


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    """``jnp.nanstd``: square root of :func:`nanvar`."""
    return torch.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims))


def nancumsum(a, axis=None, dtype=None, out=None):
    """``jnp.nancumsum``: NaNs count as 0; ``axis=None`` runs over the flattened array."""
    a = torch.as_tensor(a)
    return cumsum(a.masked_fill(torch.isnan(a), 0) if a.is_floating_point() else a, axis, dtype)


def nancumprod(a, axis=None, dtype=None, out=None):
    """``jnp.nancumprod``: NaNs count as 1; ``axis=None`` runs over the flattened array."""
    a = torch.as_tensor(a)
    return cumprod(a.masked_fill(torch.isnan(a), 1) if a.is_floating_point() else a, axis, dtype)


def ptp(a, axis=None, out=None, keepdims=False):
    """``jnp.ptp``: maximum minus minimum over ``axis`` (None: all axes; a tuple allowed)."""
    a = torch.as_tensor(a)
    dims = _all_axes(a, axis)
    return torch.amax(a, dim=dims, keepdim=keepdims) - torch.amin(a, dim=dims, keepdim=keepdims)
