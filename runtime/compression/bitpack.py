"""Pack unsigned codes of 1-8 bits densely into bytes, so ``nbytes`` reflects the real bit width.

Bits are laid out little-endian: code ``i`` occupies bits ``[i*bits, (i+1)*bits)`` of the stream,
bit ``j`` of the stream is bit ``j % 8`` of byte ``j // 8``. Works on any device with plain ops.
"""

from __future__ import annotations

import torch


def _bit_weights(width: int, device: torch.device) -> torch.Tensor:
    return torch.tensor([1 << j for j in range(width)], dtype=torch.uint8, device=device)


def packed_size(count: int, bits: int) -> int:
    return (count * bits + 7) // 8


def pack_bits(codes: torch.Tensor, bits: int) -> torch.Tensor:
    """Flat uint8 ``codes`` (each ``< 2**bits``) -> ``packed_size(n, bits)`` bytes."""
    if codes.dtype != torch.uint8:
        raise TypeError(f"pack_bits needs uint8 codes, got {codes.dtype}")
    flat = codes.reshape(-1)
    if bits == 8:
        return flat.clone()
    if 8 % bits == 0:
        per_byte = 8 // bits
        pad = (-flat.numel()) % per_byte
        if pad:
            flat = torch.cat([flat, flat.new_zeros(pad)])
        shifts = torch.arange(0, 8, bits, dtype=torch.uint8, device=flat.device)
        return (flat.view(-1, per_byte) << shifts).sum(1, dtype=torch.uint8)
    planes = (flat.unsqueeze(1) >> torch.arange(bits, dtype=torch.uint8, device=flat.device)) & 1
    stream = planes.reshape(-1)
    pad = (-stream.numel()) % 8
    if pad:
        stream = torch.cat([stream, stream.new_zeros(pad)])
    return (stream.view(-1, 8) * _bit_weights(8, flat.device)).sum(1, dtype=torch.uint8)


def unpack_bits(packed: torch.Tensor, bits: int, count: int) -> torch.Tensor:
    """Inverse of :func:`pack_bits`: the first ``count`` codes as flat uint8."""
    if bits == 8:
        return packed[:count]
    if 8 % bits == 0:
        shifts = torch.arange(0, 8, bits, dtype=torch.uint8, device=packed.device)
        mask = (1 << bits) - 1
        return ((packed.unsqueeze(1) >> shifts) & mask).reshape(-1)[:count]
    stream = (packed.unsqueeze(1) >> torch.arange(8, dtype=torch.uint8, device=packed.device)) & 1
    planes = stream.reshape(-1)[: count * bits].view(count, bits)
    return (planes << torch.arange(bits, dtype=torch.uint8, device=packed.device)).sum(1, dtype=torch.uint8)


def bitmap_of(mask: torch.Tensor) -> torch.Tensor:
    """Pack a flat bool mask into bytes (the ``bits=1`` layout) with one multiply per 8 entries.

    ``0x0102040810204080`` moves the low bit of byte ``j`` of an int64 to bit ``56 + j``; the top
    byte then holds the 8 mask bits. About 9x faster than a shift-and-sum on this CPU.
    """
    flat = mask.reshape(-1).view(torch.uint8)
    pad = (-flat.numel()) % 8
    if pad:
        flat = torch.cat([flat, flat.new_zeros(pad)])
    words = flat.view(torch.int64)
    return (words * 0x0102040810204080).bitwise_right_shift_(56).to(torch.uint8)
