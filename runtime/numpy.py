"""jax.numpy functions whose defaults or argument handling have no one-call PyTorch spelling.

Migrated code calls these as ``j2t.numpy.<name>`` only where the plain ``torch.*`` function would
change results or reject valid JAX arguments: JAX's x64-off dtype canonicalisation in
``jnp.array``, Python scalars in binary ops (``jnp.maximum(x, 0)``; ``torch.maximum`` wants two
tensors), ``axis=None`` meaning "flatten" or "all axes" where torch requires a dim, and
``jnp.dot``'s N-D contraction (``torch.dot`` is 1-D only). Each helper is torch-only.
"""

from __future__ import annotations

import collections
import functools
import numbers

import torch

__all__ = [
    "array", "asarray", "maximum", "minimum", "logaddexp", "arctan2", "hypot", "cumsum", "cumprod",
    "transpose", "flip", "sort", "dot", "vdot", "outer", "expand_dims", "newaxis", "imag",
    "dtype", "issubdtype", "size", "floating", "complexfloating", "inexact", "integer", "signedinteger",
    "unsignedinteger", "number",
]

#: ``jnp.newaxis`` is ``None``; kept as a name so that ``x[:, j2t.numpy.newaxis]`` reads the same.
newaxis = None

# JAX runs with 64-bit types disabled by default: float64/complex128 data become 32-bit arrays.
_X64_OFF = {torch.float64: torch.float32, torch.complex128: torch.complex64}


def _is_tensor_tree(obj) -> bool:
    return isinstance(obj, torch.Tensor) or (
        isinstance(obj, (list, tuple)) and len(obj) > 0 and any(_is_tensor_tree(o) for o in obj))


def _stack_nested(obj):
    """A (nested) list/tuple holding tensors, stacked the way ``jnp.array`` builds one array."""
    if isinstance(obj, (list, tuple)):
        parts = [_stack_nested(o) for o in obj]
        dtype = torch.result_type(*parts) if len(parts) > 1 else parts[0].dtype
        return torch.stack([p.to(dtype) for p in parts])
    return torch.as_tensor(obj)


def asarray(a, dtype=None, copy=None) -> torch.Tensor:
    """``jnp.asarray``: a tensor with JAX's default dtypes.

    Data that is not already a tensor (NumPy arrays, Python lists) is converted as JAX does with
    x64 off: float64 becomes float32 and complex128 complex64, unless ``dtype`` is given. Lists
    holding tensors are stacked (``torch.asarray`` only takes one-element tensors there).
    """
    if isinstance(a, torch.Tensor):
        out = a if dtype is None else a.to(dtype)
    elif _is_tensor_tree(a):
        out = _stack_nested(a)
        out = out if dtype is None else out.to(dtype)
    else:
        out = torch.as_tensor(a, dtype=dtype)
        if dtype is None and out.dtype in _X64_OFF:
            out = out.to(_X64_OFF[out.dtype])
    return out.clone() if copy and out is a else out


def array(object, dtype=None, copy=True) -> torch.Tensor:  # noqa: A002 - JAX's parameter name
    """``jnp.array``: like :func:`asarray` but a fresh copy by default, as in JAX."""
    out = asarray(object, dtype=dtype)
    if copy and isinstance(object, torch.Tensor) and out.data_ptr() == object.data_ptr():
        out = out.clone()
    return out


def _operands(a, b):
    """Python scalars as 0-d tensors: torch then promotes them like JAX's weakly typed scalars."""
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        return torch.as_tensor(a), torch.as_tensor(b)
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(a, device=b.device) if isinstance(a, numbers.Number) else torch.as_tensor(a)
    if not isinstance(b, torch.Tensor):
        b = torch.as_tensor(b, device=a.device) if isinstance(b, numbers.Number) else torch.as_tensor(b)
    return a, b


def maximum(x1, x2) -> torch.Tensor:
    """``jnp.maximum``: NaN-propagating elementwise max that also takes Python scalars."""
    return torch.maximum(*_operands(x1, x2))


def minimum(x1, x2) -> torch.Tensor:
    """``jnp.minimum``: NaN-propagating elementwise min that also takes Python scalars."""
    return torch.minimum(*_operands(x1, x2))


