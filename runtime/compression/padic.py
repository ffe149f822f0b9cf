"""p-adic encoding: each value as ``p**v * u`` with the unit ``u`` kept to ``precision`` p-adic digits.

What is exact, precisely. A value ``x`` is first put on the fixed-point grid ``p**-f``
(``f = frac_digits``): ``m = round(x * p**f)``, an integer. Then ``v = v_p(m)`` (the p-adic
valuation, ``m != 0``), ``u = m / p**v`` (a p-adic unit) and the stored digit word is
``r = u mod p**precision`` (its base-``p`` digits are the first ``precision`` p-adic digits of ``u``).
Decoding reads ``r`` as the balanced residue ``u'`` in ``[-(p**N)/2, p**N/2)`` and returns
``u' * p**v / p**f``. Always: ``m' == m (mod p**(v + precision))`` - the truncated p-adic expansion
is exact to that precision. When ``|u| < p**N / 2`` (guaranteed by the automatic ``frac_digits``),
``m' == m`` exactly, so the decoded value is exactly ``round(x * p**f) / p**f`` and
``|x - decoded| <= p**-f / 2``.
"""

from __future__ import annotations

import math

import torch

from . import _checks
from .container import Compressed, dtype_name

ZERO_VALUATION = 255  # marks m == 0, whose valuation is +infinity


def _is_prime(p: int) -> bool:
    return p >= 2 and all(p % d for d in range(2, math.isqrt(p) + 1))


def _code_dtype(modulus: int) -> torch.dtype:
    for dtype in (torch.uint8, torch.int16, torch.int32, torch.int64):
        if modulus - 1 <= torch.iinfo(dtype).max:
            return dtype
    raise ValueError(f"p**precision = {modulus} does not fit in 63 bits")


def auto_frac_digits(max_abs: float, prime: int, precision: int) -> int:
    """Largest ``f`` with ``max|x| * p**f + 1/2 < p**precision / 2``, so every unit fits."""
    if max_abs == 0:
        return 0
    return math.floor(math.log((prime**precision / 2 - 1) / max_abs, prime))


class PAdicEncoded(Compressed):
    """``valuation`` (uint8, 255 for zero) and ``code`` (unit residue mod ``p**precision``)."""

    kind = "padic"

    def integers(self) -> torch.Tensor:
        """The decoded grid integers ``m'`` (int64), before division by ``p**frac_digits``."""
        p, n = self.meta["prime"], self.meta["precision"]
        modulus = p**n
        r = self.data["code"].to(torch.int64)
        unit = torch.where(r >= (modulus + 1) // 2, r - modulus, r)
        v = self.data["valuation"].to(torch.int64)
        zero = v == ZERO_VALUATION
        power = torch.pow(torch.full_like(v, p), torch.where(zero, 0, v))
        return torch.where(zero, 0, unit * power).view(self.shape)

    def digits(self) -> torch.Tensor:
        """The ``precision`` base-``p`` digits of each unit residue, least significant first."""
        p, n = self.meta["prime"], self.meta["precision"]
        r = self.data["code"].to(torch.int64).reshape(-1, 1)
        powers = torch.tensor([p**i for i in range(n)], dtype=torch.int64, device=r.device)
        return torch.div(r, powers, rounding_mode="floor").remainder_(p).to(torch.uint8).view(*self.shape, n)

    def decompress(self) -> torch.Tensor:
        scale = float(self.meta["prime"]) ** -self.meta["frac_digits"]
        return (self.integers().to(torch.float64) * scale).to(self.dtype)


def padic_encode(weights: torch.Tensor, prime: int = 2, precision: int = 16,
                 frac_digits: int | None = None) -> PAdicEncoded:
    """Encode ``weights`` as truncated p-adic expansions (see the module docstring for exactness)."""
    _checks.check_float(weights)
    if isinstance(prime, bool) or not isinstance(prime, int) or not _is_prime(prime):
        raise ValueError(f"prime must be a prime int, got {prime!r}")
    precision = _checks.check_positive_int(precision, "precision")
    modulus = prime**precision
    code_dtype = _code_dtype(modulus)
    x = weights.to(torch.float64)
    _checks.check_finite(x)
    max_abs = float(x.abs().max())
    if frac_digits is None:
        frac_digits = auto_frac_digits(max_abs, prime, precision)
    scaled = x * float(prime) ** frac_digits
    if float(scaled.abs().max()) >= 2.0**62:
        raise ValueError(f"frac_digits={frac_digits} puts values beyond 2**62 on the fixed-point grid")
    m = torch.round(scaled).to(torch.int64).reshape(-1)
    valuation = torch.zeros_like(m)
    unit = m.clone()
    while True:
        divisible = (unit.remainder(prime) == 0) & (unit != 0)
        if not bool(divisible.any()):
            break
        unit = torch.where(divisible, torch.div(unit, prime, rounding_mode="floor"), unit)
        valuation += divisible
    valuation[m == 0] = ZERO_VALUATION
    data = {"valuation": valuation.to(torch.uint8), "code": unit.remainder(modulus).to(code_dtype)}
    meta = {"shape": list(weights.shape), "dtype": dtype_name(weights.dtype), "prime": prime,
            "precision": precision, "frac_digits": int(frac_digits)}
    return PAdicEncoded(data, meta)


def padic_decode(encoded: PAdicEncoded) -> torch.Tensor:
    if not isinstance(encoded, PAdicEncoded):
        raise TypeError(f"expected a PAdicEncoded, got {type(encoded).__name__}")
    return encoded.decompress()
