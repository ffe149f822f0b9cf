"""float32 ``log``, ``log1p`` and ``erf_inv`` as XLA's CPU backend computes them, bit for bit.

JAX lowers ``lax.erf_inv`` to Giles' single-precision polynomial and ``lax.log1p`` to a Cephes
rational approximation whose large-argument branch calls XLA's own vectorised Cephes ``log``.
The compiled x86 code contracts most multiply-add pairs into fused multiply-adds; which pairs it
fuses was read off XLA's dumped machine code (``XLA_FLAGS=--xla_dump_to``) and is reproduced here.
torch has no float32 FMA on CPU, so :func:`fma` computes ``a*b + c`` in float64: the product of two
float32 values is exact in float64, and the sum is rounded to odd there (round to nearest, then, if
inexact, step to the odd neighbour) before the final rounding to float32. Round-to-odd in 53 bits
followed by round-to-nearest in 24 bits is a correctly rounded result (Boldo & Melquiond, 2008), so
:func:`fma` equals a hardware float32 FMA for every input, which is what lets the CUDA kernel in
``_triton`` use a native FMA and still give these bits. Inputs and outputs are float32 tensors.
"""

from __future__ import annotations

import struct

import torch


def _f32(bits: int) -> float:
    """The float32 value with the given bit pattern, as a Python float (exact)."""
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def _r32(value: float) -> float:
    """Round a Python float to the nearest float32 value."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


def sqrt(x: torch.Tensor) -> torch.Tensor:
    """Correctly rounded float32 square root; torch's vectorised CPU ``sqrt`` is off by one ulp on
    about 0.7% of float32 inputs, while a float64 root rounded to float32 is always exact."""
    return torch.sqrt(x.to(torch.float64)).to(torch.float32)


def _round_to_odd(s: torch.Tensor, err: torch.Tensor) -> torch.Tensor:
    """``s`` moved to its odd neighbour towards ``s + err`` when ``err`` (the exact residual of the
    float64 sum ``s``) is nonzero and ``s`` is even; non-finite residuals leave ``s`` alone."""
    bits = s.view(torch.int64)
    inexact = ((err > 0) | (err < 0)) & ((bits & 1) == 0)
    away = (err > 0) == (s > 0)
    step = torch.where(away, 1, -1) * inexact
    return (bits + step).view(torch.float64)


def fma(a: torch.Tensor, b, c) -> torch.Tensor:
    """float32 ``a*b + c`` rounded once, for every input (see module docstring)."""
    a64 = a.to(torch.float64)
    b64 = b.to(torch.float64) if isinstance(b, torch.Tensor) else b
    c64 = c.to(torch.float64) if isinstance(c, torch.Tensor) else c
    p = a64 * b64
    s = p + c64
    bb = s - p
    err = (p - (s - bb)) + (c64 - bb)
    return _round_to_odd(s, err).to(torch.float32)


# Cephes logf coefficients, in the order XLA's emitter groups them into three Horner chains.
_LOG_C = [_f32(b) for b in (
    0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A,
    0xBDFE5D4F, 0x3E11E9BF, 0xBE2AAE50,
    0x3E4CCEAC, 0xBE7FFFFC, 0x3EAAAAAA,
)]
_LOG_LN2_LO = _f32(0xB95E8083)
_LOG_LN2_HI = _f32(0x3F318000)
_SQRT_HALF = _f32(0x3F3504F3)
_MIN_NORMAL = _f32(0x00800000)


def log(y: torch.Tensor) -> torch.Tensor:
    """XLA CPU's float32 natural logarithm."""
    yc = torch.clamp_min(y, _MIN_NORMAL)
    bits = yc.view(torch.int32)
    e = ((bits >> 23) & 0xFF) - 127
    m = ((bits & -0x7F800001) | 0x3F000000).view(torch.float32)
    small = m < _SQRT_HALF
    ef = e.to(torch.float32) + 1.0
    xr = (m - 1.0) + torch.where(small, m, torch.zeros_like(m))
    ef = ef - small.to(torch.float32)
    z = xr * xr
    x3 = z * xr
    c = _LOG_C
    p1 = fma(fma(xr, c[0], c[1]), xr, c[2])
    p2 = fma(fma(xr, c[3], c[4]), xr, c[5])
    p3 = fma(fma(xr, c[6], c[7]), xr, c[8])
    q = fma(fma(p1, x3, p2), x3, p3)
    r = fma(q, x3, ef * _LOG_LN2_LO)
    s = fma(z, -0.5, xr)
    out = fma(ef, _LOG_LN2_HI, s + r)
    out = torch.where(y > 0, out, torch.full_like(out, float("nan")))
    out = torch.where(y == 0, torch.full_like(out, float("-inf")), out)
    return torch.where(y == float("inf"), y, out)