def logaddexp(x1, x2) -> torch.Tensor:
    """``jnp.logaddexp`` with Python scalars allowed on either side."""
    return torch.logaddexp(*_operands(x1, x2))


def arctan2(x1, x2) -> torch.Tensor:
    """``jnp.arctan2`` with Python scalars allowed on either side."""
    return torch.arctan2(*_operands(x1, x2))


def hypot(x1, x2) -> torch.Tensor:
    """``jnp.hypot`` with Python scalars allowed on either side."""
    return torch.hypot(*_operands(x1, x2))


def _cumulative(op, a, axis, dtype):
    a = torch.as_tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    return op(a, dim=axis, dtype=dtype)


def cumsum(a, axis=None, dtype=None) -> torch.Tensor:
    """``jnp.cumsum``: ``axis=None`` (the default) runs over the flattened array."""
    return _cumulative(torch.cumsum, a, axis, dtype)


def cumprod(a, axis=None, dtype=None) -> torch.Tensor:
    """``jnp.cumprod``: ``axis=None`` (the default) runs over the flattened array."""
    return _cumulative(torch.cumprod, a, axis, dtype)


def transpose(a, axes=None) -> torch.Tensor:
    """``jnp.transpose``: ``axes=None`` reverses every axis (``torch.permute`` needs them all)."""
    a = torch.as_tensor(a)
    if axes is None:
        axes = tuple(range(a.ndim - 1, -1, -1))
    return torch.permute(a, tuple(axes))


