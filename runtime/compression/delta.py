"""Lossless delta encoding of integers and float bit patterns.

``d[0] = x[0]``, ``d[i] = x[i] - x[i-1]`` over the flattened tensor, in wrapping two's-complement
integer arithmetic of the input width (floats use the integer view of their bits), so decoding by a
wrapping cumulative sum gives back every bit. Deltas of smooth or sorted data are small: with
``narrow=True`` they are stored in the smallest signed integer type that holds them (an extra
min/max pass), which is where the size reduction comes from.
"""

from __future__ import annotations

import torch

from . import _checks
from .container import Compressed, dtype_from_name, dtype_name

_BITS_VIEW = {torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16,
              torch.float64: torch.int64}
_SIGNED = (torch.int8, torch.int16, torch.int32, torch.int64)


def _int_view(x: torch.Tensor) -> torch.Tensor:
    if x.dtype in _BITS_VIEW:
        return x.view(_BITS_VIEW[x.dtype])
    if x.dtype in _SIGNED or x.dtype == torch.uint8:
        return x
    raise TypeError(f"delta encoding supports float16/bfloat16/float32/float64 and int8-int64/uint8, got {x.dtype}")


class DeltaEncoded(Compressed):
    """First-order differences of the integer view, possibly in a narrower integer type."""

    kind = "delta"

    def decompress(self) -> torch.Tensor:
        work = dtype_from_name(self.meta["work_dtype"])
        deltas = self.data["deltas"]
        if deltas.dtype != work:
            deltas = deltas.to(work)
        out = torch.cumsum(deltas, 0, dtype=work)
        return out.view(self.dtype).view(self.shape)


def delta_encode(x: torch.Tensor, *, narrow: bool = False) -> DeltaEncoded:
    """Delta-encode ``x`` (flattened); ``narrow`` stores deltas in the smallest type that fits."""
    _checks.check_tensor(x, "x")
    bits = _int_view(x.contiguous()).reshape(-1)
    deltas = torch.empty_like(bits)
    deltas[:1] = bits[:1]
    torch.sub(bits[1:], bits[:-1], out=deltas[1:])
    if narrow:
        deltas = _narrowest(deltas)
    meta = {"shape": list(x.shape), "dtype": dtype_name(x.dtype), "work_dtype": dtype_name(bits.dtype)}
    return DeltaEncoded({"deltas": deltas}, meta)


def _narrowest(deltas: torch.Tensor) -> torch.Tensor:
    """Reinterpret wrapped deltas as signed and cast to the smallest signed type holding them."""
    if deltas.dtype == torch.uint8:
        return deltas
    lo, hi = (int(v) for v in torch.aminmax(deltas))
    for dtype in _SIGNED:
        info = torch.iinfo(dtype)
        if dtype.itemsize >= deltas.element_size():
            return deltas
        if info.min <= lo and hi <= info.max:
            return deltas.to(dtype)
    return deltas


def delta_decode(encoded: DeltaEncoded) -> torch.Tensor:
    if not isinstance(encoded, DeltaEncoded):
        raise TypeError(f"expected a DeltaEncoded, got {type(encoded).__name__}")
    return encoded.decompress()
