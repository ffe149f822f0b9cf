"""Channel-wise IEEE 754 decomposition into sign / exponent / mantissa planes, with exact reassembly.

Why planes: exponents of one channel cluster in a few values and compress well on their own
(e.g. by the strategy selector's delta or sparse coders), while mantissas look random. Planes are
taken from the integer view of the bit pattern, so :func:`ieee754_join` reproduces every input bit,
including ``-0.0``, subnormals, infinities and NaN payloads.

Plane dtypes (element sizes are the storage; widths are the meaningful bits):

=========  ======  ===================  ======================
dtype      sign    exponent             mantissa
=========  ======  ===================  ======================
float32    bool    uint8 (8 bits)       int32 (23 bits)
float16    bool    uint8 (5 bits)       int16 (10 bits)
bfloat16   bool    uint8 (8 bits)       uint8 (7 bits)
float64    bool    int16 (11 bits)      int64 (52 bits)
=========  ======  ===================  ======================

With ``axis`` the planes are laid out channel-major (``movedim(axis, 0)``) and the split also
records each channel's exponent range, the number of bits an exponent needs within its channel.

Speed: in torch a split is three ops (shift written straight into the uint8 plane, sign, mask) and a
join five, ~4-5x a clone. With numba (the optional ``fast`` extra) CPU tensors
take one vectorised integer pass each way, chunked over the cores (~1.4x a clone).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from . import _checks
from .container import Compressed, dtype_name

try:
    from numba import njit, prange
except ImportError:  # numba is the optional "fast" extra; the torch passes take over
    njit = None

use_numba = njit is not None  # module switch, so tests can exercise the pure-torch path too

if njit is not None:
    # A flat prange (numba splits it statically over the threads) measured ~20x faster here than
    # an explicit chunk loop, whose inner loop numba did not vectorise.
    @njit(parallel=True, cache=True, nogil=True)
    def _split_kernel(bits, man_bits, exp_mask, man_mask, sign, exponent, mantissa):
        for i in prange(bits.size):
            b = bits[i]
            sign[i] = b < 0
            exponent[i] = (b >> man_bits) & exp_mask
            mantissa[i] = b & man_mask

    @njit(parallel=True, cache=True, nogil=True)
    def _join_kernel(sign, exponent, mantissa, sign_shift, man_bits, out):
        for i in prange(out.size):
            out[i] = (np.int64(sign[i]) << sign_shift) | (np.int64(exponent[i]) << man_bits) | np.int64(mantissa[i])


class _Layout(NamedTuple):
    int_dtype: torch.dtype
    exp_bits: int
    man_bits: int
    exp_dtype: torch.dtype
    man_dtype: torch.dtype


LAYOUTS = {
    torch.float32: _Layout(torch.int32, 8, 23, torch.uint8, torch.int32),
    torch.float16: _Layout(torch.int16, 5, 10, torch.uint8, torch.int16),
    torch.bfloat16: _Layout(torch.int16, 8, 7, torch.uint8, torch.uint8),
    torch.float64: _Layout(torch.int64, 11, 52, torch.int16, torch.int64),
}


class IEEE754Planes(Compressed):
    """``sign`` / ``exponent`` / ``mantissa`` planes of a float tensor (exact, no size reduction)."""

    kind = "ieee754"

    def decompress(self) -> torch.Tensor:
        return ieee754_join(self)


def ieee754_split(weights: torch.Tensor, axis: int | None = None) -> IEEE754Planes:
    """Split ``weights`` into bit planes; ``axis`` makes them channel-major with per-channel ranges."""
    _checks.check_float(weights)
    layout = LAYOUTS[weights.dtype]
    x = weights
    ax = None
    if axis is not None:
        ax = _checks.check_axis(weights, axis)
        x = weights.movedim(ax, 0)
    bits = x.contiguous().view(layout.int_dtype)
    shift = layout.man_bits
    if use_numba and bits.device.type == "cpu":
        sign = torch.empty(bits.shape, dtype=torch.bool)
        exponent = torch.empty(bits.shape, dtype=layout.exp_dtype)
        mantissa = torch.empty(bits.shape, dtype=layout.man_dtype)
        _split_kernel(bits.detach().reshape(-1).numpy(), shift, (1 << layout.exp_bits) - 1, (1 << shift) - 1,
                      sign.view(-1).numpy(), exponent.view(-1).numpy(), mantissa.view(-1).numpy())
        data = {"sign": sign, "exponent": exponent, "mantissa": mantissa}
    else:
        if bits.device.type == "cpu":
            # the shift writes its narrowing cast straight into the plane (no full-width temporary
            # kept). CPU only: torch 2.11's CUDA kernel casts the input to the narrow out dtype
            # *before* shifting (an all-zero exponent plane, caught by the H100 test run).
            exponent = torch.empty(bits.shape, dtype=layout.exp_dtype, device=bits.device)
            torch.bitwise_right_shift(bits, shift, out=exponent)
            mantissa = torch.empty(bits.shape, dtype=layout.man_dtype, device=bits.device)
            torch.bitwise_and(bits, (1 << shift) - 1, out=mantissa)
        else:
            exponent = (bits >> shift).to(layout.exp_dtype)
            mantissa = (bits & ((1 << shift) - 1)).to(layout.man_dtype)
        if layout.exp_bits < 8 * exponent.element_size():
            exponent.bitwise_and_((1 << layout.exp_bits) - 1)
        data = {"sign": bits < 0, "exponent": exponent, "mantissa": mantissa}
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype), "axis": ax}
    if ax is not None:
        per_channel = exponent.reshape(exponent.shape[0], -1).to(torch.int32)
        data["exponent_min"] = per_channel.amin(dim=1).to(torch.int16)
        data["exponent_max"] = per_channel.amax(dim=1).to(torch.int16)
    return IEEE754Planes(data, meta)


def exponent_bits_per_channel(planes: IEEE754Planes) -> torch.Tensor:
    """Bits needed to store each channel's exponents as offsets from the channel minimum."""
    if planes.meta["axis"] is None:
        raise ValueError("exponent ranges are recorded only when ieee754_split was given an axis")
    span = (planes.data["exponent_max"].to(torch.int32) - planes.data["exponent_min"]).to(torch.float32)
    return torch.ceil(torch.log2(span + 1)).to(torch.int32)