def flip(m, axis=None) -> torch.Tensor:
    """``jnp.flip``: ``axis=None`` flips every axis; an int or a sequence of ints is accepted."""
    m = torch.as_tensor(m)
    if axis is None:
        axis = tuple(range(m.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.flip(m, tuple(axis))


def expand_dims(a, axis) -> torch.Tensor:
    """``jnp.expand_dims``: ``axis`` may be a sequence; positions refer to the *result*'s axes."""
    a = torch.as_tensor(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = a.ndim + len(axes)
    positions = sorted(ax % ndim for ax in axes)
    if len(set(positions)) != len(positions):
        raise ValueError(f"repeated axis in expand_dims: {axis}")
    shape = list(a.shape)
    for pos in positions:
        shape.insert(pos, 1)
    return a.reshape(shape)


def dot(a, b) -> torch.Tensor:
    """``jnp.dot``: scalars multiply, ``b`` of rank <= 2 is a matmul, otherwise the last axis of
    ``a`` contracts with the second-to-last axis of ``b`` (``torch.dot`` is 1-D only)."""
    a, b = _operands(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return torch.mul(a, b)
    if b.ndim <= 2:
        return torch.matmul(a, b)
    return torch.tensordot(a, b, dims=([-1], [-2]))


def vdot(a, b) -> torch.Tensor:
    """``jnp.vdot``: both inputs flattened, the first conjugated (``torch.vdot`` is 1-D only)."""
    a, b = _operands(a, b)
    return torch.vdot(a.reshape(-1), b.reshape(-1))


def outer(a, b) -> torch.Tensor:
    """``jnp.outer``: both inputs flattened first (``torch.outer`` is 1-D only)."""
    a, b = _operands(a, b)
    return torch.outer(a.reshape(-1), b.reshape(-1))


def sort(a, axis=-1, *, stable=True, descending=False) -> torch.Tensor:
    """``jnp.sort``: the sorted values only (``torch.sort`` also returns indices); stable by
    default as in JAX; ``axis=None`` sorts the flattened array."""
    a = torch.as_tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    return torch.sort(a, dim=axis, stable=stable, descending=descending).values


def imag(val):
    """``jnp.imag``: zeros for real input (``torch.imag`` raises on real tensors)."""
    t = torch.as_tensor(val)
    return torch.imag(t) if t.is_complex() else torch.zeros_like(t)


class _Category:
    """A NumPy abstract dtype category (``jnp.floating`` ...) for :func:`issubdtype`."""

    def __init__(self, name, test):
        self.name, self._test = name, test

    def __repr__(self):
        return f"j2t.numpy.{self.name}"

    def contains(self, dt: torch.dtype) -> bool:
        return self._test(dt)


def _is_unsigned(dt):
    return dt in (torch.uint8, torch.uint16, torch.uint32, torch.uint64)


floating = _Category("floating", lambda d: d.is_floating_point)
complexfloating = _Category("complexfloating", lambda d: d.is_complex)
inexact = _Category("inexact", lambda d: d.is_floating_point or d.is_complex)
integer = _Category("integer", lambda d: not (d.is_floating_point or d.is_complex) and d is not torch.bool)
signedinteger = _Category("signedinteger", lambda d: integer.contains(d) and not _is_unsigned(d))
unsignedinteger = _Category("unsignedinteger", _is_unsigned)
number = _Category("number", lambda d: d is not torch.bool)

_NAMES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64,
          "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
          "uint8": torch.uint8, "uint16": torch.uint16, "uint32": torch.uint32, "uint64": torch.uint64,
          "bool": torch.bool, "complex64": torch.complex64, "complex128": torch.complex128,
          "float": torch.float32, "int": torch.int32, "complex": torch.complex64}


def dtype(obj) -> torch.dtype:
    """``jnp.dtype``: a torch dtype from a torch dtype, a tensor, a NumPy dtype or a name.

    Python ``float``/``int`` map to float32/int32, JAX's defaults with x64 off.
    """
    if isinstance(obj, torch.dtype):
        return obj
    if isinstance(obj, torch.Tensor):
        return obj.dtype
    if obj is float or obj is int or obj is complex or obj is bool:
        return _NAMES[obj.__name__]
    name = getattr(obj, "name", None) or str(obj)
    if name not in _NAMES:
        raise TypeError(f"cannot interpret {obj!r} as a dtype")
    return _NAMES[name]


def issubdtype(arg1, arg2) -> bool:
    """``jnp.issubdtype`` for torch dtypes and the categories above."""
    d1 = dtype(arg1)
    if isinstance(arg2, _Category):
        return arg2.contains(d1)
    return d1 == dtype(arg2)


def size(a, axis=None) -> int:
    """``jnp.size``: number of elements, or the length of one axis."""
    t = torch.as_tensor(a)
    return t.numel() if axis is None else t.shape[axis]


# ---- padding and indexing with JAX's out-of-range conventions ----------------------------------

def _pairs(value, nd: int, name: str):
    """NumPy's pad-width broadcasting: ``n``, ``(n,)``, ``(before, after)``, ``((b, a),)`` or one
    pair per axis, as ``nd`` ``(before, after)`` pairs."""
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, numbers.Number):
        return [(value, value)] * nd
    value = list(value)
    if len(value) == 1 and isinstance(value[0], numbers.Number):
        return [(value[0], value[0])] * nd
    if len(value) == 2 and all(isinstance(v, numbers.Number) for v in value):
        return [tuple(value)] * nd
    if len(value) == 1:
        return [tuple(value[0])] * nd
    if len(value) != nd:
        raise ValueError(f"jnp.pad: {name} must give one (before, after) pair per axis ({nd}); got {value}")
    return [tuple(v) for v in value]


def _pad_constant(a, widths, values):
    values = torch.as_tensor(values)
    if values.ndim == 0 or values.numel() == 1:
        values = values.reshape(()).expand(a.ndim, 2)
    else:
        values = torch.broadcast_to(values.reshape(-1, 2) if values.ndim == 1 else values, (a.ndim, 2))
    for i, (lo, hi) in enumerate(widths):
        for n, v, before in ((lo, values[i, 0], True), (hi, values[i, 1], False)):
            if n:
                shape = list(a.shape)
                shape[i] = n
                block = torch.full(shape, v.item(), dtype=a.dtype, device=a.device)
                a = torch.cat([block, a] if before else [a, block], dim=i)
    return a


def _pad_index(mode: str, n: int, lo: int, hi: int, device):
    """Source index along one axis for every output position (edge, wrap, reflect, symmetric)."""
    i = torch.arange(-lo, n + hi, device=device)
    if mode == "edge":
        return i.clamp(0, n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect" and n == 1:
        return torch.zeros_like(i)
    period = 2 * n - 2 if mode == "reflect" else 2 * n
    j = i % period
    return torch.where(j < n, j, period - j - (0 if mode == "reflect" else 1))


def _ramp(start, stop, num: int, axis: int, dtype):
    """``linspace(start, stop, num, endpoint=False)`` stacked along ``axis``, with JAX's formula
    ``start * (1 - t) + stop * t`` in the float dtype (integers are floored afterwards)."""
    work = dtype if dtype.is_floating_point else torch.float32
    steps = torch.arange(num, dtype=work, device=stop.device) / num
    shape = [1] * stop.ndim
    shape.insert(axis, num)
    steps = steps.reshape(shape)
    stop = stop.unsqueeze(axis).to(work)
    out = torch.tensor(start, dtype=work) * (1 - steps) + stop * steps
    return out.to(dtype) if dtype.is_floating_point else out.floor().to(dtype)


def _stat(mode, a, axis):
    if mode == "maximum":
        return torch.amax(a, dim=axis, keepdim=True)
    if mode == "minimum":
        return torch.amin(a, dim=axis, keepdim=True)
    af = a if a.dtype.is_floating_point else a.to(torch.float32)
    out = torch.mean(af, dim=axis, keepdim=True) if mode == "mean" else torch.quantile(af, 0.5, dim=axis, keepdim=True)
    return out.round().to(a.dtype) if not a.dtype.is_floating_point else out


def pad(array, pad_width, mode="constant", *, constant_values=0, stat_length=None, end_values=0,
        reflect_type="even") -> torch.Tensor:
    """``jnp.pad``: NumPy's per-axis ``pad_width`` (first axis first) and every string mode.

    ``torch.nn.functional.pad`` lists pairs from the last axis backwards and only knows
    constant/reflect/replicate/circular (without widths beyond the axis size), so the axes are
    padded one by one here, reproducing JAX's order (later axes pad the earlier axes' corners).
    """
    a = torch.as_tensor(array)
    if a.ndim == 0:
        return a
    if callable(mode):
        raise NotImplementedError("jnp.pad with a callable mode: apply the function along each axis by hand")
    widths = [(int(lo), int(hi)) for lo, hi in _pairs(pad_width, a.ndim, "pad_width")]
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        raise ValueError("index can't contain negative values")
    if mode == "constant":
        return _pad_constant(a, widths, constant_values)
    if mode == "empty":
        return _pad_constant(a, widths, 0)
    if mode in ("reflect", "symmetric") and reflect_type != "even":
        raise NotImplementedError("jnp.pad reflect_type='odd' is not supported by j2t.numpy.pad")
    if mode == "linear_ramp":
        ends = _pairs(end_values, a.ndim, "end_values")
    elif mode in ("maximum", "minimum", "mean", "median"):
        lengths = None if stat_length is None else _pairs(stat_length, a.ndim, "stat_length")
    elif mode not in ("edge", "wrap", "reflect", "symmetric"):
        raise ValueError(f"Unimplemented padding mode '{mode}' for np.pad.")
    for axis, (lo, hi) in enumerate(widths):
        n = a.shape[axis]
        if not lo and not hi:
            continue
        if n == 0:
            raise ValueError(f"Cannot apply '{mode}' padding to empty axis")
        if mode in ("edge", "wrap", "reflect", "symmetric"):
            a = torch.index_select(a, axis, _pad_index(mode, n, lo, hi, a.device))
        elif mode == "linear_ramp":
            before = _ramp(ends[axis][0], a.narrow(axis, 0, 1).squeeze(axis), lo, axis, a.dtype)
            after = _ramp(ends[axis][1], a.narrow(axis, n - 1, 1).squeeze(axis), hi, axis, a.dtype).flip(axis)
            a = torch.cat([before, a, after], dim=axis)
        else:
            if lengths is None:
                s_lo = s_hi = _stat(mode, a, axis)
            else:
                s_lo = _stat(mode, a.narrow(axis, 0, min(lengths[axis][0], n)), axis)
                k = min(lengths[axis][1], n)
                s_hi = _stat(mode, a.narrow(axis, n - k, k), axis)
            a = torch.cat([s_lo.repeat_interleave(lo, dim=axis), a, s_hi.repeat_interleave(hi, dim=axis)], dim=axis)
    return a


def _invalid_fill(dtype: torch.dtype):
    """JAX's fill value for out-of-range gathers: NaN, the most negative signed or the largest
    unsigned integer, and True for booleans."""
    if dtype.is_floating_point or dtype.is_complex:
        return float("nan")
    if dtype == torch.bool:
        return True
    info = torch.iinfo(dtype)
    return info.max if _is_unsigned(dtype) else info.min


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False,
         fill_value=None) -> torch.Tensor:
    """``jnp.take``: by default (``mode="fill"``) negative indices count from the end and
    out-of-range ones give ``fill_value`` (NaN / integer minimum / True); ``"clip"`` clamps the raw
    index into range and ``"wrap"`` takes it modulo the axis size. ``axis=None`` indexes the
    flattened array. ``torch.take``/``index_select`` raise on out-of-range indices instead."""
    if out is not None:
        raise ValueError("jnp.take: out= is not supported")
    a = torch.as_tensor(a)
    idx = torch.as_tensor(indices, device=a.device).long()
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = axis % a.ndim
    n = a.shape[axis]
    mode = "fill" if mode is None else mode
    if mode == "wrap":
        src = idx % n
    elif mode == "clip":  # JAX clamps without counting negative indices from the end
        src = idx.clamp(0, max(n - 1, 0))
    else:
        src = torch.where(idx < 0, idx + n, idx).clamp(0, max(n - 1, 0))
    picked = torch.index_select(a, axis, src.reshape(-1)).reshape(a.shape[:axis] + idx.shape + a.shape[axis + 1:])
    if mode == "fill":
        valid = ((idx >= -n) & (idx < n)).reshape((1,) * axis + idx.shape + (1,) * (a.ndim - axis - 1))
        fill = _invalid_fill(a.dtype) if fill_value is None else fill_value
        picked = torch.where(valid, picked, torch.tensor(fill, dtype=a.dtype, device=a.device))
    elif mode not in ("clip", "wrap", "promise_in_bounds"):
        raise ValueError(f"jnp.take: invalid mode {mode!r}")
    return picked


# ---- set operations: jnp.unique and the array-API unique_* family -------------------------------

UniqueAllResult = collections.namedtuple("UniqueAllResult", "values indices inverse_indices counts")
UniqueCountsResult = collections.namedtuple("UniqueCountsResult", "values counts")
UniqueInverseResult = collections.namedtuple("UniqueInverseResult", "values inverse_indices")


def _unique_flat(x: torch.Tensor, equal_nan: bool):
    """Sorted unique values of a 1-D tensor with first-occurrence index, inverse and counts.

    A stable sort keeps the first occurrence at the head of each run; NaNs (sorted last) form
    one run when ``equal_nan`` (JAX's default), unlike ``torch.unique`` which keeps each NaN.
    """
    order = torch.argsort(x, stable=True)
    s = x[order]
    new = torch.ones_like(s, dtype=torch.bool)
    same = s[1:] == s[:-1]
    if equal_nan and (s.is_floating_point() or s.is_complex()):
        same |= torch.isnan(s[1:]) & torch.isnan(s[:-1])
    new[1:] = ~same
    group = torch.cumsum(new.long(), 0) - 1
    inverse = torch.empty_like(order)
    inverse[order] = group
    return s[new], order[new], inverse, torch.bincount(group, minlength=int(new.sum()))


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):  # noqa: A002 - JAX's name
    """``jnp.unique``, including the ``size=``/``fill_value=`` form used under ``jit``.

    With ``size``, the outputs are cut or padded to ``size`` entries: values with ``fill_value``
    (default: the smallest unique value), indices with the first index of that value, counts with
    0, as JAX does. The inverse has the input's shape when ``axis`` is None.
    """
    a = torch.as_tensor(ar)
    if axis is None:
        values, first, inverse, counts = _unique_flat(a.reshape(-1), equal_nan)
        inverse = inverse.reshape(a.shape)
    else:
        moved = torch.movedim(a, axis, 0)
        values, inverse, counts = torch.unique(moved.reshape(moved.shape[0], -1), dim=0, return_inverse=True,
                                               return_counts=True)
        values = torch.movedim(values.reshape((-1,) + moved.shape[1:]), 0, axis)
        first = torch.full((counts.numel(),), moved.shape[0], dtype=torch.long, device=a.device)
        first = first.scatter_reduce(0, inverse, torch.arange(moved.shape[0], device=a.device), "amin")
    if size is not None:
        n = values.shape[0 if axis is None else axis]
        if n >= size:
            values = values.narrow(0 if axis is None else axis, 0, size)
            first, counts = first[:size], counts[:size]
        else:
            ax = 0 if axis is None else axis
            head = values.narrow(ax, 0, 1)
            fill = head if fill_value is None else torch.full_like(head, fill_value)
            values = torch.cat([values, fill.repeat_interleave(size - n, dim=ax)], dim=ax)
            first = torch.cat([first, first[:1].expand(size - n)])
            counts = torch.cat([counts, counts.new_zeros(size - n)])
    out = [values] + [t for flag, t in ((return_index, first), (return_inverse, inverse), (return_counts, counts)) if flag]
    return out[0] if len(out) == 1 else tuple(out)


def unique_values(x, *, size=None, fill_value=None):
    """``jnp.unique_values``: the sorted unique values."""
    return unique(x, size=size, fill_value=fill_value)


def unique_counts(x, *, size=None, fill_value=None):
    """``jnp.unique_counts``: ``(values, counts)`` as a named tuple."""
    return UniqueCountsResult(*unique(x, return_counts=True, size=size, fill_value=fill_value))


def unique_inverse(x, *, size=None, fill_value=None):
    """``jnp.unique_inverse``: ``(values, inverse_indices)``; the inverse has ``x``'s shape."""
    return UniqueInverseResult(*unique(x, return_inverse=True, size=size, fill_value=fill_value))


def unique_all(x, *, size=None, fill_value=None):
    """``jnp.unique_all``: values, first-occurrence indices, inverse indices and counts."""
    out = unique(x, return_index=True, return_inverse=True, return_counts=True, size=size, fill_value=fill_value)
    return UniqueAllResult(*out)


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


# ---- index helpers, statistics and small elementwise helpers ------------------------------------

def tril_indices(n, k=0, m=None):
    """``jnp.tril_indices``: a (rows, cols) tuple (``torch.tril_indices`` returns a 2xN tensor
    and orders its arguments (row, col, offset))."""
    return tuple(torch.tril_indices(n, n if m is None else m, k))


def triu_indices(n, k=0, m=None):
    """``jnp.triu_indices``: a (rows, cols) tuple of the upper triangle from diagonal ``k``."""
    return tuple(torch.triu_indices(n, n if m is None else m, k))


def tril_indices_from(arr, k=0):
    """``jnp.tril_indices_from``: :func:`tril_indices` for the last two axes of ``arr``."""
    return tril_indices(arr.shape[-2], k, arr.shape[-1])


def triu_indices_from(arr, k=0):
    """``jnp.triu_indices_from``: :func:`triu_indices` for the last two axes of ``arr``."""
    return triu_indices(arr.shape[-2], k, arr.shape[-1])


def diag_indices(n, ndim=2):
    """``jnp.diag_indices``: ``ndim`` copies of ``arange(n)``."""
    return (torch.arange(n),) * ndim


def diag_indices_from(arr):
    """``jnp.diag_indices_from``: main-diagonal indices of a square array."""
    if len(set(arr.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(arr.shape[0], arr.ndim)


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None) -> torch.Tensor:
    """``jnp.cov``: ``rowvar=False`` transposes, ``y`` adds variables, ``bias``/``ddof`` become
    ``torch.cov``'s ``correction``; a 1-D input gives a 0-d result as in NumPy."""
    x = _inexact(m)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if not rowvar and x.shape[0] != 1:
        x = x.T
    if y is not None:
        yy = _inexact(y)
        yy = yy.reshape(1, -1) if yy.ndim == 1 else yy
        if not rowvar and yy.shape[0] != 1:
            yy = yy.T
        x = torch.cat([x, yy.to(x.dtype)], dim=0)
    correction = ddof if ddof is not None else (0 if bias else 1)
    out = torch.cov(x, correction=correction, fweights=fweights, aweights=aweights)
    return out.reshape(()) if x.shape[0] == 1 else out


def corrcoef(x, y=None, rowvar=True) -> torch.Tensor:
    """``jnp.corrcoef``: Pearson coefficients, clipped to [-1, 1] like NumPy and JAX."""
    c = cov(x, y, rowvar)
    if c.ndim == 0:
        return c / c
    d = torch.sqrt(torch.diagonal(c))
    return (c / d[:, None] / d[None, :]).clamp(-1, 1)


def digitize(x, bins, right=False, *, method=None) -> torch.Tensor:
    """``jnp.digitize``: ``torch.bucketize`` with the arguments swapped, NumPy's ``right``
    meaning (inverted with respect to bucketize's) and decreasing ``bins`` supported."""
    x, bins = _operands(x, bins)
    if bins.numel() > 1 and bool(bins[-1] < bins[0]):
        return bins.numel() - torch.bucketize(x, bins.flip(0), right=not right)
    return torch.bucketize(x, bins, right=not right)


def float_power(x1, x2) -> torch.Tensor:
    """``jnp.float_power``: power in the promoted *inexact* dtype (float32 with JAX's x64 off;
    ``torch.float_power`` always computes and returns float64)."""
    a, b = _operands(x1, x2)
    dtype = torch.result_type(a, b)
    dtype = dtype if dtype.is_floating_point or dtype.is_complex else torch.float32
    return torch.pow(a.to(dtype), b.to(dtype))


def angle(z, deg=False) -> torch.Tensor:
    """``jnp.angle``: the complex argument, in degrees with ``deg=True``; float for real input."""
    out = torch.angle(_inexact(z))
    return torch.rad2deg(out) if deg else out


def append(arr, values, axis=None) -> torch.Tensor:
    """``jnp.append``: ``axis=None`` flattens both inputs first."""
    arr, values = _operands(arr, values)
    dtype = torch.result_type(arr, values)
    if axis is None:
        return torch.cat([arr.reshape(-1).to(dtype), values.reshape(-1).to(dtype)])
    return torch.cat([arr.to(dtype), values.to(dtype)], dim=axis)


def divmod(x1, x2):  # noqa: A001 - mirrors jnp.divmod
    """``jnp.divmod``: (floor quotient, remainder with the divisor's sign)."""
    a, b = _operands(x1, x2)
    return torch.div(a, b, rounding_mode="floor"), torch.remainder(a, b)


def modf(x):
    """``jnp.modf``: (fractional part, integral part), both with ``x``'s sign."""
    x = _inexact(x)
    whole = torch.trunc(x)
    return x - whole, whole


def matvec(x1, x2) -> torch.Tensor:
    """``jnp.matvec``: batched matrix-vector product over the last axes."""
    return torch.matmul(x1, x2.unsqueeze(-1)).squeeze(-1)


def vecmat(x1, x2) -> torch.Tensor:
    """``jnp.vecmat``: batched vector-matrix product, the vector conjugated."""
    return torch.matmul(x1.conj().unsqueeze(-2), x2).squeeze(-2)


def rollaxis(a, axis, start=0) -> torch.Tensor:
    """``jnp.rollaxis``: move ``axis`` to sit before position ``start`` (NumPy's rule)."""
    a = torch.as_tensor(a)
    axis %= a.ndim
    start = start + a.ndim if start < 0 else start
    if axis < start:
        start -= 1
    return torch.movedim(a, axis, start)


def _cumulative_initial(op, x, axis, dtype, include_initial, initial):
    x = torch.as_tensor(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("jnp.cumulative_*: axis is required for arrays of more than one dimension")
        axis = 0
    out = op(x, dim=axis, dtype=dtype)
    if include_initial:
        shape = list(out.shape)
        shape[axis] = 1
        out = torch.cat([torch.full(shape, initial, dtype=out.dtype, device=out.device), out], dim=axis)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False) -> torch.Tensor:
    """``jnp.cumulative_sum``: ``include_initial`` prepends 0 along ``axis``."""
    return _cumulative_initial(torch.cumsum, x, axis, dtype, include_initial, 0)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False) -> torch.Tensor:
    """``jnp.cumulative_prod``: ``include_initial`` prepends 1 along ``axis``."""
    return _cumulative_initial(torch.cumprod, x, axis, dtype, include_initial, 1)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0) -> torch.Tensor:
    """``jnp.geomspace`` for positive scalar endpoints: ``torch.logspace`` on log10 of them,
    with the exact endpoints restored as NumPy does; float32 by default."""
    import math

    if axis != 0:
        raise NotImplementedError("j2t.numpy.geomspace supports axis=0 only")
    if start <= 0 or stop <= 0:
        raise NotImplementedError("j2t.numpy.geomspace supports positive endpoints only")
    dtype = torch.float32 if dtype is None else dtype
    lo, hi = math.log10(start), math.log10(stop)
    if not endpoint:
        hi = lo + (hi - lo) * (num - 1) / num if num > 1 else lo
    out = torch.logspace(lo, hi, num, dtype=torch.float64)
    if num > 0:
        out[0] = start
        if endpoint and num > 1:
            out[-1] = stop
    return out.to(dtype)


