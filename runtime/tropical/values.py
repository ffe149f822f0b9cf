"""Scalar value types with tropical operators: ``+`` is ⊕ (max/min) and ``*`` is ⊗ (+).

Handy for writing tropical formulas literally (``x * y + z``) and as the reference the tests
check the tensor ops against. Both are immutable and hashable.
"""

from __future__ import annotations

import math
from numbers import Real

from ._semiring import get_semiring
from .polynomial import polyval, polyval_naive


class TropicalNumber:
    """A real number (or the tropical zero) in the max-plus or min-plus semiring."""

    __slots__ = ("value", "semiring")

    def __init__(self, value: float, semiring: str = "max"):
        sr = get_semiring(semiring)
        value = float(value)
        if math.isnan(value):
            raise ValueError("NaN is not a tropical number")
        if value == sr.top:
            raise ValueError(f"{value} is not an element of the {sr.name}-plus semiring (its zero is {sr.zero})")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "semiring", sr.name)

    def __setattr__(self, name, value):
        raise AttributeError("TropicalNumber is immutable")

    @classmethod
    def zero(cls, semiring: str = "max") -> TropicalNumber:
        return cls(get_semiring(semiring).zero, semiring)

    @classmethod
    def one(cls, semiring: str = "max") -> TropicalNumber:
        return cls(0.0, semiring)

    @property
    def is_zero(self) -> bool:
        return self.value == get_semiring(self.semiring).zero

    def _coerce(self, other) -> TropicalNumber:
        if isinstance(other, TropicalNumber):
            if other.semiring != self.semiring:
                raise TypeError(f"cannot mix {self.semiring}-plus and {other.semiring}-plus numbers")
            return other
        if isinstance(other, Real):
            return TropicalNumber(other, self.semiring)
        return NotImplemented

    def __add__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        pick = max if self.semiring == "max" else min
        return TropicalNumber(pick(self.value, other.value), self.semiring)

    __radd__ = __add__

    def __mul__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        if self.is_zero or other.is_zero:
            return TropicalNumber.zero(self.semiring)
        return TropicalNumber(self.value + other.value, self.semiring)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        if other.is_zero:
            raise ZeroDivisionError("tropical division by the tropical zero")
        if self.is_zero:
            return self
        return TropicalNumber(self.value - other.value, self.semiring)

    def __pow__(self, exponent: float):
        if exponent == 0:
            return TropicalNumber.one(self.semiring)
        if self.is_zero:
            if exponent < 0:
                raise ZeroDivisionError("negative tropical power of the tropical zero")
            return self
        return TropicalNumber(self.value * exponent, self.semiring)

    def __eq__(self, other):
        other = self._coerce(other)
        if other is NotImplemented:
            return other
        return self.value == other.value

    def __hash__(self):
        return hash((self.value, self.semiring))

    def __float__(self):
        return self.value

    def __repr__(self):
        return f"TropicalNumber({self.value!r}, semiring={self.semiring!r})"


class TropicalPolynomial:
    """A univariate tropical polynomial ``⊕_i c_i ⊗ x^⊗i``, stored as ascending coefficients.

    ``p + q`` takes coefficient-wise ⊕; ``p * q`` is the tropical product, whose coefficients are
    the max-plus convolution ``r_k = max_{i+j=k} p_i + q_j``. Calling evaluates (floats, or
    tensors through :func:`.polynomial.polyval`).
    """

    __slots__ = ("coeffs", "semiring")

    def __init__(self, coeffs, semiring: str = "max"):
        sr = get_semiring(semiring)
        values = [float(c.value if isinstance(c, TropicalNumber) else c) for c in coeffs]
        if not values:
            raise ValueError("a tropical polynomial needs at least one coefficient")
        if any(math.isnan(c) or c == sr.top for c in values):
            raise ValueError(f"coefficients must be real or the zero {sr.zero}")
        while len(values) > 1 and values[-1] == sr.zero:
            values.pop()
        object.__setattr__(self, "coeffs", tuple(values))
        object.__setattr__(self, "semiring", sr.name)

    def __setattr__(self, name, value):
        raise AttributeError("TropicalPolynomial is immutable")

    @property
    def degree(self) -> int:
        """Index of the highest non-zero coefficient (``-1`` for the zero polynomial)."""
        if len(self.coeffs) == 1 and self.coeffs[0] == get_semiring(self.semiring).zero:
            return -1
        return len(self.coeffs) - 1

    def _check(self, other) -> TropicalPolynomial:
        if isinstance(other, (TropicalNumber, Real)):
            return TropicalPolynomial([other], self.semiring)
        if not isinstance(other, TropicalPolynomial):
            return NotImplemented
        if other.semiring != self.semiring:
            raise TypeError(f"cannot mix {self.semiring}-plus and {other.semiring}-plus polynomials")
        return other

    def __add__(self, other):
        other = self._check(other)
        if other is NotImplemented:
            return other
        sr = get_semiring(self.semiring)
        pick = max if sr.is_max else min
        n = max(len(self.coeffs), len(other.coeffs))
        pad = lambda c: list(c) + [sr.zero] * (n - len(c))  # noqa: E731
        return TropicalPolynomial([pick(x, y) for x, y in zip(pad(self.coeffs), pad(other.coeffs))], self.semiring)

    __radd__ = __add__

    def __mul__(self, other):
        other = self._check(other)
        if other is NotImplemented:
            return other
        zero = TropicalNumber.zero(self.semiring)
        out = [zero] * (len(self.coeffs) + len(other.coeffs) - 1)
        for i, p in enumerate(self.coeffs):
            for j, q in enumerate(other.coeffs):
                out[i + j] = out[i + j] + TropicalNumber(p, self.semiring) * TropicalNumber(q, self.semiring)
        return TropicalPolynomial(out, self.semiring)

    __rmul__ = __mul__

    def __call__(self, x):
        if isinstance(x, (TropicalNumber, Real)):
            value = float(x.value if isinstance(x, TropicalNumber) else x)
            return TropicalNumber(polyval_naive(list(self.coeffs), value, self.semiring), self.semiring)
        return polyval(list(self.coeffs), x, self.semiring)

    def __eq__(self, other):
        other = self._check(other)
        if other is NotImplemented:
            return other
        return self.coeffs == other.coeffs

    def __hash__(self):
        return hash((self.coeffs, self.semiring))

    def __repr__(self):
        return f"TropicalPolynomial({list(self.coeffs)!r}, semiring={self.semiring!r})"
