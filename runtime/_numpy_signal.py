"""Interpolation, convolution, histograms and polynomials as JAX computes them."""

from __future__ import annotations


import torch

from jax2torch_runtime._numpy_core import _operands
from jax2torch_runtime._numpy_reductions import _all_axes, _inexact



# ---- interpolation, convolution, histograms, polynomials ----------------------------------------

def interp(x, xp, fp, left=None, right=None, period=None) -> torch.Tensor:
    """``jnp.interp`` (no ``torch.interp``): JAX's searchsorted formulation, including
    ``period`` and ``left``/``right`` = ``"extrapolate"``."""
    x, xp, fp = _inexact(x), _inexact(xp), _inexact(fp)
    dtype = torch.promote_types(x.dtype, xp.dtype)
    x, xp = x.to(dtype), xp.to(dtype)
    if period is not None:
        period = abs(period)
        x, xp = x % period, xp % period
        xp, order = torch.sort(xp, stable=True)
        fp = fp[order]
        xp = torch.cat([xp[-1:] - period, xp, xp[:1] + period])
        fp = torch.cat([fp[-1:], fp, fp[:1]])
    i = torch.searchsorted(xp, x.contiguous(), right=True).clamp(1, xp.numel() - 1)
    df = fp[i] - fp[i - 1]
    dx = xp[i] - xp[i - 1]
    delta = x - xp[i - 1]
    eps = torch.finfo(dtype).eps
    dx0 = dx.abs() <= eps * eps  # np.spacing(eps), JAX's guard against dividing by a zero step
    f = torch.where(dx0, fp[i - 1], fp[i - 1] + (delta / torch.where(dx0, torch.ones_like(dx), dx)) * df)
    if period is None:
        if left != "extrapolate":
            f = torch.where(x < xp[0], fp[0] if left is None else torch.as_tensor(left, dtype=f.dtype), f)
        if right != "extrapolate":
            f = torch.where(x > xp[-1], fp[-1] if right is None else torch.as_tensor(right, dtype=f.dtype), f)
    return f


def _conv1d(x, y, mode: str, op: str):
    """JAX's ``_conv``: the longer operand slides, ``y`` flipped for convolve, conjugated for
    correlate; computed with ``conv1d`` (a cross-correlation like XLA's)."""
    x, y = _inexact(x), _inexact(y)
    dtype = torch.promote_types(x.dtype, y.dtype)
    x, y = x.to(dtype), y.to(dtype)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"{op}() only support 1-dimensional inputs.")
    reverse = False
    if op == "correlate":
        y = y.conj()
        if x.numel() < y.numel():
            x, y, reverse = y, x, True
    else:
        if x.numel() < y.numel():
            x, y = y, x
        y = y.flip(0)
    m = y.numel()
    pads = {"valid": (0, 0), "same": (m // 2, m - m // 2 - 1), "full": (m - 1, m - 1)}
    if mode not in pads:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    work = dtype if dtype in (torch.float32, torch.float64, torch.complex64, torch.complex128) else torch.float32
    xp = torch.nn.functional.pad(x.to(work), pads[mode])
    out = torch.nn.functional.conv1d(xp[None, None], y.to(work)[None, None])[0, 0].to(dtype)
    return out.flip(0) if reverse else out


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None) -> torch.Tensor:
    """``jnp.convolve``: 1-D convolution, ``full``/``same``/``valid``; integers promote to float."""
    return _conv1d(a, v, mode, "convolve")


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None) -> torch.Tensor:
    """``jnp.correlate``: 1-D cross-correlation (``v`` conjugated), NumPy's default ``valid``."""
    return _conv1d(a, v, mode, "correlate")


def histogram_bin_edges(a, bins=10, range=None, weights=None) -> torch.Tensor:  # noqa: A002
    """``jnp.histogram_bin_edges``: ``bins + 1`` evenly spaced edges over ``range`` (default
    the data's min..max, widened by 0.5 each side when empty), or ``bins`` itself if 1-D."""
    a = _inexact(a)
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    if isinstance(bins, (list, tuple)) or (isinstance(bins, torch.Tensor) and bins.ndim == 1):
        return torch.as_tensor(bins, device=a.device).to(a.dtype)
    lo, hi = (a.min(), a.max()) if range is None else (torch.as_tensor(range[0]), torch.as_tensor(range[1]))
    lo, hi = lo.to(a.dtype), hi.to(a.dtype)
    if bool(lo == hi):
        lo, hi = lo - 0.5, hi + 0.5
    steps = torch.arange(int(bins), dtype=a.dtype, device=a.device) / int(bins)
    # JAX's linspace: start * (1 - t) + stop * t with the stop appended exactly (torch.linspace
    # rounds differently, which moves values that sit on an edge into another bin)
    return torch.cat([lo * (1 - steps) + hi * steps, hi.reshape(1)])


