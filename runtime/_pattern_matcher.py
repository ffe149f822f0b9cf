"""``PyTorchPatternMatcher``: the class API the earlier system's users call.

A thin object over the functional API: it remembers a device (inputs are moved there, results
come back there) and whether the dense inner kernels run through ``torch.compile``.
"""

from __future__ import annotations

import torch

from . import _pattern_kernels
from ._pattern_analysis import PatternLevel, RecurringPattern, entropy, hierarchical_patterns, recurring_patterns
from ._pattern_batched import find_batched
from ._pattern_search import Matches, distance_profile, find, find_approx


def _move(value, device):
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, (list, tuple)):
        return [_move(v, device) for v in value]
    return value


class PyTorchPatternMatcher:
    """Pattern search and pattern statistics on one device.

    ``device``: where the work runs (CPU when ``None``); tensors passed in are moved there.
    ``compile``: run the dense kernels (block verification, window hashing, distance profiles)
    through ``torch.compile``. Results are identical to eager; the first call of each shape
    family pays the compile time (see docs/pattern.md for measured costs).
    """

    def __init__(self, device: torch.device | str | None = None, compile: bool = False):
        self.device = torch.device("cpu" if device is None else device)
        self.compile = bool(compile)
        self._kernels = _pattern_kernels.compiled() if compile else _pattern_kernels.EAGER

    def __repr__(self) -> str:
        return f"PyTorchPatternMatcher(device={str(self.device)!r}, compile={self.compile})"

    def find_pattern(self, data, pattern, dim: int = -1) -> torch.Tensor:
        """Exact matches; see :func:`jax2torch_runtime.pattern.find`."""
        return find(_move(data, self.device), _move(pattern, self.device), dim, kernels=self._kernels)

    def find_approximate(self, data, pattern, tol: float, metric: str = "l2", dim: int = -1) -> Matches:
        """Matches within ``tol``; see :func:`jax2torch_runtime.pattern.find_approx`."""
        return find_approx(_move(data, self.device), _move(pattern, self.device), tol, metric, dim, kernels=self._kernels)

    def find_batched(self, data, patterns, tol: float | None = None, metric: str = "l2") -> Matches:
        """Many patterns in many sequences; see :func:`jax2torch_runtime.pattern.find_batched`."""
        return find_batched(_move(data, self.device), _move(patterns, self.device), tol, metric, kernels=self._kernels)

    def distance_profile(self, data, pattern, metric: str = "l2", dim: int = -1) -> torch.Tensor:
        """Distance of every window; see :func:`jax2torch_runtime.pattern.distance_profile`."""
        return distance_profile(_move(data, self.device), _move(pattern, self.device), metric, dim, kernels=self._kernels)

    def find_recurring_patterns(
        self, weights, k: int = 4, top: int | None = 10, tol: float | None = None, dim: int | None = None, min_count: int = 2
    ) -> list[RecurringPattern]:
        """Most frequent length-``k`` windows; see :func:`jax2torch_runtime.pattern.recurring_patterns`."""
        return recurring_patterns(_move(weights, self.device), k, top, tol, dim, min_count, kernels=self._kernels)

    def hierarchical_patterns(
        self, weights, k: int = 4, levels: int = 3, branching: int = 2, tol: float | None = None, top: int | None = 5
    ) -> list[PatternLevel]:
        """Patterns of patterns; see :func:`jax2torch_runtime.pattern.hierarchical_patterns`."""
        return hierarchical_patterns(_move(weights, self.device), k, levels, branching, tol, top, kernels=self._kernels)

    def pattern_entropy(self, weights, k: int = 1, tol: float | None = None, dim: int | None = None, base: float | None = None) -> float:
        """Entropy of the window distribution; see :func:`jax2torch_runtime.pattern.entropy`."""
        return entropy(_move(weights, self.device), k, tol, dim, base, kernels=self._kernels)
