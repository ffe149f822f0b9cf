"""The pure-Python layout and shape arithmetic of ``jax.lax`` convolutions.

Ported from ``jax/_src/lax/convolution.py`` so that code written against JAX's layout strings
(``('NHWC', 'HWIO', 'NHWC')``) and shape helpers (``stax``'s ``init_fun``\\ s call
``conv_general_shape_tuple``) keeps working. Shapes come back as tuples of Python ints (JAX
returns NumPy integers; the values are the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ._lax_pad import padtype_to_pads

__all__ = [
    "ConvDimensionNumbers", "conv_dimension_numbers", "conv_general_permutations", "conv_shape_tuple",
    "conv_general_shape_tuple", "conv_transpose_shape_tuple", "conv_transpose_padding",
]


class ConvDimensionNumbers(NamedTuple):
    """``lax.ConvDimensionNumbers``: for lhs and out ``(batch, feature, spatial...)`` positions,
    for rhs ``(out feature, in feature, spatial...)`` positions."""

    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


def conv_general_permutations(dimension_numbers):
    """``lax.conv_general_permutations``: the three layout strings as index permutations into the
    canonical ``NC...``/``OI...`` order; spatial axes follow their order in the rhs string."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        if not dimension_numbers[i].count(a) == dimension_numbers[i].count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                            f"'{a}' and '{b}' exactly once, got {dimension_numbers[i]}.")
        if len(dimension_numbers[i]) != len(set(dimension_numbers[i])):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate characters, "
                            f"got {dimension_numbers[i]}.")
    if not set(lhs_spec) - {"N", "C"} == set(rhs_spec) - {"O", "I"} == set(out_spec) - {"N", "C"}:
        raise TypeError("convolution dimension_numbers elements must each have the same set of "
                        f"spatial characters, got {dimension_numbers}.")

    def getperm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs_spec:
            spatial.sort(key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1]), *spatial)

    return tuple(getperm(spec, pair) for spec, pair in zip(dimension_numbers, charpairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
    """``lax.conv_dimension_numbers``: ``None`` (``NCHW``/``OIHW``/``NCHW``), three layout strings or a
    :class:`ConvDimensionNumbers` (returned as is), normalised to a :class:`ConvDimensionNumbers`."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} "
                        f"and {len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)):
        raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got {type(dimension_numbers)}")
    if len(dimension_numbers) != 3:
        raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got {len(dimension_numbers)}.")
    if not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError(f"convolution dimension_numbers elements must be strings, got {dimension_numbers}.")
    for i, spec in enumerate(dimension_numbers):
        if len(spec) != len(lhs_shape):
            raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the ndim of lhs "
                            f"and rhs, got {len(spec)} for lhs and rhs shapes {lhs_shape} and {rhs_shape}.")
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


def _stride_dim(d: int, window: int, stride: int) -> int:
    return max((d - window) // stride + 1, 0)


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """``lax.conv_shape_tuple``: output shape of a convolution with operands in canonical order."""
    lhs_shape, rhs_shape = [int(d) for d in lhs_shape], [int(d) for d in rhs_shape]
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, got {len(pads)}.")
    padded = [d + int(lo) + int(hi) for d, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(d < 0 for d in padded):
        raise ValueError("Negative padding is larger than the size of the corresponding dimension: "
                         f"got padding={pads} for lhs_shape[2:]={lhs_shape[2:]}")
    space = tuple(_stride_dim(d, k, int(s)) for d, k, s in zip(padded, rhs_shape[2:], strides))
    return (lhs_shape[0] // batch_group_count, rhs_shape[0], *space)


def _take(shape, perm):
    return [int(shape[i]) for i in perm]


def _untake(canonical, perm):
    """Inverse of :func:`_take`: canonical position ``i`` goes to axis ``perm[i]``."""
    out = [0] * len(perm)
    for i, axis in enumerate(perm):
        out[axis] = canonical[i]
    return tuple(out)


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """``lax.conv_general_shape_tuple``: output shape of ``conv_general_dilated`` in the out layout."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    canonical = conv_shape_tuple(_take(lhs_shape, lhs_perm), _take(rhs_shape, rhs_perm), window_strides, padding)
    return _untake(canonical, out_perm)


def conv_transpose_padding(k: int, s: int, padding):
    """JAX's ``_conv_transpose_padding``: the (before, after) padding of the dilated input that makes
    ``conv_transpose`` the transpose of a forward conv with kernel ``k``, stride ``s``, ``padding``."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else -(pad_len // -2)
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, (tuple, list)):
        pads = tuple(k - int(p) - 1 for p in padding)
        pad_a, pad_len = pads[0], sum(pads)
    else:
        raise ValueError(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """``lax.conv_transpose_shape_tuple``: output shape of ``conv_transpose`` in the out layout."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs, rhs = _take(lhs_shape, lhs_perm), _take(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [conv_transpose_padding(k, int(s), padding) for k, s in zip(rhs[2:], window_strides)]
    totals = [sum(int(p) for p in pair) for pair in padding]
    space = [(i - 1) * int(s) - k + 2 + p for i, k, s, p in zip(lhs[2:], rhs[2:], window_strides, totals)]
    return _untake((lhs[0], rhs[0], *space), out_perm)