def select(condlist, choicelist, default=0) -> torch.Tensor:
    """``jnp.select``: the first true condition picks its choice (``torch.select`` is indexing)."""
    if len(condlist) != len(choicelist):
        raise ValueError("condlist and choicelist must have the same length")
    choices = [torch.as_tensor(c) for c in choicelist]
    dtype = functools.reduce(torch.promote_types, [c.dtype for c in choices])
    out = torch.as_tensor(default, dtype=dtype)
    for cond, choice in reversed(list(zip(condlist, choices))):
        out = torch.where(torch.as_tensor(cond), choice.to(dtype), out)
    return out


def iscomplex(x) -> torch.Tensor:
    """``jnp.iscomplex``: elementwise nonzero imaginary part (all False for real input)."""
    x = torch.as_tensor(x)
    return x.imag != 0 if x.is_complex() else torch.zeros_like(x, dtype=torch.bool)


def isrealobj(x) -> bool:
    """``jnp.isrealobj``: the dtype is not complex."""
    return not torch.as_tensor(x).is_complex()


def linalg_trace(x, /, *, offset=0, dtype=None) -> torch.Tensor:
    """``jnp.linalg.trace``: the trace over the last two axes, batched (``torch.trace`` is 2-D)."""
    return torch.diagonal(torch.as_tensor(x), offset, -2, -1).sum(-1, dtype=dtype)


