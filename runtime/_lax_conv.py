"""``lax.conv_general_dilated`` and its wrappers on ``torch.nn.functional.conv{1,2,3}d``.

JAX's convolution is XLA's: any layout (``dimension_numbers``), explicit ``(low, high)`` padding
that may be asymmetric or negative, input dilation (``lhs_dilation``, the transposed convolution)
and kernel dilation. Like torch it is a cross-correlation (the kernel is not flipped). The mapping:
permute both operands into torch's ``NC...``/``OI...`` order, realise padding and input dilation
with one :func:`~._lax_pad.pad` (torch's own ``padding=`` is symmetric and non-negative), call
``conv{n}d`` with the strides, kernel dilation and groups, permute the result into the out layout.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._lax_conv_shapes import (
    conv_dimension_numbers,
    conv_shape_tuple,
    conv_transpose_padding,
)
from ._lax_pad import pad, padtype_to_pads

__all__ = ["conv_general_dilated", "conv", "conv_with_general_padding", "conv_transpose",
           "conv_general_dilated_patches"]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_TRANSPOSE_LAYOUTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                      5: ("NHWDC", "HWDIO", "NHWDC")}


def _torch_dtype(dtype):
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype)
    return getattr(torch, name)


def _explicit_padding(padding, in_space, kernel_space, strides, lhs_dilation, rhs_dilation):
    if not isinstance(padding, str):
        try:
            return [(int(lo), int(hi)) for lo, hi in padding]
        except (TypeError, ValueError) as err:
            raise ValueError("padding argument to conv_general_dilated should be a string or a "
                             f"sequence of (low, high) pairs, got {padding}") from err
    if any(d != 1 for d in lhs_dilation):
        raise ValueError("String padding is not implemented for transposed convolution using this op. "
                         "Please either exactly specify the required padding or use conv_transpose.")
    effective = [max(1 + r * (k - 1), 0) for k, r in zip(kernel_space, rhs_dilation)]
    return padtype_to_pads(in_space, effective, strides, padding)


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None, *, out_sharding=None):
    """``lax.conv_general_dilated`` with JAX's arguments and result layout.

    ``padding`` is ``'SAME'``/``'SAME_LOWER'``/``'VALID'`` or ``(low, high)`` pairs (negative crops);
    ``dimension_numbers`` is ``None`` (``NCHW``/``OIHW``), three layout strings or a
    ``ConvDimensionNumbers``. ``preferred_element_type`` sets the result dtype (the inputs are cast
    to it first, as torch has no separate accumulator type); integer convolutions are computed
    exactly in float64 (exact while partial sums stay below 2**53). ``precision`` is accepted and
    ignored: torch's CPU convolution is full precision. At most one of the group counts may exceed 1.
    """
    lhs, rhs = torch.as_tensor(lhs), torch.as_tensor(rhs)
    dnums = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    x, w = lhs.permute(*dnums.lhs_spec), rhs.permute(*dnums.rhs_spec)
    space = x.ndim - 2
    strides = [int(s) for s in window_strides]
    lhs_dilation = [int(d) for d in lhs_dilation] if lhs_dilation is not None else [1] * space
    rhs_dilation = [int(d) for d in rhs_dilation] if rhs_dilation is not None else [1] * space
    pads = _explicit_padding(padding, x.shape[2:], w.shape[2:], strides, lhs_dilation, rhs_dilation)
    if feature_group_count > 1 and batch_group_count > 1:
        raise ValueError("At most one of feature_group_count and batch_group_count may be > 1, got "
                         f"feature_group_count={feature_group_count} and batch_group_count={batch_group_count}")
    out_dtype = _torch_dtype(preferred_element_type) or torch.promote_types(lhs.dtype, rhs.dtype)
    compute = out_dtype if (out_dtype.is_floating_point or out_dtype.is_complex) else torch.float64
    x, w = x.to(compute), w.to(compute)
    if any(lo or hi for lo, hi in pads) or any(d != 1 for d in lhs_dilation):
        x = pad(x, 0, [(0, 0, 0), (0, 0, 0)] + [(lo, hi, d - 1) for (lo, hi), d in zip(pads, lhs_dilation)])
    out = _grouped_conv(x, w, strides, rhs_dilation, int(feature_group_count), int(batch_group_count))
    if not (out_dtype.is_floating_point or out_dtype.is_complex):
        out = out.round().to(torch.int64)
    inverse = [0] * out.ndim
    for i, axis in enumerate(dnums.out_spec):
        inverse[axis] = i
    return out.to(out_dtype).permute(*inverse)


def _grouped_conv(x, w, strides, rhs_dilation, feature_groups, batch_groups):
    """Convolve canonical ``x`` (N, C, ...) with ``w`` (O, I, ...) the way XLA groups them.

    ``batch_group_count = G`` splits the batch into G contiguous blocks and output-feature block
    ``g`` sees only batch block ``g``: moving the blocks into the channel axis makes that an ordinary
    ``groups=G`` convolution.
    """
    space = x.ndim - 2
    if space > 3:
        raise NotImplementedError(f"conv_general_dilated with {space} spatial dimensions: torch has "
                                  "convolutions for 1 to 3 spatial dimensions only")
    if space == 0:  # a grouped matrix product; run it as a 1-d convolution of length 1
        return _grouped_conv(x[..., None], w[..., None], [1], [1], feature_groups, batch_groups)[..., 0]
    if batch_groups > 1:
        n, c = x.shape[0] // batch_groups, x.shape[1]
        x = x.reshape(batch_groups, n, c, *x.shape[2:]).transpose(0, 1).reshape(n, batch_groups * c, *x.shape[2:])
    dilated_kernel = [1 + r * (k - 1) for k, r in zip(w.shape[2:], rhs_dilation)]
    shape = conv_shape_tuple(x.shape, [w.shape[0], w.shape[1], *dilated_kernel], strides, [(0, 0)] * space)
    if 0 in shape or 0 in x.shape:
        return x.new_zeros(shape)
    return _CONV[space](x, w, stride=strides, dilation=rhs_dilation, groups=feature_groups * batch_groups)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """``lax.conv``: ``conv_general_dilated`` in ``NCHW``/``OIHW`` layout without dilation."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    """``lax.conv_with_general_padding``: ``conv_general_dilated`` in ``NCHW``/``OIHW`` layout."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None,
                   use_consistent_padding=False):
    """``lax.conv_transpose``: a fractionally strided convolution, defined as in JAX.

    The input is dilated by ``strides`` and padded so that ``'SAME'``/``'VALID'`` (and, with
    ``use_consistent_padding``, explicit pairs) describe the *forward* convolution; otherwise explicit
    pairs pad the dilated input directly. The default layout is TensorFlow's (``NHWC``/``HWIO``).
    ``transpose_kernel=True`` flips the spatial axes and swaps I/O (Keras' ``Conv2DTranspose``).
    """
    lhs, rhs = torch.as_tensor(lhs), torch.as_tensor(rhs)
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise ValueError(f"conv_transpose needs operands of equal rank >= 2, got {lhs.ndim} and {rhs.ndim}")
    if dimension_numbers is None:
        if lhs.ndim not in _TRANSPOSE_LAYOUTS:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = _TRANSPOSE_LAYOUTS[lhs.ndim]
    dn = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    kernel_space = [int(rhs.shape[i]) for i in dn.rhs_spec[2:]]
    rhs_dilation = list(rhs_dilation) if rhs_dilation is not None else [1] * (rhs.ndim - 2)
    if use_consistent_padding or (isinstance(padding, str) and padding in ("SAME", "VALID")):
        effective = [max(1 + int(r) * (k - 1), 0) for k, r in zip(kernel_space, rhs_dilation)]
        per_dim = [padding] * len(strides) if isinstance(padding, str) else padding
        padding = [conv_transpose_padding(k, int(s), p) for k, s, p in zip(effective, strides, per_dim)]
    if transpose_kernel:
        rhs = rhs.flip(list(dn.rhs_spec[2:])).transpose(dn.rhs_spec[0], dn.rhs_spec[1])
    return conv_general_dilated(lhs, rhs, (1,) * (lhs.ndim - 2), padding, strides, rhs_dilation, dn,
                                precision=precision, preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None,
                                 rhs_dilation=None, dimension_numbers=None, precision=None,
                                 preferred_element_type=None):
    """``lax.conv_general_dilated_patches``: every receptive field of ``conv_general_dilated``
    flattened into the output feature axis (channel-major, then the filter positions).

    Defined as in JAX: a depthwise convolution with a one-hot kernel per filter position.
    """
    lhs = torch.as_tensor(lhs)
    filter_shape = tuple(int(k) for k in filter_shape)
    dnums = conv_dimension_numbers(lhs.shape, (1, 1) + filter_shape, dimension_numbers)
    spatial_size, channels = math.prod(filter_shape), int(lhs.shape[dnums.lhs_spec[1]])
    eye = torch.eye(spatial_size, dtype=lhs.dtype, device=lhs.device)
    rhs = eye.expand(channels, spatial_size, spatial_size).reshape(channels * spatial_size, 1, *filter_shape)
    rhs = rhs.movedim((0, 1), (dnums.rhs_spec[0], dnums.rhs_spec[1]))
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dnums,
                                feature_group_count=channels, precision=precision,
                                preferred_element_type=preferred_element_type)
