"""float32 ``normal`` as one parallel numba loop on CPU keys.

The Inductor kernel of ``_fused`` is exact but slow: torch has no float32 FMA on CPU, so each of
the ~30 fused multiply-adds per draw is emulated in float64 with round-to-odd (``_xla_math.fma``).
This kernel mirrors ``_triton`` instead: Threefry-2x32 on native uint32, JAX's mantissa trick for
the uniform, and XLA's ``log``/``log1p``/Giles ``erf_inv`` with true float32 FMAs (``llvm.fma.f32``
through an ``@intrinsic``, one instruction where the CPU has FMA, a correctly rounded libm call
otherwise). The bits equal ``_continuous.normal`` because every step is a correctly rounded IEEE
float32 operation that the eager path performs identically: ``_xla_math.fma`` equals a single-
rounding FMA for every input, ``math.sqrt`` on float32 is ``llvm.sqrt.f32`` (correctly rounded),
and no fast-math flags are set, so LLVM may neither contract the multiply-add pairs XLA left
unfused nor reassociate anything. Every float32 constant is a typed global; a bare Python float
would silently promote the arithmetic to float64.

Work is split into blocks of ``BLOCK`` draws, one ``prange`` iteration each; the inner loop is
branch-free (selects only), so LLVM vectorises it.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from . import _xla_math as xm

try:
    from llvmlite import ir
    from numba import njit, prange, types
    from numba.extending import intrinsic
except ImportError:  # numba is optional: ``_fused`` falls back to the Inductor/eager paths
    njit = None

BLOCK = 4096


def available() -> bool:
    return njit is not None


f32 = np.float32
u32 = np.uint32

# The affine map of ``uniform(minval=-1 + eps/2, maxval=1)``, computed as the eager path does.
_LO = f32(-1.0) + f32(np.finfo(np.float32).eps) / f32(2.0)
_SPAN = f32(1.0) - _LO
_SQRT2 = f32(math.sqrt(2))

_C = [f32(v) for v in xm._LOG_C]
_LN2_LO, _LN2_HI = f32(xm._LOG_LN2_LO), f32(xm._LOG_LN2_HI)
_SQRT_HALF, _MIN_NORMAL = f32(xm._SQRT_HALF), f32(xm._MIN_NORMAL)
_D = [f32(v) for v in xm._LOG1P_DEN]
_N = [f32(v) for v in xm._LOG1P_NUM]
_L1P_SMALL = f32(xm._LOG1P_SMALL)
_A = [f32(v) for v in xm._ERFINV_LT5]
_B = [f32(v) for v in xm._ERFINV_GE5]
(_C0, _C1, _C2, _C3, _C4, _C5, _C6, _C7, _C8) = _C
(_D0, _D1, _D2, _D3, _D4, _D5) = _D
(_N0, _N1, _N2, _N3, _N4, _N5, _N6) = _N
(_A0, _A1, _A2, _A3, _A4, _A5, _A6, _A7, _A8) = _A
(_B0, _B1, _B2, _B3, _B4, _B5, _B6, _B7, _B8) = _B
_ZERO, _ONE, _M_HALF = f32(0.0), f32(1.0), f32(-0.5)
_TWO_HALF, _THREE, _M_FIVE = f32(2.5), f32(3.0), f32(-5.0)
_INF, _NAN = f32(np.inf), f32(np.nan)
_KS = u32(0x1BD11BDA)
_ONE_BITS = u32(0x3F800000)
_MANT_MASK = u32(0x807FFFFF)  # clears the exponent: the eager path's ``bits & -0x7F800001``
_HALF_EXP = u32(0x3F000000)
_MASK32 = 0xFFFFFFFF


if njit is not None:

    @intrinsic
    def fma(typingctx, a, b, c):
        """float32 ``a*b + c`` rounded once (``llvm.fma.f32``)."""
        sig = types.float32(types.float32, types.float32, types.float32)

        def codegen(context, builder, signature, args):
            return builder.fma(*args)

        return sig, codegen

    @intrinsic
    def _as_f32(typingctx, bits):
        """Reinterpret uint32 bits as float32."""
        sig = types.float32(types.uint32)

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.FloatType())

        return sig, codegen

    @intrinsic
    def _as_u32(typingctx, x):
        """Reinterpret float32 as uint32 bits."""
        sig = types.uint32(types.float32)

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.IntType(32))

        return sig, codegen

    @njit(inline="always")
    def _rotl(x, r):
        return u32(((x << r) | (x >> (32 - r))) & _MASK32)

    @njit(inline="always")
    def _add(a, b):
        return u32((a + b) & _MASK32)

    @njit(inline="always")
    def _four_rounds(x0, x1, r0, r1, r2, r3):
        x0 = _add(x0, x1)
        x1 = _rotl(x1, r0) ^ x0
        x0 = _add(x0, x1)
        x1 = _rotl(x1, r1) ^ x0
        x0 = _add(x0, x1)
        x1 = _rotl(x1, r2) ^ x0
        x0 = _add(x0, x1)
        x1 = _rotl(x1, r3) ^ x0
        return x0, x1

    @njit(inline="always")
    def _threefry(k0, k1, x0, x1):
        k2 = k0 ^ k1 ^ _KS
        x0 = _add(x0, k0)
        x1 = _add(x1, k1)
        x0, x1 = _four_rounds(x0, x1, 13, 15, 26, 6)
        x0 = _add(x0, k1)
        x1 = _add(x1, k2 + 1)
        x0, x1 = _four_rounds(x0, x1, 17, 29, 16, 24)
        x0 = _add(x0, k2)
        x1 = _add(x1, k0 + 2)
        x0, x1 = _four_rounds(x0, x1, 13, 15, 26, 6)
        x0 = _add(x0, k0)
        x1 = _add(x1, k1 + 3)
        x0, x1 = _four_rounds(x0, x1, 17, 29, 16, 24)
        x0 = _add(x0, k1)
        x1 = _add(x1, k2 + 4)
        x0, x1 = _four_rounds(x0, x1, 13, 15, 26, 6)
        x0 = _add(x0, k2)
        x1 = _add(x1, k0 + 5)
        return x0, x1

    @njit(inline="always")
    def _log(y):
        """``_xla_math.log``."""
        yc = y if y > _MIN_NORMAL else _MIN_NORMAL
        bits = _as_u32(yc)
        e = np.int32((bits >> 23) & 0xFF) - np.int32(127)
        m = _as_f32(u32((bits & _MANT_MASK) | _HALF_EXP))
        small = m < _SQRT_HALF
        ef = f32(e) + _ONE
        xr = (m - _ONE) + (m if small else _ZERO)
        ef = ef - (_ONE if small else _ZERO)
        z = xr * xr
        x3 = z * xr
        p1 = fma(fma(xr, _C0, _C1), xr, _C2)
        p2 = fma(fma(xr, _C3, _C4), xr, _C5)
        p3 = fma(fma(xr, _C6, _C7), xr, _C8)
        q = fma(fma(p1, x3, p2), x3, p3)
        r = fma(q, x3, ef * _LN2_LO)
        s = fma(z, _M_HALF, xr)
        out = fma(ef, _LN2_HI, s + r)
        out = out if y > _ZERO else _NAN
        out = -_INF if y == _ZERO else out
        return y if y == _INF else out

    @njit(inline="always")
    def _log1p(t):
        """``_xla_math.log1p``."""
        t2 = t * t
        den = fma(fma(fma(fma(fma(t + _D0, t, _D1), t, _D2), t, _D3), t, _D4), t, _D5)
        num = fma(fma(fma(fma(fma(fma(t, _N0, _N1), t, _N2), t, _N3), t, _N4), t, _N5), t, _N6)
        ratio = num / den
        small = t + fma(t2, _M_HALF, (t * t2) * ratio)
        large = _log(t + _ONE)
        return small if abs(t) < _L1P_SMALL else large

    @njit(inline="always")
    def _erf_inv(x):
        """``_xla_math.erf_inv``."""
        l1p = _log1p(x * -x)
        central = l1p > _M_FIVE
        root = f32(math.sqrt(-l1p))
        w = (-_TWO_HALF - l1p) if central else (root - _THREE)
        p = fma(w, _A0 if central else _B0, _A1 if central else _B1)
        p = fma(p, w, _A2 if central else _B2)
        p = fma(p, w, _A3 if central else _B3)
        p = fma(p, w, _A4 if central else _B4)
        p = fma(p, w, _A5 if central else _B5)
        p = fma(p, w, _A6 if central else _B6)
        p = fma(p, w, _A7 if central else _B7)
        p = fma(p, w, _A8 if central else _B8)
        p = _INF if abs(x) == _ONE else p
        return x * p

    @njit(parallel=True, cache=True, error_model="numpy")
    def _normal_f32_kernel(k0, k1, out):
        n = out.shape[0]
        nblocks = (n + BLOCK - 1) // BLOCK
        for blk in prange(nblocks):
            start = blk * BLOCK
            stop = min(start + BLOCK, n)
            for i in range(start, stop):
                b0, b1 = _threefry(k0, k1, u32(np.uint64(i) >> np.uint64(32)), u32(np.uint64(i) & np.uint64(_MASK32)))
                bits = b0 ^ b1
                f = _as_f32(u32((bits >> 9) | _ONE_BITS)) - _ONE
                u = fma(f, _SPAN, _LO)
                u = u if u > _LO else _LO
                out[i] = _erf_inv(u) * _SQRT2


def normal_f32(key: torch.Tensor, n: int) -> torch.Tensor:
    """``n`` float32 normals of the flat stream of ``key`` (int32 words, shape (2,), on CPU)."""
    out = torch.empty(n, dtype=torch.float32)
    if n == 0:
        return out
    k0, k1 = (int(w) & _MASK32 for w in key.tolist())
    _normal_f32_kernel(u32(k0), u32(k1), out.numpy())
    return out
