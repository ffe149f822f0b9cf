"""Sparse encodings: ``values + indices`` (COO over the flattened tensor) or ``values + bitmap``.

Both are exact for the kept entries; with ``threshold=0`` (the default) only entries whose bit
pattern is all zeros are dropped (``-0.0`` is kept), so the round trip is bitwise exact. The bitmap costs one bit per element,
the index form ``4`` bytes per nonzero (int32 indices below 2**31 elements), so the bitmap is smaller
once more than 1/32 of the entries are nonzero; :func:`sparse_encode` with ``format="auto"`` picks it.

Speed: the cost is stream compaction. torch's ``nonzero`` is 6-20x a clone on 2 shared cores, so
without numba CPU tensors find the kept positions from the packed bitmap instead (:mod:`._compact`).
With numba (the optional ``fast`` extra) CPU tensors take two chunked parallel passes instead: the
first packs the keep-mask into 64-bit words (a vectorised compare-and-or; on little-endian machines
these words *are* the bitmap format) and counts each chunk's set bits; the second walks only the
set bits of each word (position by ``tzcnt``, then ``m &= m - 1``), so it costs one step per kept
entry rather than one per element. Each chunk writes at its own offset. Values
move as integer bit patterns, so NaN payloads and ``-0.0`` survive. Bitmap decoding is the same
walk in reverse: zero the output, scatter each value to its set bit; COO decoding zeroes and
scatters in the same kernels (indices are range-checked there, as ``index_put_`` would).
"""

from __future__ import annotations

import sys

import numpy as np
import torch

from . import _checks
from ._compact import set_bit_positions
from .bitpack import bitmap_of, packed_size, unpack_bits
from .container import Compressed, dtype_name

try:
    from llvmlite import ir
    from numba import njit, prange, types, uint64
    from numba.core import cgutils
    from numba.extending import intrinsic
except ImportError:  # numba is the optional "fast" extra; _compact's pure-torch positions take over
    njit = None

FORMATS = ("coo", "bitmap", "auto")
CHUNK = 1 << 14  # elements per parallel work item (a multiple of 64: chunks own whole bitmap words)
_BIT_VIEW = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
_NUMBA_DTYPES = (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64)
use_numba = njit is not None  # module switch, so tests can exercise the pure-torch path too

