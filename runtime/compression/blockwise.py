"""Block-wise quantization: the flattened tensor is cut into blocks with one absmax scale each.

Why blocks: a single outlier only widens the scale of its own block, so error tracks the local
range (the scheme used by 4/8-bit LLM weight formats). Per element: ``|w - w'| <= scale_block / 2``.
Scales are stored in float32 (``nbytes`` counts them); the tail block is zero-padded.
"""

from __future__ import annotations

import torch

from . import _checks
from .bitpack import pack_bits, unpack_bits
from .container import Compressed, dtype_name
from .quantize import compute_dtype


class BlockwiseQuantized(Compressed):
    """Symmetric codes in blocks of ``block_size`` with per-block ``scales``."""

    kind = "blockwise"

    def decompress(self) -> torch.Tensor:
        bits, block = self.meta["bits"], self.meta["block_size"]
        scales = self.data["scales"]
        nblocks = scales.numel()
        codes = self.data["codes"]
        if self.meta["packed"]:
            codes = (unpack_bits(codes, bits, nblocks * block).to(torch.int16) - 2 ** (bits - 1)).to(torch.int8)
        out = codes.view(nblocks, block).to(scales.dtype).mul_(scales.unsqueeze(1))
        out = out.view(-1)[: self.numel].view(self.shape)
        return out if out.dtype == self.dtype else out.to(self.dtype)

    @property
    def max_error_bound(self) -> float:
        return float(self.data["scales"].max()) / 2


def blockwise_compress(weights: torch.Tensor, block_size: int = 64, bits: int = 8, *,
                       pack: bool = True) -> BlockwiseQuantized:
    """Quantize ``weights`` (flattened) in blocks of ``block_size`` with one scale per block."""
    _checks.check_float(weights)
    bits = _checks.check_bits(bits)
    block_size = _checks.check_positive_int(block_size, "block_size")
    flat = weights.reshape(-1)
    work = compute_dtype(weights.dtype)
    if flat.dtype != work:
        flat = flat.to(work)
    pad = (-flat.numel()) % block_size
    if pad:
        flat = torch.cat([flat, flat.new_zeros(pad)])
    blocks = flat.view(-1, block_size)
    qmax = 2 ** (bits - 1) - 1
    span = torch.maximum(blocks.amax(dim=1), blocks.amin(dim=1).neg_())
    _checks.check_finite(span, "weights (their block ranges)")
    scales = torch.where(span > 0, span / qmax, torch.ones_like(span))
    codes = torch.div(blocks, scales.unsqueeze(1)).round_().to(torch.int8).view(-1)
    packed = pack and bits < 8
    if packed:
        codes = pack_bits((codes.to(torch.int16) + 2 ** (bits - 1)).to(torch.uint8), bits)
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype), "bits": bits,
            "block_size": block_size, "packed": packed}
    return BlockwiseQuantized({"codes": codes, "scales": scales}, meta)


def blockwise_decompress(encoded: BlockwiseQuantized) -> torch.Tensor:
    if not isinstance(encoded, BlockwiseQuantized):
        raise TypeError(f"expected a BlockwiseQuantized, got {type(encoded).__name__}")
    return encoded.decompress()
