"""``jnp.mgrid``, ``jnp.ogrid``, ``jnp.r_``, ``jnp.c_`` (subscripted objects) and ``jnp.polyfit``.

torch has no index-trick objects, and ``torch.meshgrid``/``torch.cat`` neither read slices nor
apply NumPy's string directives. The objects here follow ``jax/_src/numpy/index_tricks.py`` step
by step: a slice ``a:b:s`` is ``arange`` computed as JAX does (``start + step * iota`` in the
result dtype), a complex step ``a:b:nj`` is ``linspace`` with ``n`` points, and Python scalars are
weakly typed. ``polyfit`` ports ``jax/_src/numpy/polynomial.py``: column-scaled Vandermonde
matrix solved by JAX's SVD least squares, so coefficients agree to float32 rounding.
"""

from __future__ import annotations

import math

import torch

from jax2torch_runtime._numpy_core import asarray, result_type
from jax2torch_runtime._numpy_misc import linalg_lstsq, linspace


def _concrete(value):
    """A Python number from a slice bound (tensors included), for sizes and complex checks."""
    return value.item() if isinstance(value, torch.Tensor) else value


def _arange(start, stop, step) -> torch.Tensor:
    """JAX's ``arange(start, stop, step)``: size from Python arithmetic, values
    ``start + step * iota`` in the promoted dtype (ints int64, Python floats float32)."""
    if stop is None:
        start, stop = 0, start
    dtype = result_type(*(v for v in (start, stop, step)))
    lo, hi, inc = _concrete(start), _concrete(stop), _concrete(step)
    size = max(0, math.ceil((hi - lo) / inc))
    work = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
    iota = torch.arange(size, dtype=work)
    return (torch.as_tensor(lo, dtype=work) + torch.as_tensor(inc, dtype=work) * iota).to(dtype)


def _grid_1d(s: slice) -> torch.Tensor:
    """One slice of an index trick: ``arange`` for a real step, ``linspace`` for ``nj``."""
    start = s.start if s.start is not None else 0
    step = s.step if s.step is not None else 1
    if isinstance(_concrete(step), complex):
        return linspace(start, s.stop, int(abs(step)))
    return _arange(start, s.stop, step)


def _promoted_grids(key) -> list:
    grids = [_grid_1d(k) for k in key]
    if not grids:
        return grids
    dtype = result_type(*grids)
    return [g.to(dtype) for g in grids]


class _Mgrid:
    """``jnp.mgrid``: ``mgrid[a:b:s, ...]`` is the dense ``ij`` meshgrid of the slices, stacked
    on a new first axis; one bare slice gives the 1-D grid itself."""

    def __getitem__(self, key) -> torch.Tensor:
        if isinstance(key, slice):
            return _grid_1d(key)
        grids = _promoted_grids(key)
        if not grids:
            return torch.arange(0)
        return torch.stack(torch.meshgrid(*grids, indexing="ij"), 0)