if njit is not None:
    @intrinsic
    def _lowest_bit(typingctx, word):
        """Index of the lowest set bit of a nonzero uint64 (LLVM ``cttz``: one ``tzcnt``)."""
        def codegen(context, builder, signature, args):
            i64 = ir.IntType(64)
            cttz = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, [i64, ir.IntType(1)]),
                                                  "llvm.cttz.i64")
            return builder.call(cttz, [args[0], ir.Constant(ir.IntType(1), 1)])
        return types.int64(types.uint64), codegen

    @njit(cache=True, nogil=True)
    def _popcount(x):
        x = x - ((x >> uint64(1)) & uint64(0x5555555555555555))
        x = (x & uint64(0x3333333333333333)) + ((x >> uint64(2)) & uint64(0x3333333333333333))
        x = (x + (x >> uint64(4))) & uint64(0x0F0F0F0F0F0F0F0F)
        return (x * uint64(0x0101010101010101)) >> uint64(56)

    @njit(parallel=True, cache=True, nogil=True)
    def _word_offsets(words, chunk_words):
        chunks = (words.size + chunk_words - 1) // chunk_words
        counts = np.zeros(chunks + 1, np.int64)
        for c in prange(chunks):
            total = 0
            for b in range(c * chunk_words, min(words.size, (c + 1) * chunk_words)):
                total += _popcount(words[b])
            counts[c + 1] = total
        return np.cumsum(counts)

    @njit(parallel=True, cache=True, nogil=True)
    def _mask_words(keep, words, chunk_words):
        """Bit ``j`` of ``words[w]`` = ``keep[64 * w + j] != 0``; returns per-chunk offsets as above."""
        n = keep.size
        chunks = (words.size + chunk_words - 1) // chunk_words
        counts = np.zeros(chunks + 1, np.int64)
        for c in prange(chunks):
            total = 0
            for w in range(c * chunk_words, min(words.size, (c + 1) * chunk_words)):
                base = w * 64
                m = uint64(0)
                if base + 64 <= n:
                    for j in range(64):
                        m |= uint64(keep[base + j] != 0) << uint64(j)
                else:
                    for j in range(n - base):
                        m |= uint64(keep[base + j] != 0) << uint64(j)
                words[w] = m
                total += _popcount(m)
            counts[c + 1] = total
        return np.cumsum(counts)

    @njit(parallel=True, cache=True, nogil=True)
    def _gather(words, src, chunk_words, offsets, indices, values):
        """``values`` (and ``indices`` unless empty) of the set bits, in order; one step per set bit."""
        with_indices = indices.size > 0
        for c in prange(offsets.size - 1):
            k = offsets[c]
            for w in range(c * chunk_words, min(words.size, (c + 1) * chunk_words)):
                m = words[w]
                while m:
                    i = w * 64 + _lowest_bit(m)
                    values[k] = src[i]
                    if with_indices:
                        indices[k] = i
                    k += 1
                    m &= m - uint64(1)

    @njit(parallel=True, cache=True, nogil=True)
    def _expand(words, values, chunk_words, offsets, out):
        """Zero ``out``, then ``out[64 * w + bit] = next value`` for every set bit, lowest bit first:
        one step per stored value plus a memset, not one per element."""
        for c in prange(offsets.size - 1):
            lo = c * chunk_words
            hi = min(words.size, lo + chunk_words)
            out[lo * 64: hi * 64] = 0
            k = offsets[c]
            for b in range(lo, hi):
                m = words[b]
                while m:
                    out[b * 64 + _lowest_bit(m)] = values[k]
                    k += 1
                    m &= m - uint64(1)


    @njit(parallel=True, cache=True, nogil=True)
    def _scatter(indices, values, out, chunk):
        """``out = 0; out[indices] = values``; returns how many indices fell outside ``out``."""
        n = out.size
        for c in prange((n + chunk - 1) // chunk):
            out[c * chunk: min(n, (c + 1) * chunk)] = 0
        bad = 0
        for c in prange((indices.size + chunk - 1) // chunk):
            for k in range(c * chunk, min(indices.size, (c + 1) * chunk)):
                i = indices[k]
                if 0 <= i < n:
                    out[i] = values[k]
                else:
                    bad += 1
        return bad


def _index_dtype(numel: int) -> torch.dtype:
    return torch.int32 if numel < 2**31 else torch.int64


def _bit_pattern(flat: torch.Tensor) -> torch.Tensor:
    """Integer view of the bit patterns (floats), so a zero test keeps ``-0.0`` and moves NaNs exactly."""
    return flat.view(_BIT_VIEW[flat.element_size()]) if flat.is_floating_point() else flat


def _fast(bits: torch.Tensor) -> bool:
    return use_numba and bits.device.type == "cpu" and bits.dtype in _NUMBA_DTYPES and bits.is_contiguous()


def _compact_numba(keep: torch.Tensor, bits: torch.Tensor, with_indices: bool, index_dtype: torch.dtype):
    """``(values, indices or empty, bitmap)`` of the kept entries: mask words, then a set-bit walk."""
    keep_np = keep.view(torch.uint8).numpy() if keep.dtype == torch.bool else keep.numpy()
    words = torch.empty(-(-keep.numel() // 64), dtype=torch.int64)
    words_np = words.numpy().view(np.uint64)
    chunk_words = CHUNK // 64
    offsets = _mask_words(keep_np, words_np, chunk_words)
    nnz = int(offsets[-1])
    values = torch.empty(nnz, dtype=bits.dtype)
    indices = torch.empty(nnz if with_indices else 0, dtype=index_dtype)
    _gather(words_np, bits.numpy(), chunk_words, offsets, indices.numpy(), values.numpy())
    bitmap = words.view(torch.uint8)[: packed_size(keep.numel(), 1)] if sys.byteorder == "little" else None
    return values, indices, bitmap


def _expand_numba(bitmap: torch.Tensor, bits: torch.Tensor) -> torch.Tensor:
    """Dense bit patterns (``8 * bitmap.numel()`` slots) from a bitmap and its values."""
    words = bitmap
    if bitmap.numel() % 8:
        words = torch.cat([bitmap, bitmap.new_zeros(8 - bitmap.numel() % 8)])
    words = words.view(torch.int64).numpy().view(np.uint64)
    chunk_words = CHUNK // 64
    offsets = _word_offsets(words, chunk_words)
    if offsets[-1] != bits.numel():
        raise ValueError(f"bitmap marks {offsets[-1]} entries but {bits.numel()} values are stored")
    out = torch.empty(words.size * 64, dtype=bits.dtype)
    _expand(words, bits.numpy(), chunk_words, offsets, out.numpy())
    return out


def _expand_torch(bitmap: torch.Tensor, bits: torch.Tensor, numel: int) -> torch.Tensor:
    """Dense bit patterns from a bitmap and its values without ``nonzero``: the set-bit positions
    come from the packed bytes (:func:`set_bit_positions`), then one scatter of the values."""
    size = packed_size(numel, 1)
    bitmap = bitmap[:size]
    if numel % 8 and int(bitmap[-1]) >> (numel % 8):  # bits past the end are not entries (as unpack_bits)
        bitmap = bitmap.clone()
        bitmap[-1] &= (1 << numel % 8) - 1
    positions = set_bit_positions(bitmap, _index_dtype(numel))
    if positions.numel() != bits.numel():
        raise ValueError(f"bitmap marks {positions.numel()} entries but {bits.numel()} values are stored")
    out = torch.zeros(numel, dtype=bits.dtype)
    # index_put_ with int32 indices takes a slow path (~40x slower here); int64 costs one small cast
    return out.index_put_((positions.long(),), bits)


class SparseTensor(Compressed):
    """Nonzero ``values`` in row-major order plus ``indices`` (coo) or a packed ``bitmap``."""

    kind = "sparse"

    @property
    def nnz(self) -> int:
        return self.data["values"].numel()

    @property
    def density(self) -> float:
        return self.nnz / self.numel

    def mask(self) -> torch.Tensor:
        """Boolean mask of the stored positions, in the original shape."""
        if self.meta["format"] == "bitmap":
            bits = unpack_bits(self.data["bitmap"], 1, self.numel)
            return bits.view(torch.bool).view(self.shape)
        out = torch.zeros(self.numel, dtype=torch.bool, device=self.data["values"].device)
        out[self.data["indices"]] = True
        return out.view(self.shape)

    def decompress(self) -> torch.Tensor:
        values = self.data["values"]
        if self.meta["format"] == "bitmap":
            bitmap, bits = self.data["bitmap"], _bit_pattern(values)
            if _fast(bits) and _fast(bitmap):
                return _expand_numba(bitmap, bits).view(values.dtype)[: self.numel].view(self.shape)
            if bits.device.type == "cpu":
                return _expand_torch(bitmap, bits, self.numel).view(values.dtype).view(self.shape)
            out = torch.zeros(self.numel, dtype=values.dtype, device=values.device)
            positions = unpack_bits(bitmap, 1, self.numel).nonzero().squeeze(1)
            out.index_put_((positions,), values)
            return out.view(self.shape)
        indices, bits = self.data["indices"], _bit_pattern(values)
        if _fast(bits) and _fast(indices) and indices.numel() == bits.numel():
            out = torch.empty(self.numel, dtype=bits.dtype)
            if _scatter(indices.numpy(), bits.numpy(), out.numpy(), CHUNK):
                raise IndexError(f"sparse indices out of range for {self.numel} elements")
            return out.view(values.dtype).view(self.shape)
        out = torch.zeros(self.numel, dtype=values.dtype, device=values.device)
        out.index_put_((indices,), values)
        return out.view(self.shape)


def sparse_encode(weights: torch.Tensor, *, threshold: float = 0.0, format: str = "coo") -> SparseTensor:
    """Keep entries with ``|w| > threshold``; ``format`` is ``"coo"``, ``"bitmap"`` or ``"auto"``."""
    _checks.check_tensor(weights)
    if weights.dtype == torch.bool or weights.is_complex():
        raise TypeError(f"sparse_encode needs a real numeric tensor, got {weights.dtype}")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    flat = weights.detach().reshape(-1)
    bits = _bit_pattern(flat)
    index_dtype = _index_dtype(flat.numel())
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype)}
    keep = bits if threshold == 0 else flat.abs() > threshold
    if _fast(bits):
        values, indices, bitmap = _compact_numba(keep, bits, format != "bitmap", index_dtype)
        values = values.view(flat.dtype)
        if format == "auto":
            format = "bitmap" if packed_size(flat.numel(), 1) < values.numel() * index_dtype.itemsize else "coo"
        if format == "bitmap":
            bitmap = bitmap_of(keep.bool()) if bitmap is None else bitmap.clone()
            return SparseTensor({"values": values, "bitmap": bitmap}, {**meta, "format": format})
        return SparseTensor({"values": values, "indices": indices}, {**meta, "format": format})
    mask = keep.bool()
    if flat.device.type == "cpu":
        bitmap = bitmap_of(mask)
        indices = set_bit_positions(bitmap, index_dtype)
        values = flat.index_select(0, indices)
    else:
        bitmap, indices = None, mask.nonzero().squeeze(1)
        values = flat[indices]
    if format == "auto":
        format = "bitmap" if packed_size(flat.numel(), 1) < indices.numel() * index_dtype.itemsize else "coo"
    if format == "bitmap":
        data = {"values": values, "bitmap": bitmap_of(mask) if bitmap is None else bitmap}
    else:
        data = {"values": values, "indices": indices.to(index_dtype)}
    return SparseTensor(data, {**meta, "format": format})


def sparse_decode(encoded: SparseTensor) -> torch.Tensor:
    """Dense tensor from :func:`sparse_encode` output."""
    if not isinstance(encoded, SparseTensor):
        raise TypeError(f"expected a SparseTensor, got {type(encoded).__name__}")
    return encoded.decompress()
