"""Uniform weight quantization to 2-8 bits: global or per-channel, symmetric or asymmetric.

Symmetric: ``scale = max|w| / (2**(bits-1) - 1)``, ``q = round(w / scale)`` in ``[-qmax, qmax]``.
Asymmetric: the range ``[min(w, 0), max(w, 0)]`` is mapped onto ``[0, 2**bits - 1]`` with an integer
zero point, so 0.0 stays exact. Both give ``|w - dequantize(q)| <= scale / 2`` (plus float rounding).

Why the code looks like this: on 2 CPU cores a 1M-element clone costs ~0.15 ms, so every extra pass
over 4 MB shows. Quantization is one min/max reduction + ``div`` + in-place ``round_`` + one cast
(with numba, symmetric float32 codes are one fused pass: the block-wise kernel, same bits);
dequantization is one cast + in-place ``mul_``. Rounding is half-to-even (``torch.round``), like NumPy.
Codes narrower than 8 bits are bit-packed (see :mod:`.bitpack`) so ``nbytes`` is the real storage.
"""

from __future__ import annotations

import math

import torch

from . import _checks
from .bitpack import pack_bits, unpack_bits
from .container import Compressed, dtype_name


def compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """Half inputs are quantized in float32; float64 stays float64."""
    return torch.float64 if dtype == torch.float64 else torch.float32


def _reduce_dims(x: torch.Tensor, axis: int | None) -> tuple[int, ...] | None:
    return None if axis is None else tuple(d for d in range(x.dim()) if d != axis)


