"""jnp.unique and the array-API unique_* family, with JAX's size=/fill_value= padding."""

from __future__ import annotations

import collections

import torch

from jax2torch_runtime._numpy_core import cut_or_pad



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


# ---- two-array set operations: intersect1d, union1d, setdiff1d, setxor1d -----------------------

def _flat_pair(ar1, ar2):
    """Both inputs flattened and promoted to one dtype, as JAX's set operations do."""
    a = torch.as_tensor(ar1)
    b = torch.as_tensor(ar2, device=a.device)
    dtype = torch.result_type(a, b)
    return a.reshape(-1).to(dtype), b.reshape(-1).to(dtype)


def _sized(values: torch.Tensor, size, fill_value) -> torch.Tensor:
    """JAX's ``size=`` form of intersect1d/setxor1d/setdiff1d: the first ``size`` results, padded
    with ``fill_value``, else with the smallest result (0 when there is none)."""
    if size is None:
        return values
    n = values.shape[0]
    if n >= size:
        return values[:size]
    if fill_value is None:
        fill = values[:1] if n else values.new_zeros(1)
    else:
        fill = torch.full((1,), fill_value, dtype=values.dtype, device=values.device)
    return torch.cat([values, fill.expand(size - n)])


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None, fill_value=None):
    """``jnp.intersect1d``: sorted values present in both (flattened) inputs.

    ``return_indices`` adds the first-occurrence index of each value in each input; with ``size``
    the padded index slots hold the input's length, as in JAX. ``assume_unique`` is only a speed
    hint in JAX for inputs that are unique, so the exact computation serves it too.
    """
    a, b = _flat_pair(ar1, ar2)
    ua, ia = unique(a, return_index=True)
    ub, ib = unique(b, return_index=True)
    in_b = torch.isin(ua, ub)
    values = _sized(ua[in_b], size, fill_value)
    if not return_indices:
        return values
    i1, i2 = ia[in_b], ib[torch.isin(ub, ua)]
    if size is not None:
        i1, i2 = cut_or_pad(i1, size, a.numel()), cut_or_pad(i2, size, b.numel())
    return values, i1, i2


def union1d(ar1, ar2, *, size=None, fill_value=None):
    """``jnp.union1d``: sorted unique values of both inputs; ``size`` pads like :func:`unique`
    (with the smallest value by default)."""
    a, b = _flat_pair(ar1, ar2)
    both = torch.cat([a, b])
    if both.numel() == 0 and size:
        if fill_value is None:
            raise ValueError("jnp.union1d: for zero-sized input with nonzero size argument, fill_value must be specified")
        return torch.full((size,), fill_value, dtype=both.dtype, device=both.device)
    return unique(both, size=size, fill_value=fill_value)


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """``jnp.setdiff1d``: sorted unique values of ``ar1`` not in ``ar2``, in ``ar1``'s dtype (JAX
    does not promote here); ``size`` pads with ``fill_value`` or 0."""
    a = torch.as_tensor(ar1).reshape(-1)
    b = torch.as_tensor(ar2, device=a.device).reshape(-1)
    ua = unique(a)
    return _sized(ua[~torch.isin(ua, b)], size, 0 if fill_value is None else fill_value)


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """``jnp.setxor1d``: sorted values in exactly one of the inputs."""
    a, b = _flat_pair(ar1, ar2)
    ua, ub = unique(a), unique(b)
    only = torch.cat([ua[~torch.isin(ua, ub)], ub[~torch.isin(ub, ua)]])
    return _sized(torch.sort(only).values, size, fill_value)
