"""pad and take with JAX's out-of-range and padding-mode conventions."""

from __future__ import annotations

import numbers

import torch

from jax2torch_runtime._numpy_core import _is_unsigned, cut_or_pad



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


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None) -> torch.Tensor:
    """``jnp.take_along_axis``: int32 (JAX's default) index arrays are fine, negative indices count
    from the end, and out-of-range ones give ``fill_value`` (NaN / integer minimum) by default or
    are clamped with ``mode="clip"``. ``torch.take_along_dim`` needs int64 and raises instead."""
    a = torch.as_tensor(arr)
    idx = torch.as_tensor(indices, device=a.device).long()
    if axis is None:
        a, idx, axis = a.reshape(-1), idx.reshape(-1), 0
    axis = axis % a.ndim
    n = a.shape[axis]
    wrapped = torch.where(idx < 0, idx + n, idx)
    picked = torch.take_along_dim(a, wrapped.clamp(0, max(n - 1, 0)), dim=axis)
    if mode is None or mode == "fill":
        fill = _invalid_fill(a.dtype) if fill_value is None else fill_value
        valid = (wrapped >= 0) & (wrapped < n)
        return torch.where(valid, picked, torch.tensor(fill, dtype=a.dtype, device=a.device))
    if mode not in ("clip", "promise_in_bounds"):
        raise ValueError(f"jnp.take_along_axis: invalid mode {mode!r}")
    return picked


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


# ---- insert, delete and functional scatters (JAX returns new arrays) ---------------------------

def _flat_axis(arr, axis):
    """``axis=None`` means "the flattened array" in insert/delete/put_along_axis."""
    a = torch.as_tensor(arr)
    return (a.reshape(-1), 0) if axis is None else (a, axis % max(a.ndim, 1))


def insert(arr, obj, values, axis=None) -> torch.Tensor:
    """``jnp.insert``: ``values`` placed before the positions ``obj`` (an int, a slice or a 1-D
    index array; negative indices count from the end, out-of-range ones are clipped). A scalar
    ``obj`` inserts the whole ``values`` block there, as in JAX."""
    a, axis = _flat_axis(arr, axis)
    n = a.shape[axis]
    indices = torch.arange(n)[obj] if isinstance(obj, slice) else torch.as_tensor(obj)
    indices = indices.to(device=a.device, dtype=torch.long)
    if indices.ndim > 1:
        raise ValueError("jnp.insert(): obj must be a slice, a one-dimensional array, or a scalar")
    vals = torch.as_tensor(values, device=a.device).to(a.dtype)
    while vals.ndim < a.ndim:
        vals = vals.unsqueeze(0)
    if indices.numel() == 1:
        if indices.ndim == 0:
            vals = torch.movedim(vals, 0, axis)
        indices = indices.reshape(1).expand(vals.shape[axis])
    n_insert = torch.broadcast_shapes(indices.shape, (vals.shape[axis],))[0]
    indices = torch.where(indices < 0, indices + n, indices).clamp(0, n).expand(n_insert)
    order = torch.argsort(indices, stable=True)
    values_at = indices.clone()
    values_at[order] += torch.arange(n_insert, device=a.device)
    keep = torch.ones(n + n_insert, dtype=torch.bool, device=a.device)
    keep[values_at] = False
    shape = list(a.shape)
    shape[axis] = n + n_insert
    out = a.new_zeros(shape)
    lead = (slice(None),) * axis
    target = list(shape)
    target[axis] = n_insert
    out[lead + (values_at,)] = vals.expand(target) if vals.shape[axis] == n_insert else vals.broadcast_to(target)
    out[lead + (keep,)] = a
    return out


def delete(arr, obj, axis=None, *, assume_unique_indices=False) -> torch.Tensor:
    """``jnp.delete``: drop the entries ``obj`` (int, slice, index array with negatives and
    repeats, or a boolean mask) along ``axis``; ``axis=None`` works on the flattened array."""
    a, axis = _flat_axis(arr, axis)
    n = a.shape[axis]
    keep = torch.ones(n, dtype=torch.bool, device=a.device)
    if isinstance(obj, slice):
        keep[obj] = False
    else:
        idx = torch.as_tensor(obj, device=a.device)
        if idx.dtype == torch.bool:
            if idx.shape != (n,):
                raise ValueError("np.delete(arr, obj): for boolean indices, obj must be one-dimensional "
                                 "with length matching specified axis.")
            keep = ~idx
        elif idx.ndim == 0 and not -n <= int(idx) < n:
            raise IndexError(f"index {int(idx)} is out of bounds for axis {axis} with size {n}")
        else:
            keep[idx.long().reshape(-1)] = False
    return a[(slice(None),) * axis + (keep,)]


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None) -> torch.Tensor:
    """``jnp.put_along_axis`` (JAX requires ``inplace=False``): a new tensor with ``values``
    scattered at ``indices`` along ``axis``; negative indices count from the end."""
    a, ax = _flat_axis(arr, axis)
    idx = torch.as_tensor(indices, device=a.device).long()
    idx = idx.reshape(-1) if axis is None else idx
    idx = torch.where(idx < 0, idx + a.shape[ax], idx)
    src = torch.as_tensor(values, device=a.device).to(a.dtype).broadcast_to(idx.shape)
    out = a.scatter(ax, idx, src)
    return out.reshape(torch.as_tensor(arr).shape) if axis is None else out