class _Ogrid:
    """``jnp.ogrid``: like :data:`mgrid` but a list of open (broadcastable) grids, each of
    length 1 on every axis but its own."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key)
        grids = _promoted_grids(key)
        last = len(grids)
        return [g.reshape([1] * i + [-1] + [1] * (last - i - 1)) for i, g in enumerate(grids)]


def _parse_directive(directive: str, params: list) -> list:
    """``'axis,ndmin,trans1d'`` (missing fields keep the object's defaults), ``'r'`` or ``'c'``."""
    if directive == "r":
        return params[:3] + [0]
    if directive == "c":
        return params[:3] + [1]
    fields = directive.split(",")
    fields = fields + params[len(fields):] if len(fields) < 4 else fields[:3] + [params[-1]]
    try:
        return [int(f) for f in fields]
    except ValueError as err:
        raise ValueError(f"could not understand directive {directive!r}") from err


# Weakly typed in JAX (NumPy scalars such as ``np.float64(1)`` are not: they become float32 arrays).
_PYTHON_SCALARS = (bool, int, float, complex)


class _AxisConcat:
    """Concatenates slices, scalars and arrays along ``axis`` after raising each to ``ndmin``
    dimensions (NumPy's ``r_``/``c_`` grammar as implemented by JAX)."""

    axis = 0
    ndmin = 1
    trans1d = -1

    def __getitem__(self, key) -> torch.Tensor:
        items = key if isinstance(key, tuple) else (key,)
        params = [self.axis, self.ndmin, self.trans1d, -1]
        if items and isinstance(items[0], str):
            params, items = _parse_directive(items[0], params), items[1:]
        axis, ndmin, trans1d, matrix = params
        pieces, weak = [], []
        for item in items:
            if isinstance(item, str):
                raise ValueError("string directive must be placed at the beginning")
            if type(item) in _PYTHON_SCALARS:
                weak.append(item)
            pieces.append(self._raise_dims(item, ndmin, trans1d))
        strong = [p for p, item in zip(pieces, items) if type(item) not in _PYTHON_SCALARS]
        dtype = result_type(*strong, *weak)
        res = torch.cat([p.to(dtype) for p in pieces], dim=axis)
        if matrix != -1 and res.ndim == 1:
            res = res.unsqueeze(matrix)
        return res

    @staticmethod
    def _raise_dims(item, ndmin: int, trans1d: int) -> torch.Tensor:
        """One operand as an array of at least ``ndmin`` dims; with ``trans1d`` its original
        axes are rolled to end at position ``trans1d`` of the new shape."""
        if isinstance(item, slice):
            obj, item_ndim = _grid_1d(item), 0
        else:
            obj = item if isinstance(item, torch.Tensor) else asarray(item)
            item_ndim = obj.ndim
        if obj.ndim < ndmin:
            obj = obj.reshape((1,) * (ndmin - obj.ndim) + tuple(obj.shape))
        if trans1d != -1 and ndmin - item_ndim > 0:
            order = tuple(range(ndmin))
            shifts = ndmin - abs(ndmin + trans1d + 1) % ndmin
            obj = obj.permute(order[shifts:] + order[:shifts])
        return obj

    def __len__(self) -> int:
        return 0


class _RClass(_AxisConcat):
    """``jnp.r_``: concatenation along the first axis (1-D operands stay 1-D)."""

    axis, ndmin, trans1d = 0, 1, -1


class _CClass(_AxisConcat):
    """``jnp.c_``: concatenation along the last axis, 1-D operands becoming columns."""

    axis, ndmin, trans1d = -1, 2, 0


mgrid = _Mgrid()
ogrid = _Ogrid()
r_ = _RClass()
c_ = _CClass()


def _inexact(a: torch.Tensor) -> torch.Tensor:
    return a if a.is_floating_point() or a.is_complex() else a.to(torch.get_default_dtype())


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """``jnp.polyfit``: least-squares polynomial coefficients, highest power first.

    As in JAX: the Vandermonde columns are divided by their norms before the SVD solve and the
    coefficients rescaled after; ``rcond`` defaults to ``len(x) * eps``; ``full=True`` returns
    ``(coefficients, residuals, rank, singular_values, rcond)``; ``cov=True`` (or ``"unscaled"``)
    adds the covariance matrix, ``(deg+1, deg+1)`` or ``(deg+1, deg+1, K)`` for a 2-D ``y``.
    """
    x, y = asarray(x), asarray(y)
    deg = int(deg)
    order = deg + 1
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.numel() == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = len(x) * torch.finfo(_inexact(x).dtype).eps
    rcond = float(rcond)
    solve_rcond = rcond if rcond >= 0 else torch.finfo(_inexact(x).dtype).eps
    dtype = result_type(x, y)
    dtype = dtype if dtype.is_floating_point or dtype.is_complex else torch.get_default_dtype()
    x, y = x.to(dtype), y.to(dtype)
    lhs = x[:, None] ** torch.arange(deg, -1, -1, dtype=dtype)
    rhs = y
    if w is not None:
        w = _inexact(asarray(w))
        if w.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if w.shape[0] != y.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if rhs.ndim == 2 else w)
    scale = torch.sqrt((lhs * lhs).sum(dim=0))
    lhs = lhs / scale[None, :]
    c, resids, rank, s = linalg_lstsq(lhs, rhs, solve_rcond)
    c = (c.T / scale[None, :]).T if c.ndim > 1 else c / scale
    if full:
        return c, resids, rank, s, torch.tensor(rcond, dtype=torch.get_default_dtype())
    if not cov:
        return c
    vbase = torch.linalg.inv(lhs.T @ lhs) / torch.outer(scale, scale)
    if cov == "unscaled":
        fac = torch.tensor(1.0, dtype=vbase.dtype)
    else:
        if len(x) <= order:
            raise ValueError("the number of data points must exceed order to scale the covariance matrix")
        fac = resids / (len(x) - order)
    fac = torch.atleast_1d(fac)
    if y.ndim == 1:
        return c, vbase * fac[None]
    return c, vbase[:, :, None] * fac[None, None, :]