def linalg_lstsq(a, b, rcond=None, *, numpy_resid=False):
    """``jnp.linalg.lstsq``: ``(x, residuals, rank, singular_values)`` from an SVD as in JAX
    (``torch.linalg.lstsq`` returns empty residuals/ranks for its default driver). Residuals are
    always computed unless ``numpy_resid`` asks for NumPy's empty ones when rank-deficient/wide."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    vector = b.ndim == 1
    b = b[:, None] if vector else b
    m, n = a.shape
    rcond = torch.finfo(a.dtype).eps * max(m, n) if rcond is None else rcond
    u, s, vt = torch.linalg.svd(a, full_matrices=False)
    mask = (s > 0) & (s >= rcond * s[0])
    rank = mask.sum()
    s_inv = torch.where(mask, 1 / torch.where(mask, s, 1), 0)[:, None].to(a.dtype)
    x = vt.conj().T @ (s_inv * (u.conj().T @ b))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = torch.zeros(0, dtype=a.dtype)
    else:
        resid = torch.linalg.vector_norm(b - a @ x, dim=0) ** 2
    return (x.reshape(-1) if vector else x), resid, rank, s


def gradient(f, *varargs, axis=None, edge_order=None):
    """``jnp.gradient``: one array for a single axis, a list otherwise (``torch.gradient``
    always returns a tuple); integers promote to float32."""
    f = _inexact(f)
    axes = _all_axes(f, axis)
    spacing = varargs[0] if len(varargs) == 1 else (list(varargs) if varargs else 1)
    out = torch.gradient(f, spacing=spacing, dim=axes, edge_order=edge_order or 1)
    return out[0] if len(out) == 1 else list(out)


def fft_ihfft(a, n=None, axis=-1, norm=None) -> torch.Tensor:
    """``jnp.fft.ihfft``: ``torch.fft.ihfft`` returns a lazily conjugated view, which
    ``.numpy()`` and some kernels reject; the result is materialised like JAX's array."""
    return torch.fft.ihfft(torch.as_tensor(a), n=n, dim=axis, norm=norm).resolve_conj()