def fill_diagonal(a, val, wrap=False, *, inplace=True) -> torch.Tensor:
    """``jnp.fill_diagonal`` (JAX requires ``inplace=False``): a copy with the main diagonal set
    to ``val`` (repeated cyclically when it is an array). JAX rejects ``wrap=True``; so does this."""
    if wrap:
        raise NotImplementedError("wrap=True is not implemented, must use wrap=False")
    t = torch.as_tensor(a)
    if t.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if t.ndim > 2 and len(set(t.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    flat = t.reshape(-1).clone()
    if t.ndim == 2:
        step = t.shape[1] + 1
        end = min(flat.numel(), t.shape[1] * t.shape[1])
    else:
        step = 1 + sum(int(torch.tensor(t.shape[:i]).prod()) for i in range(1, t.ndim))
        end = flat.numel()
    positions = torch.arange(0, end, step, device=t.device)
    v = torch.as_tensor(val, device=t.device).to(t.dtype).reshape(-1)
    flat[positions] = v.repeat(-(-positions.numel() // max(v.numel(), 1)))[: positions.numel()]
    return flat.reshape(t.shape)


# ---- index construction: flatnonzero, ix_, indices, lexsort -------------------------------------

def flatnonzero(a, *, size=None, fill_value=None) -> torch.Tensor:
    """``jnp.flatnonzero``: indices of the non-zero entries of the flattened input, cut or padded
    to ``size`` with ``fill_value`` (default 0) for use under ``jit``."""
    idx = torch.nonzero(torch.as_tensor(a).reshape(-1)).reshape(-1)
    if size is None:
        return idx
    pad_with = 0 if fill_value is None else fill_value
    return cut_or_pad(idx, size, pad_with)


def nonzero(a, *, size=None, fill_value=None) -> tuple:
    """``jnp.nonzero``: a tuple of index tensors, one per dim. With ``size`` (what jit-compiled JAX
    code passes) each is cut or padded to exactly ``size`` entries with ``fill_value`` (default 0;
    a tuple gives one value per dim)."""
    t = torch.as_tensor(a)
    if t.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() instead.")
    found = torch.nonzero(t, as_tuple=True)
    if size is None:
        return found
    fills = fill_value if isinstance(fill_value, (tuple, list)) else (0 if fill_value is None else fill_value,) * t.ndim
    if len(fills) != t.ndim:
        raise ValueError(f"fill_value must be a scalar or a tuple of length {t.ndim}; got {fill_value!r}")
    return tuple(cut_or_pad(idx, size, int(fill)) for idx, fill in zip(found, fills))


def argwhere(a, *, size=None, fill_value=None) -> torch.Tensor:
    """``jnp.argwhere``: ``(count, ndim)`` indices of the non-zero entries; with ``size`` exactly
    ``size`` rows, padded with ``fill_value`` (default 0) as in JAX."""
    t = torch.as_tensor(a)
    if size is None:
        return torch.argwhere(t)
    if t.ndim == 0:
        t = t.reshape(1)
        return torch.stack(nonzero(t, size=size, fill_value=fill_value), 1)[:, :0]
    return torch.stack(nonzero(t, size=size, fill_value=fill_value), 1)


def where(condition, x=None, y=None, *, size=None, fill_value=None):
    """``jnp.where``: the three-argument select, or the one-argument form (``nonzero``), which
    takes JAX's ``size``/``fill_value`` for a fixed-length result."""
    if x is None and y is None:
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided to jax.numpy.where")
    if size is not None or fill_value is not None:
        raise ValueError("size and fill_value are only valid with the one-argument form of jnp.where")
    return torch.where(torch.as_tensor(condition), x, y)


def ix_(*args):
    """``jnp.ix_``: each 1-D index array reshaped to broadcast along its own axis (an open mesh)."""
    out = []
    for i, arg in enumerate(args):
        t = torch.as_tensor(arg)
        if t.ndim != 1:
            raise ValueError(f"Arguments to jax.numpy.ix_ must be 1-dimensional, got shape {tuple(t.shape)}")
        shape = [1] * len(args)
        shape[i] = t.shape[0]
        out.append(t.reshape(shape))
    return tuple(out)


def indices(dimensions, dtype=None, sparse=False):
    """``jnp.indices``: the grid of index values, stacked to shape ``(ndim, *dimensions)``, or
    with ``sparse`` one broadcastable ``arange`` per axis."""
    dims = tuple(dimensions)
    ranges = [torch.arange(n, dtype=dtype or torch.long) for n in dims]
    if sparse:
        return tuple(r.reshape([n if j == i else 1 for j, n in enumerate(dims)]) for i, r in enumerate(ranges))
    if not dims:
        return torch.empty((0,), dtype=dtype or torch.long)
    return torch.stack(torch.meshgrid(*ranges, indexing="ij"))


def lexsort(keys, axis=-1) -> torch.Tensor:
    """``jnp.lexsort``: indices that sort by the last key, ties broken by the previous ones, via
    one stable argsort per key (the first key first)."""
    keys = list(torch.unbind(keys)) if isinstance(keys, torch.Tensor) else [torch.as_tensor(k) for k in keys]
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    keys = [k.to(torch.uint8) if k.dtype == torch.bool else k for k in keys]
    order = torch.argsort(keys[0], dim=axis, stable=True)
    for key in keys[1:]:
        order = order.gather(axis, torch.argsort(key.gather(axis, order), dim=axis, stable=True))
    return order
