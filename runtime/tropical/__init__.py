"""Tropical (max-plus / min-plus) algebra on torch tensors, CPU and CUDA.

Functional API (``semiring="max"`` by default, ``"min"`` for min-plus)::

    from jax2torch_runtime import tropical
    tropical.matmul(a, b)            # max_k a[i, k] + b[k, j], batched, differentiable
    tropical.min_plus_matmul(a, b)
    tropical.shortest_paths(w)       # all pairs, raises NegativeCycleError

and the class API :class:`PyTorchTropicalOps` (``tropical_matmul`` and friends).
See docs/tropical.md for semantics of the zero, backends and measured speed.
"""

from __future__ import annotations

from ._semiring import MAX_PLUS, MIN_PLUS, Semiring, get_semiring
from .conv import conv1d, conv2d
from .elementwise import add, div, eye, mul, ones, power, prod, sum, zeros
from .linalg import (
    NegativeCycleError,
    PositiveCycleError,
    TropicalSolution,
    eigenvalue,
    has_negative_cycle,
    kleene_star,
    matrix_power,
    shortest_paths,
    solve,
)
from .matmul import available_backends, matmul, max_plus_matmul, min_plus_matmul
from .ops import PyTorchTropicalOps
from .polynomial import polyval
from .values import TropicalNumber, TropicalPolynomial

__all__ = [
    "MAX_PLUS", "MIN_PLUS", "NegativeCycleError", "PositiveCycleError", "PyTorchTropicalOps",
    "Semiring", "TropicalNumber", "TropicalPolynomial", "TropicalSolution", "add",
    "available_backends", "conv1d", "conv2d", "div", "eigenvalue", "eye", "get_semiring",
    "has_negative_cycle", "kleene_star", "matmul", "matrix_power", "max_plus_matmul",
    "min_plus_matmul", "mul", "ones", "polyval", "power", "prod", "shortest_paths", "solve",
    "sum", "zeros",
]