# Cephes log1p rational; float32 uses the same constants rounded to float32.
_LOG1P_DEN64 = (
    1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2,
    3.0909872225312059774938e2, 2.1642788614495947685003e2, 6.0118660497603843919306e1,
)
_LOG1P_NUM64 = (
    4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969e0,
    2.9911919328553073277375e1, 6.0949667980987787057556e1, 5.7112963590585538103336e1,
    2.0039553499201281259648e1,
)
_LOG1P_SMALL64 = 0.41421356237309504880
_LOG1P_DEN = [_r32(v) for v in _LOG1P_DEN64]
_LOG1P_NUM = [_r32(v) for v in _LOG1P_NUM64]
_LOG1P_SMALL = _r32(_LOG1P_SMALL64)


def log1p(t: torch.Tensor) -> torch.Tensor:
    """XLA CPU's float32 ``log1p``: a Cephes rational for ``|t| < sqrt(2)-1``, else ``log(1+t)``."""
    t2 = t * t
    den = torch.ones_like(t)
    for coef in _LOG1P_DEN:
        den = fma(den, t, coef)
    num = torch.full_like(t, _LOG1P_NUM[0])
    for coef in _LOG1P_NUM[1:]:
        num = fma(num, t, coef)
    ratio = num / den
    small = t + fma(t2, -0.5, (t * t2) * ratio)
    return torch.where(t.abs() < _LOG1P_SMALL, small, log(t + 1.0))


_ERFINV_LT5 = [_r32(v) for v in (
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941,
)]
_ERFINV_GE5 = [_r32(v) for v in (
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
    -0.0076224613, 0.00943887047, 1.00167406, 2.83297682,
)]


def erf_inv(x: torch.Tensor) -> torch.Tensor:
    """XLA's float32 ``erf_inv`` (Giles 2010) with XLA CPU's ``log1p`` and FMA contraction."""
    l1p = log1p(x * -x)
    central = l1p > -5.0
    w = torch.where(central, -2.5 - l1p, sqrt(-l1p) - 3.0)

    def coef(i: int) -> torch.Tensor:
        return torch.where(central, _ERFINV_LT5[i], _ERFINV_GE5[i]).to(torch.float32)

    p = fma(w, coef(0), coef(1))
    for i in range(2, 9):
        p = fma(p, w, coef(i))
    p = torch.where(x.abs() == 1.0, torch.full_like(p, float("inf")), p)
    return x * p


