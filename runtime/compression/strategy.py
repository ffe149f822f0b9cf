"""Hybrid strategy selection: try every applicable encoding on a tensor, keep the best one.

"Best" is explicit: with ``max_error`` the smallest encoding whose measured error is within budget;
with ``target_ratio`` the most accurate one reaching that ratio; with both, the smallest meeting both.
Errors are *measured* by decoding each candidate (``rel_rmse = ||w - w'|| / ||w||`` or ``max_abs``),
never predicted, and the choice falls back to storing the tensor raw when no candidate qualifies
(``met=False`` says so). Integer and bool tensors only get lossless candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import torch

from .blockwise import blockwise_compress
from .container import Compressed
from .delta import delta_encode
from .padic import padic_encode
from .quantize import quantize_weights
from .raw import raw_encode
from .sparse import sparse_encode
from .state import CompressedStateDict
from .tropical import tropical_compress

STRATEGIES = ("quantization", "blockwise", "sparse", "delta", "tropical", "padic")
METRICS = ("rel_rmse", "max_abs")
_TROPICAL_MAX_NUMEL = 1 << 18


def _quantization(w: torch.Tensor) -> Iterable[tuple[str, Callable[[], Compressed]]]:
    per_channel = w.dim() >= 2 and w.shape[0] > 1
    for bits in (8, 6, 4, 3, 2):
        yield f"{bits}bit", lambda b=bits: quantize_weights(w, b, per_channel=per_channel)


def _blockwise(w):
    for bits in (8, 4):
        yield f"{bits}bit/64", lambda b=bits: blockwise_compress(w, 64, b)


def _sparse(w):
    yield "exact", lambda: sparse_encode(w, format="auto")


def _delta(w):
    yield "narrow", lambda: delta_encode(w, narrow=True)


def _tropical(w):
    if w.dim() >= 2 and min(w.shape[0], w[0].numel()) >= 8 and w.numel() <= _TROPICAL_MAX_NUMEL:
        for rank in (1, 4):
            yield f"rank{rank}", lambda r=rank: tropical_compress(w, r)


def _padic(w):
    for precision in (8, 16):
        yield f"p2/{precision}", lambda n=precision: padic_encode(w, 2, n)


_CANDIDATES = {"quantization": _quantization, "blockwise": _blockwise, "sparse": _sparse,
               "delta": _delta, "tropical": _tropical, "padic": _padic}
_LOSSLESS = ("sparse", "delta")


def measure_error(original: torch.Tensor, restored: torch.Tensor, metric: str = "rel_rmse") -> float:
    if not original.is_floating_point():
        return 0.0 if torch.equal(original, restored) else float("inf")
    diff = (original.double() - restored.double())
    if metric == "max_abs":
        return float(diff.abs().max())
    norm = float(torch.linalg.vector_norm(original.double()))
    err = float(torch.linalg.vector_norm(diff))
    return err / norm if norm > 0 else err


@dataclass
class Selection:
    """One tensor's choice: the encoding, what it costs and what it loses."""

    name: str
    strategy: str
    variant: str
    compressed: Compressed
    error: float
    met: bool
    candidates: list[tuple[str, str, int, float]] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        return self.compressed.nbytes

    @property
    def ratio(self) -> float:
        return self.compressed.ratio

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "strategy": self.strategy, "variant": self.variant, "nbytes": self.nbytes,
                "original_nbytes": self.compressed.original_nbytes, "ratio": self.ratio, "error": self.error,
                "met": self.met}


class StrategySelector:
    """Pick the best encoding per tensor for a ``max_error`` and/or ``target_ratio`` goal."""

    def __init__(self, max_error: float | None = 1e-2, target_ratio: float | None = None, *,
                 metric: str = "rel_rmse", strategies: Iterable[str] = STRATEGIES) -> None:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        strategies = tuple(strategies)
        unknown = set(strategies) - set(STRATEGIES)
        if unknown:
            raise ValueError(f"unknown strategies {sorted(unknown)}; choose from {STRATEGIES}")
        if max_error is None and target_ratio is None:
            raise ValueError("give max_error, target_ratio or both")
        if max_error is not None and max_error < 0:
            raise ValueError(f"max_error must be >= 0, got {max_error}")
        if target_ratio is not None and target_ratio <= 0:
            raise ValueError(f"target_ratio must be > 0, got {target_ratio}")
        self.max_error, self.target_ratio = max_error, target_ratio
        self.metric, self.strategies = metric, strategies

    def _trials(self, w: torch.Tensor):
        allowed = self.strategies if w.is_floating_point() else tuple(s for s in self.strategies if s in _LOSSLESS)
        if w.dtype == torch.bool:
            allowed = ()
        for strategy in allowed:
            for variant, make in _CANDIDATES[strategy](w):
                yield strategy, variant, make

    def _ok(self, nbytes: int, original: int, error: float, max_error: float | None) -> bool:
        if max_error is not None and error > max_error:
            return False
        return self.target_ratio is None or original / max(nbytes, 1) >= self.target_ratio

    def select(self, tensor: torch.Tensor, name: str = "", max_error: float | None = None) -> Selection:
        """Try all candidates on ``tensor``; ``max_error`` overrides the selector's budget for this call."""
        budget = self.max_error if max_error is None else max_error
        w = tensor.detach()
        raw = raw_encode(w)
        tried = [("raw", "", raw, 0.0)]
        for strategy, variant, make in self._trials(w):
            enc = make()
            tried.append((strategy, variant, enc, measure_error(w, enc.decompress(), self.metric)))
        original = raw.nbytes
        good = [t for t in tried if self._ok(t[2].nbytes, original, t[3], budget)]
        if good:
            key = (lambda t: (t[2].nbytes, t[3])) if budget is not None else (lambda t: (t[3], t[2].nbytes))
            pick, met = min(good, key=key), True
        elif budget is not None:
            pick, met = min((t for t in tried if t[3] <= budget), key=lambda t: (t[2].nbytes, t[3])), False
        else:
            pick, met = min(tried, key=lambda t: (t[2].nbytes, t[3])), False
        report = [(s, v, e.nbytes, err) for s, v, e, err in tried]
        return Selection(name, pick[0], pick[1], pick[2], pick[3], met, report)

    def compress_state_dict(self, state_dict: dict[str, torch.Tensor],
                            budgets: dict[str, float] | None = None) -> CompressedStateDict:
        """Select per tensor; ``budgets`` optionally overrides ``max_error`` for some names."""
        budgets = budgets or {}
        selections = {name: self.select(t, name, budgets.get(name)) for name, t in state_dict.items()}
        return CompressedStateDict({n: s.compressed for n, s in selections.items()},
                                   [s.summary() for s in selections.values()])
