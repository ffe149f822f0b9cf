"""Adaptive choices: bits per tensor/channel for an error budget, and a budget-adapting manager.

:func:`adaptive_quantize` tries widths from narrow to wide and keeps, per tensor or per channel,
the narrowest one whose *measured* error meets the budget; channels of one width are packed
together so storage is honest. :class:`AdaptiveStrategyManager` runs the strategy selector, measures
the error that matters (by default the global relative error of the whole state_dict, or any
``evaluate`` callback such as a model-output error), and bisects the per-tensor budget until the
measured error meets the target with the highest ratio it found.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from . import _checks
from .bitpack import pack_bits, unpack_bits
from .container import Compressed, dtype_name
from .quantize import compute_dtype, quant_params, quantize_codes
from .state import CompressedStateDict
from .strategy import METRICS, StrategySelector

BIT_CHOICES = (2, 3, 4, 5, 6, 7, 8)


def _channel_errors(x2d: torch.Tensor, bits: int, metric: str):
    scale, _ = quant_params(x2d, bits, True, 0)
    codes = quantize_codes(x2d, scale, None, bits)
    diff = codes.to(x2d.dtype) * scale - x2d
    if metric == "max_abs":
        return diff.abs().amax(dim=1), codes, scale
    norms = torch.linalg.vector_norm(x2d, dim=1)
    err = torch.linalg.vector_norm(diff, dim=1)
    return torch.where(norms > 0, err / norms.clamp_min(1e-300), err), codes, scale


class AdaptiveQuantized(Compressed):
    """Rows (channels) grouped by chosen width: ``codes_<b>``/``scale_<b>``/``rows_<b>`` per width."""

    kind = "adaptive_quantized"

    def channel_bits(self) -> torch.Tensor:
        out = torch.empty(self.meta["rows"], dtype=torch.uint8, device=self.data["bits"].device)
        return out.copy_(self.data["bits"])

    def decompress(self) -> torch.Tensor:
        rows, cols = self.meta["rows"], self.meta["cols"]
        work = compute_dtype(self.dtype)
        out = torch.empty(rows, cols, dtype=work, device=self.data["bits"].device)
        for bits in self.meta["widths"]:
            idx = self.data[f"rows_{bits}"].long()
            unsigned = unpack_bits(self.data[f"codes_{bits}"], bits, idx.numel() * cols)
            codes = unsigned.to(work).sub_(2 ** (bits - 1)).view(-1, cols)
            out[idx] = codes.mul_(self.data[f"scale_{bits}"].to(work).unsqueeze(1))
        return out.view(self.shape).to(self.dtype)


def adaptive_quantize(weights: torch.Tensor, max_error: float, *, per_channel: bool = True,
                      metric: str = "rel_rmse") -> AdaptiveQuantized:
    """Narrowest symmetric width (2-8 bits) per channel (rows of ``(shape[0], -1)``) or per tensor.

    A channel that misses the budget even at 8 bits keeps 8 bits; ``meta['met']`` records whether
    every channel met it.
    """
    _checks.check_float(weights)
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if not max_error >= 0:
        raise ValueError(f"max_error must be >= 0, got {max_error}")
    x = weights.to(compute_dtype(weights.dtype))
    x2d = x.reshape(x.shape[0], -1) if per_channel and x.dim() >= 1 else x.reshape(1, -1)
    _checks.check_finite(x2d)
    rows = x2d.shape[0]
    chosen = torch.full((rows,), 8, dtype=torch.uint8, device=x.device)
    undecided = torch.ones(rows, dtype=torch.bool, device=x.device)
    results = {}
    for bits in BIT_CHOICES:
        errors, codes, scale = _channel_errors(x2d, bits, metric)
        if not per_channel:
            errors = errors.max().reshape(1)
        hit = undecided & (errors <= max_error)
        chosen[hit] = bits
        undecided &= ~hit
        results[bits] = (codes, scale)
    data: dict[str, torch.Tensor] = {"bits": chosen}
    widths = sorted({int(b) for b in chosen.tolist()})
    for bits in widths:
        idx = (chosen == bits).nonzero().squeeze(1)
        codes, scale = results[bits]
        unsigned = (codes[idx].to(torch.int16) + 2 ** (bits - 1)).to(torch.uint8)
        data[f"codes_{bits}"] = pack_bits(unsigned.reshape(-1), bits)
        data[f"scale_{bits}"] = scale.reshape(-1)[idx]
        data[f"rows_{bits}"] = idx.to(torch.int32)
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype), "rows": rows,
            "cols": x2d.shape[1], "widths": widths, "max_error": float(max_error), "metric": metric,
            "met": not bool(undecided.any())}
    return AdaptiveQuantized(data, meta)


def global_relative_error(original: dict[str, torch.Tensor], restored: dict[str, torch.Tensor]) -> float:
    """``||all float weights - restored|| / ||all float weights||``: the default measured error."""
    num = den = 0.0
    for name, w in original.items():
        if w.is_floating_point():
            num += float(torch.linalg.vector_norm(w.double() - restored[name].double())) ** 2
            den += float(torch.linalg.vector_norm(w.double())) ** 2
    return math.sqrt(num / den) if den > 0 else math.sqrt(num)


class AdaptiveStrategyManager:
    """Adapt the per-tensor budget of a :class:`StrategySelector` from the measured error.

    ``compress`` bisects (in log space) the per-tensor ``rel_rmse`` budget: a round whose measured
    error exceeds ``target_error`` tightens it, one within target loosens it; the best round (highest
    ratio within target) is kept. ``history`` lists every round; ``strategy_errors`` the mean
    measured per-tensor error of each strategy over all rounds.
    """

    def __init__(self, target_error: float = 1e-2, *, rounds: int = 6, strategies=None,
                 evaluate: Callable[[dict[str, torch.Tensor], dict[str, torch.Tensor]], float] | None = None) -> None:
        if not target_error > 0:
            raise ValueError(f"target_error must be > 0, got {target_error}")
        self.target_error = float(target_error)
        self.rounds = _checks.check_positive_int(rounds, "rounds")
        self.strategies = strategies
        self.evaluate = evaluate or global_relative_error
        self.history: list[dict[str, Any]] = []
        self._errors: dict[str, list[float]] = {}

    def strategy_errors(self) -> dict[str, float]:
        return {k: sum(v) / len(v) for k, v in self._errors.items()}

    def _round(self, state_dict, budget: float) -> tuple[CompressedStateDict, float]:
        kwargs = {} if self.strategies is None else {"strategies": self.strategies}
        packed = StrategySelector(max_error=budget, **kwargs).compress_state_dict(state_dict)
        for row in packed.report:
            self._errors.setdefault(row["strategy"], []).append(row["error"])
        measured = float(self.evaluate(state_dict, packed.decompress()))
        self.history.append({"budget": budget, "measured_error": measured, "ratio": packed.ratio,
                             "strategies": packed.strategy_counts()})
        return packed, measured

    def compress(self, state_dict: dict[str, torch.Tensor]) -> CompressedStateDict:
        low, high = math.log(self.target_error) - 6 * math.log(10), math.log(self.target_error) + math.log(10)
        budget = math.log(self.target_error)
        best: tuple[float, CompressedStateDict] | None = None
        for _ in range(self.rounds):
            packed, measured = self._round(state_dict, math.exp(budget))
            if measured <= self.target_error:
                if best is None or packed.ratio > best[0]:
                    best = (packed.ratio, packed)
                low = budget
            else:
                high = budget
            budget = (low + high) / 2
        if best is None:
            packed, measured = self._round(state_dict, 0.0)
            best = (packed.ratio, packed)
        return best[1]