def _split_f64(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    c = 134217729.0 * x
    hi = c - (c - x)
    return hi, x - hi


def fma64(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """float64 ``a*b + c`` with one rounding (XLA contracts it into an FMA on x86).

    Dekker's exact product plus Knuth's two-sum, then one final addition: equal to a true FMA
    except when the final addition itself hits a rounding tie, which does not happen for the
    affine maps the samplers use (measured: 200k/200k uniform draws equal JAX's).
    """
    p = a * b
    ah, al = _split_f64(a)
    bh, bl = _split_f64(b)
    err_p = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    err_s = (p - (s - bb)) + (c - bb)
    return s + (err_p + err_s)


def _fma64(a: torch.Tensor, b, c) -> torch.Tensor:
    """:func:`fma64` with scalar ``b`` or ``c`` broadcast to ``a``."""
    b = b if isinstance(b, torch.Tensor) else torch.full_like(a, b)
    c = c if isinstance(c, torch.Tensor) else torch.full_like(a, c)
    return fma64(a, b, c)


def sqrt64(x: torch.Tensor) -> torch.Tensor:
    """Correctly rounded float64 square root (XLA's ``vsqrtpd``). torch's vectorised CPU ``sqrt``
    is off by one ulp on about 1% of float64 inputs; one step on the exact residual
    ``x - s*s`` fixes it (a square root never lies exactly half-way between two doubles)."""
    s = torch.sqrt(x)
    resid = fma64(-s, s, x)
    up = torch.nextafter(s, torch.full_like(s, float("inf")))
    down = torch.nextafter(s, torch.zeros_like(s))
    s = torch.where(resid > s * (up - s), up, s)
    s = torch.where(resid < -s * (s - down), down, s)
    return torch.where(torch.isfinite(x) & (x > 0), s, torch.sqrt(x))


def log1p64(t: torch.Tensor) -> torch.Tensor:
    """XLA CPU's float64 ``log1p``: the Cephes rational with FMAs for ``|t| < sqrt(2)-1``, else
    ``log(1+t)`` through the C library's ``log`` (torch's ``log`` differs from glibc's on ~0.3%)."""
    t2 = t * t
    den = t + _LOG1P_DEN64[0]
    for coef in _LOG1P_DEN64[1:]:
        den = _fma64(den, t, coef)
    num = _fma64(t, _LOG1P_NUM64[0], _LOG1P_NUM64[1])
    for coef in _LOG1P_NUM64[2:]:
        num = _fma64(num, t, coef)
    small = t + _fma64(t2, -0.5, (t * t2) * (num / den))
    return torch.where(t.abs() < _LOG1P_SMALL64, small, torch.log(t + 1.0))


# Giles' double-precision erf_inv, one coefficient list per range of w = -log1p(-x*x), highest
# power first, as XLA's expansion of chlo.erf_inv evaluates them (read off the optimised HLO).
_ERFINV64 = (
    (-3.64441206401782e-21, -1.6850591381820166e-19, 1.28584807152564e-18, 1.1157877678025181e-17,
     -1.333171662854621e-16, 2.0972767875968562e-17, 6.637638134358324e-15, -4.054566272975207e-14,
     -8.151934197605472e-14, 2.6335093153082323e-12, -1.2975133253453532e-11, -5.415412054294628e-11,
     1.0512122733215323e-09, -4.112633980346984e-09, -2.9070369957882005e-08, 4.2347877827932404e-07,
     -1.3654692000834679e-06, -1.3882523362786469e-05, 0.00018673420803405714, -0.000740702534166267,
     -0.006033670871430149, 0.24015818242558962, 1.6536545626831027),
    (2.2137376921775787e-09, 9.075656193888539e-08, -2.7517406297064545e-07, 1.8239629214389228e-08,
     1.5027403968909828e-06, -4.013867526981546e-06, 2.9234449089955446e-06, 1.2475304481671779e-05,
     -4.7318229009055734e-05, 6.828485145957318e-05, 2.4031110387097894e-05, -0.0003550375203628475,
     0.0009532893797373805, -0.0016882755560235047, 0.002491442096107851, -0.003751208507569241,
     0.005370914553590064, 1.0052589676941592, 3.0838856104922208),
    (-2.7109920616438573e-11, -2.555641816996525e-10, 1.5076572693500548e-09, -3.789465440126737e-09,
     7.61570120807834e-09, -1.496002662714924e-08, 2.914795345090108e-08, -6.771199775845234e-08,
     2.2900482228026655e-07, -9.9298272942317e-07, 4.526062597223154e-06, -1.968177810553167e-05,
     7.599527703001776e-05, -0.00021503011930044477, -0.00013871931833623122, 1.0103004648645344,
     4.849906401408584),
)


def erf_inv64(x: torch.Tensor) -> torch.Tensor:
    """XLA's float64 ``erf_inv`` (Giles 2010, three ranges) with XLA CPU's ``log1p``, ``sqrt`` and
    FMA-contracted Horner steps. Bit-identical to JAX except where the C library's ``log`` and
    torch's differ (the ``log`` branch of ``log1p``; see docs/random.md for the measured rate)."""
    w = -log1p64(-x * x)
    lt_6_25, lt_16 = w < 6.25, w < 16.0
    shifted = torch.where(lt_6_25, w - 3.125, sqrt64(w) - torch.where(lt_16, 3.25, 5.0))

    # One Horner chain with per-element coefficients, as XLA evaluates it; the shorter lists are
    # padded with leading zeros, which keep p == 0 exactly until their first coefficient.
    n = len(_ERFINV64[0])
    padded = [(0.0,) * (n - len(c)) + c for c in _ERFINV64]
    table = torch.tensor(padded, dtype=x.dtype, device=x.device)  # (3 ranges, n)
    p = torch.zeros_like(x)
    for i in range(n):
        a, b, c = table[:, i]
        p = fma64(p, shifted, torch.where(lt_6_25, a, torch.where(lt_16, b, c)))
    return torch.where(x.abs() == 1.0, x * float("inf"), p * x)