def _extrema(x: torch.Tensor, axis: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    if axis is None:  # one pass; NaN propagates (the finite check relies on it)
        return torch.aminmax(x)
    dims = _reduce_dims(x, axis)
    if not dims:
        return x, x
    # amin + amax, not aminmax(dim=): the latter is ~4x slower per channel on the CPU here
    return x.amin(dim=dims, keepdim=True), x.amax(dim=dims, keepdim=True)


def quant_params(x: torch.Tensor, bits: int, symmetric: bool, axis: int | None):
    """Scale (and zero point) per tensor or per channel; shapes broadcast against ``x``."""
    lo, hi = _extrema(x, axis)
    if axis is None:  # one host sync for the check and the zero-range case, no small tensor ops
        lo_f, hi_f = torch.stack((lo, hi)).tolist()
        if not math.isfinite(lo_f + hi_f):
            raise ValueError("weights (their range) contains inf or nan; this lossy encoding needs finite values")
        if symmetric:
            span = torch.maximum(-lo, hi)
            return (span / (2 ** (bits - 1) - 1) if max(-lo_f, hi_f) > 0 else torch.ones_like(span)), None
    else:
        _checks.check_finite(lo + hi, "weights (their range)")
    if symmetric:
        qmax = 2 ** (bits - 1) - 1
        span = torch.maximum(-lo, hi)
        scale = torch.where(span > 0, span / qmax, torch.ones_like(span))
        return scale, None
    qmax = 2**bits - 1
    lo, hi = lo.clamp(max=0), hi.clamp(min=0)
    span = hi - lo
    scale = torch.where(span > 0, span / qmax, torch.ones_like(span))
    zero_point = torch.round(-lo / scale).clamp_(0, qmax)
    return scale, zero_point


#: Module switch for the numba codes kernel (tests turn it off to check the torch passes).
use_numba = True
_CHUNK = 16384  # elements per prange block of the global fast path (64 KB of float32)


def _symmetric_codes_numba(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor | None:
    """``int8(rint(x / scale))`` in one fused pass (the block-wise kernel: IEEE float32 division,
    round-half-to-even like ``torch.round``, so the same bits as the torch passes), or None where
    it does not apply: not float32 on the CPU, not contiguous, numba missing, or a scale that is not
    a normal float (then ``|x / scale|`` could exceed 127 and the int8 cast would wrap)."""
    from . import blockwise

    if not (use_numba and blockwise.njit is not None and x.dtype == torch.float32 and x.device.type == "cpu"
            and x.is_contiguous() and x.numel() and float(scale.amin()) >= torch.finfo(torch.float32).tiny):
        return None
    flat = x.detach().reshape(-1)
    codes = torch.empty(flat.shape, dtype=torch.int8)
    if scale.numel() == 1:  # global: cut into chunks so prange has work to share
        main = flat.numel() - flat.numel() % _CHUNK
        if main:
            blocks = flat[:main].view(-1, _CHUNK)
            scales = scale.reshape(1).expand(blocks.shape[0]).contiguous()
            blockwise._codes_kernel(blocks.numpy(), scales.numpy(), codes[:main].view(-1, _CHUNK).numpy())
        if main < flat.numel():
            codes[main:] = torch.div(flat[main:], scale.reshape(())).round_().to(torch.int8)
    else:  # per channel along axis 0: one row of the (channels, rest) view per scale
        rows = flat.view(scale.numel(), -1)
        blockwise._codes_kernel(rows.numpy(), scale.reshape(-1).contiguous().numpy(), codes.view(rows.shape).numpy())
    return codes.view(x.shape)


def quantize_codes(x: torch.Tensor, scale: torch.Tensor, zero_point: torch.Tensor | None, bits: int) -> torch.Tensor:
    """Integer codes (int8 symmetric, uint8 asymmetric) for given parameters."""
    if zero_point is None and (scale.numel() == 1 or (scale.dim() and scale.shape[0] == scale.numel())):
        fast = _symmetric_codes_numba(x, scale)
        if fast is not None:
            return fast
    q = torch.div(x, scale).round_()
    if zero_point is None:
        return q.to(torch.int8)
    return q.add_(zero_point).clamp_(0, 2**bits - 1).to(torch.uint8)


class QuantizedTensor(Compressed):
    """``codes`` (+ ``scale``, ``zero_point``) of a uniformly quantized tensor."""

    kind = "quantized"

    def _scale_view(self, t: torch.Tensor) -> torch.Tensor:
        axis = self.meta["axis"]
        if axis is None:
            return t
        shape = [1] * len(self.meta["shape"])
        shape[axis] = -1
        return t.view(shape)

    def int_codes(self) -> torch.Tensor:
        """Codes unpacked to their natural form (int8 symmetric / uint8 asymmetric) and shape."""
        codes = self.data["codes"]
        bits, symmetric = self.meta["bits"], self.meta["symmetric"]
        if self.meta["packed"]:
            codes = unpack_bits(codes, bits, self.numel)
            if symmetric:
                codes = (codes.to(torch.int16) - 2 ** (bits - 1)).to(torch.int8)
        return codes.view(self.shape)

    def decompress(self) -> torch.Tensor:
        work = compute_dtype(self.dtype)
        out = self.int_codes().to(work)
        if not self.meta["symmetric"]:
            out.sub_(self._scale_view(self.data["zero_point"]))
        out.mul_(self._scale_view(self.data["scale"]))
        return out if out.dtype == self.dtype else out.to(self.dtype)

    @property
    def max_error_bound(self) -> float:
        """The guaranteed bound ``max(scale) / 2`` on ``|w - decompress()|`` (up to float rounding)."""
        return float(self.data["scale"].max()) / 2


def quantize_weights(weights: torch.Tensor, bits: int = 8, *, per_channel: bool = False, axis: int = 0,
                     symmetric: bool = True, pack: bool = True) -> QuantizedTensor:
    """Quantize ``weights`` to ``bits`` (2-8); ``per_channel`` gives one scale per slice along ``axis``.

    ``pack=False`` keeps one byte per code (faster, larger) for widths below 8.
    """
    _checks.check_float(weights)
    bits = _checks.check_bits(bits)
    ax = _checks.check_axis(weights, axis) if per_channel else None
    x = weights if weights.dtype == compute_dtype(weights.dtype) else weights.to(compute_dtype(weights.dtype))
    scale, zero_point = quant_params(x, bits, symmetric, ax)
    codes = quantize_codes(x, scale, zero_point, bits)
    packed = pack and bits < 8
    if packed:
        unsigned = codes.view(torch.uint8) if zero_point is not None else (codes.to(torch.int16) + 2 ** (bits - 1)).to(torch.uint8)
        codes = pack_bits(unsigned, bits)
    data = {"codes": codes, "scale": scale.reshape(-1) if ax is not None else scale.reshape(())}
    if zero_point is not None:
        data["zero_point"] = zero_point.reshape(data["scale"].shape)
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype), "bits": bits,
            "symmetric": bool(symmetric), "axis": ax, "packed": packed}
    return QuantizedTensor(data, meta)


def dequantize_weights(quantized: QuantizedTensor) -> torch.Tensor:
    """Reconstruct the tensor (in its original dtype) from :func:`quantize_weights` output."""
    if not isinstance(quantized, QuantizedTensor):
        raise TypeError(f"expected a QuantizedTensor, got {type(quantized).__name__}")
    return quantized.decompress()