def histogram(a, bins=10, range=None, weights=None, density=None):  # noqa: A002 - NumPy's name
    """``jnp.histogram``: ``(counts, bin_edges)`` with JAX's 10 default bins (``torch.histogram``
    defaults to 100 and takes float CPU tensors only); counts are float like JAX's."""
    a = _inexact(a)
    w = torch.ones_like(a) if weights is None else torch.as_tensor(weights).to(a.dtype)
    edges = histogram_bin_edges(a, bins, range)
    flat = a.reshape(-1)
    idx = torch.searchsorted(edges, flat.contiguous(), right=True)
    idx = torch.where(flat == edges[-1], edges.numel() - 1, idx)
    counts = torch.zeros(edges.numel() + 1, dtype=w.dtype, device=a.device).index_add_(0, idx, w.reshape(-1))
    counts = counts[1:edges.numel()]
    if density:
        counts = counts / torch.diff(edges) / counts.sum()
    return counts, edges


def polyval(p, x, *, unroll=16) -> torch.Tensor:
    """``jnp.polyval``: Horner's rule, coefficients highest degree first, computed in the
    promoted dtype of ``p`` and ``x``."""
    p, x = _operands(p, x)
    dtype = torch.result_type(p, x)
    p, x = p.to(dtype), x.to(dtype)
    y = torch.zeros(torch.broadcast_shapes(p.shape[1:], x.shape), dtype=dtype, device=x.device)
    for coef in p:
        y = y * x + coef
    return y


def tri(N, M=None, k=0, dtype=None) -> torch.Tensor:  # noqa: N803 - NumPy's names
    """``jnp.tri``: ones on and below the ``k``-th diagonal, float32 by default."""
    ones = torch.ones(N, N if M is None else M, dtype=torch.float32 if dtype is None else dtype)
    return torch.tril(ones, diagonal=k)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """``jnp.average``: the weighted mean (``weights`` 1-D along ``axis`` or ``a``'s shape);
    ``returned=True`` also gives the sum of weights."""
    a = _inexact(a)
    dims = _all_axes(a, axis)
    if weights is None:
        avg = torch.mean(a, dim=dims, keepdim=keepdims)
        total = torch.full_like(avg, a.numel() / max(avg.numel(), 1))
    else:
        w = torch.as_tensor(weights, device=a.device).to(torch.promote_types(a.dtype, torch.as_tensor(weights).dtype))
        if w.shape != a.shape:
            if axis is None or w.ndim != 1:
                raise ValueError("jnp.average: 1-D weights need an int axis; otherwise weights must match a's shape")
            shape = [1] * a.ndim
            shape[dims[0]] = -1
            w = w.reshape(shape).expand(a.shape)
        w = w.to(torch.promote_types(a.dtype, w.dtype))
        total = w.sum(dim=dims, keepdim=keepdims)
        avg = (a * w).sum(dim=dims, keepdim=keepdims) / total
    return (avg, total.to(avg.dtype)) if returned else avg


def cbrt(x) -> torch.Tensor:
    """``jnp.cbrt``: the real cube root (negative for negative input; no ``torch.cbrt``)."""
    x = _inexact(x)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def unwrap(p, discont=None, axis=-1, period=6.283185307179586) -> torch.Tensor:
    """``jnp.unwrap``: remove jumps larger than ``discont`` (default ``period / 2``) along ``axis``
    by adding multiples of ``period``; integer inputs stay integer only with an integer period,
    as JAX's promotion gives."""
    x, per = _operands(p, period)
    dtype = torch.result_type(x, per)
    x, per = x.to(dtype), per.to(dtype)
    if x.is_complex():
        raise ValueError("jnp.unwrap does not support complex inputs.")
    if x.shape[axis] == 0:
        return x
    interval = per // 2 if not dtype.is_floating_point else per / 2
    limit = per / 2 if discont is None else discont
    dd = torch.diff(x, dim=axis)
    ddmod = torch.remainder(dd + interval, per) - interval
    ddmod = torch.where((ddmod == -interval) & (dd > 0), interval, ddmod)
    correct = torch.where(dd.abs() < limit, torch.zeros_like(dd), ddmod - dd)
    head = x.narrow(axis, 0, 1)
    return torch.cat([head, x.narrow(axis, 1, x.shape[axis] - 1) + torch.cumsum(correct, dim=axis)], dim=axis)
