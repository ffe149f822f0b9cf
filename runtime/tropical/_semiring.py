"""The two tropical semirings and the input checks every op shares.

Max-plus: ``a ⊕ b = max(a, b)``, ``a ⊗ b = a + b``, zero ``-inf``, one ``0``.
Min-plus: ``a ⊕ b = min(a, b)``, ``a ⊗ b = a + b``, zero ``+inf``, one ``0``.

Zero is absorbing for ⊗: ``zero ⊗ x = zero`` for *every* ``x``, the opposite infinity
included, so ``-inf ⊗ +inf`` is ``-inf`` in max-plus (plain float addition would give NaN).
The matmul kernels get this for free: they fold each term into the running result with
``t > acc ? t : acc``, which skips a NaN term, and a skipped term is exactly the zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


@dataclass(frozen=True)
class Semiring:
    """One tropical semiring: its name, its additive zero and the ⊕ it uses."""

    name: str
    zero: float

    @property
    def is_max(self) -> bool:
        return self.name == "max"

    @property
    def top(self) -> float:
        """The infinity opposite to zero, which ⊕ absorbs (``+inf`` in max-plus)."""
        return -self.zero

    def plus(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.maximum(a, b) if self.is_max else torch.minimum(a, b)

    def reduce(self, x: torch.Tensor, dim) -> torch.Tensor:
        return torch.amax(x, dim=dim) if self.is_max else torch.amin(x, dim=dim)

    def reduce_arg(self, x: torch.Tensor, dim: int):
        """Reduction plus the index of the winning term (first one on ties)."""
        return torch.max(x, dim=dim) if self.is_max else torch.min(x, dim=dim)

    def better(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Elementwise ``a`` strictly beats ``b`` under ⊕."""
        return a > b if self.is_max else a < b


MAX_PLUS = Semiring("max", -math.inf)
MIN_PLUS = Semiring("min", math.inf)
_ALIASES = {
    "max": MAX_PLUS, "max_plus": MAX_PLUS, "maxplus": MAX_PLUS,
    "min": MIN_PLUS, "min_plus": MIN_PLUS, "minplus": MIN_PLUS,
}


def get_semiring(semiring: str | Semiring) -> Semiring:
    """Resolve ``"max"``/``"min"`` (or ``"max_plus"``/``"min_plus"``) to a :class:`Semiring`."""
    if isinstance(semiring, Semiring):
        return semiring
    try:
        return _ALIASES[str(semiring).lower()]
    except KeyError:
        raise ValueError(f"unknown semiring {semiring!r}; use 'max' (max-plus) or 'min' (min-plus)") from None


def as_float_tensor(x, name: str = "input", device=None) -> torch.Tensor:
    """Turn ``x`` into a floating tensor, refusing integer/bool/complex dtypes with a clear error.

    Python numbers and lists become float32 (the torch default); an integer tensor is refused
    rather than silently cast, since ``-inf`` (the tropical zero) has no integer form.
    """
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x, dtype=torch.get_default_dtype(), device=device)
    elif device is not None:
        x = x.to(device)
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"{name} has dtype {x.dtype}; tropical ops need a floating dtype "
            f"(float16, bfloat16, float32 or float64) so that the tropical zero ±inf is representable"
        )
    return x


def check_nonempty(x: torch.Tensor, name: str) -> None:
    if x.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); tropical ops need at least one element")


def common_dtype(*tensors: torch.Tensor) -> torch.dtype:
    return torch.promote_types(tensors[0].dtype, tensors[-1].dtype) if len(tensors) > 1 else tensors[0].dtype


def absorbing_add(a: torch.Tensor, b: torch.Tensor, sr: Semiring) -> torch.Tensor:
    """``a ⊗ b`` elementwise: ordinary ``+`` except that the zero absorbs the opposite infinity."""
    out = a + b
    zero_hit = (a == sr.zero) | (b == sr.zero)
    return torch.where(zero_hit, torch.full_like(out, sr.zero), out)
