"""``PyTorchCompressionOps``: the method-style API users of the earlier system call.

Each method moves its input to ``device`` (CPU by default) and calls the functional API; results are
the same :class:`~.container.Compressed` objects, so both styles interoperate.
"""

from __future__ import annotations

import torch

from . import adaptive, blockwise, delta, ieee754, padic, pruning, quantize, sparse, tropical
from .container import Compressed
from .strategy import StrategySelector


class PyTorchCompressionOps:
    def __init__(self, device: torch.device | str | None = None) -> None:
        self.device = torch.device(device) if device is not None else torch.device("cpu")

    def _on(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
        return x.to(self.device)

    def quantize_weights(self, weights, bits: int = 8, **kwargs) -> quantize.QuantizedTensor:
        return quantize.quantize_weights(self._on(weights), bits, **kwargs)

    def dequantize_weights(self, quantized: quantize.QuantizedTensor) -> torch.Tensor:
        return quantize.dequantize_weights(quantized.to(self.device))

    def adaptive_quantize(self, weights, max_error: float, **kwargs) -> adaptive.AdaptiveQuantized:
        return adaptive.adaptive_quantize(self._on(weights), max_error, **kwargs)

    def sparse_encode(self, weights, **kwargs) -> sparse.SparseTensor:
        return sparse.sparse_encode(self._on(weights), **kwargs)

    def sparse_decode(self, encoded: sparse.SparseTensor) -> torch.Tensor:
        return sparse.sparse_decode(encoded.to(self.device))

    def ieee754_split(self, weights, axis: int | None = None) -> ieee754.IEEE754Planes:
        return ieee754.ieee754_split(self._on(weights), axis)

    def ieee754_join(self, planes: ieee754.IEEE754Planes) -> torch.Tensor:
        return ieee754.ieee754_join(planes.to(self.device))

    def magnitude_mask(self, weights, sparsity: float) -> torch.Tensor:
        return pruning.magnitude_mask(self._on(weights), sparsity)

    def channel_mask(self, weights, sparsity: float, axis: int = 0) -> torch.Tensor:
        return pruning.channel_mask(self._on(weights), sparsity, axis)

    def block_mask(self, weights, sparsity: float, block_shape=(4, 4)) -> torch.Tensor:
        return pruning.block_mask(self._on(weights), sparsity, block_shape)

    def n_m_mask(self, weights, n: int = 2, m: int = 4, axis: int = -1) -> torch.Tensor:
        return pruning.n_m_mask(self._on(weights), n, m, axis)

    def delta_encode(self, x, narrow: bool = False) -> delta.DeltaEncoded:
        return delta.delta_encode(self._on(x), narrow=narrow)

    def blockwise_compress(self, weights, block_size: int = 64, bits: int = 8) -> blockwise.BlockwiseQuantized:
        return blockwise.blockwise_compress(self._on(weights), block_size, bits)

    def padic_encode(self, weights, prime: int = 2, precision: int = 16, frac_digits=None) -> padic.PAdicEncoded:
        return padic.padic_encode(self._on(weights), prime, precision, frac_digits)

    def tropical_compress(self, weights, rank: int = 4) -> tropical.TropicalLowRank:
        return tropical.tropical_compress(self._on(weights), rank)

    def decompress(self, obj: Compressed) -> torch.Tensor:
        return obj.to(self.device).decompress()

    def compress_state_dict(self, state_dict, max_error: float | None = 1e-2, target_ratio: float | None = None):
        moved = {k: self._on(v) for k, v in state_dict.items()}
        return StrategySelector(max_error, target_ratio).compress_state_dict(moved)
