"""Pattern matching on tensors: exact/approximate search, recurring patterns, hierarchy, entropy.

The PyTorch target of the JAX pattern-matching code that jax2torch migrates, usable directly::

    from jax2torch_runtime import pattern
    pattern.find(x, [1.0, 2.0])                      # exact starts
    pattern.find_approx(x, p, tol=0.1, metric="l2")  # Matches(positions, distances)
    pattern.recurring_patterns(w, k=4, tol=1e-3)     # [RecurringPattern(window, count, positions)]

or through ``PyTorchPatternMatcher(device=..., compile=...)``. Semantics, comparison rules for
floats and measured speed are in docs/pattern.md. Implementation lives in ``_pattern_*`` modules.
"""

from ._pattern_analysis import PatternLevel, RecurringPattern, entropy, hierarchical_patterns, recurring_patterns
from ._pattern_batched import find_batched
from ._pattern_matcher import PyTorchPatternMatcher
from ._pattern_search import Matches, distance_profile, find, find_approx

__all__ = [
    "Matches",
    "PatternLevel",
    "PyTorchPatternMatcher",
    "RecurringPattern",
    "distance_profile",
    "entropy",
    "find",
    "find_approx",
    "find_batched",
    "hierarchical_patterns",
    "recurring_patterns",
]
