"""jnp.unique and the array-API unique_* family, with JAX's size=/fill_value= padding."""

from __future__ import annotations

import collections

import torch



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
