"""Weight compression ops in pure torch: quantization, sparse, IEEE 754 planes, delta, block-wise,
pruning masks, p-adic, tropical low-rank, and a hybrid per-tensor strategy selector.

Every encoder returns a :class:`Compressed` object with ``nbytes``, ``ratio``, ``decompress()``,
``save(path)`` and ``Compressed.load(path)`` (``torch.save`` of plain tensors and values only).
See docs/compression.md for formats, error bounds and measured speed.
"""

from .adaptive import AdaptiveQuantized, AdaptiveStrategyManager, adaptive_quantize, global_relative_error
from .blockwise import BlockwiseQuantized, blockwise_compress, blockwise_decompress
from .container import Compressed, decompress
from .delta import DeltaEncoded, delta_decode, delta_encode
from .ieee754 import IEEE754Planes, exponent_bits_per_channel, ieee754_join, ieee754_split
from .ops import PyTorchCompressionOps
from .padic import PAdicEncoded, padic_decode, padic_encode
from .pruning import apply_mask, block_mask, channel_mask, magnitude_mask, n_m_mask
from .quantize import QuantizedTensor, dequantize_weights, quantize_weights
from .raw import RawTensor, raw_encode
from .sparse import SparseTensor, sparse_decode, sparse_encode
from .state import CompressedStateDict
from .strategy import STRATEGIES, Selection, StrategySelector, measure_error
from .tropical import TropicalLowRank, maxplus, tropical_compress

__all__ = [
    "AdaptiveQuantized", "AdaptiveStrategyManager", "BlockwiseQuantized", "Compressed", "CompressedStateDict",
    "DeltaEncoded", "IEEE754Planes", "PAdicEncoded", "PyTorchCompressionOps", "QuantizedTensor", "RawTensor",
    "STRATEGIES", "Selection", "SparseTensor", "StrategySelector", "TropicalLowRank", "adaptive_quantize",
    "apply_mask", "block_mask", "blockwise_compress", "blockwise_decompress", "channel_mask", "decompress",
    "delta_decode", "delta_encode", "dequantize_weights", "exponent_bits_per_channel", "global_relative_error",
    "ieee754_join", "ieee754_split", "magnitude_mask", "maxplus", "measure_error", "n_m_mask", "padic_decode",
    "padic_encode", "quantize_weights", "raw_encode", "sparse_decode", "sparse_encode", "tropical_compress",
]