def ieee754_join(planes: IEEE754Planes) -> torch.Tensor:
    """Reassemble the exact original tensor from :func:`ieee754_split` planes."""
    if not isinstance(planes, IEEE754Planes):
        raise TypeError(f"expected IEEE754Planes, got {type(planes).__name__}")
    dtype = planes.dtype
    layout = LAYOUTS[dtype]
    int_dtype = layout.int_dtype
    sign, exponent, mantissa = (planes.data[k] for k in ("sign", "exponent", "mantissa"))
    if use_numba and all(t.device.type == "cpu" and t.is_contiguous() for t in (sign, exponent, mantissa)):
        bits = torch.empty(mantissa.shape, dtype=int_dtype)
        _join_kernel(sign.reshape(-1).view(torch.uint8).numpy(), exponent.reshape(-1).numpy(), mantissa.reshape(-1).numpy(),
                     layout.exp_bits + layout.man_bits, layout.man_bits, bits.view(-1).numpy())
    else:
        # sign and exponent are merged in a 16-bit word first, so the wide dtype is touched fewer times
        sign_exp = sign.to(torch.int16).bitwise_left_shift_(layout.exp_bits)
        sign_exp.bitwise_or_(exponent)
        bits = sign_exp.to(int_dtype).bitwise_left_shift_(layout.man_bits)
        bits.bitwise_or_(mantissa)
    out = bits.view(dtype)
    axis = planes.meta["axis"]
    if axis is None:
        return out
    return out.movedim(0, axis).contiguous()
