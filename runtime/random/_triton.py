"""float32 ``normal`` as one hand-written Triton kernel for CUDA keys.

Inductor's kernel for the same graph (``_fused``) spends its time in float64: the CPU-exact code
emulates every float32 FMA through float64, and Inductor keeps the uint32 rotations as masked
int32 shifts. Here each element is one thread's work in registers: Threefry-2x32 on native uint32,
JAX's mantissa trick for the uniform, XLA's ``log``/``log1p``/Giles ``erf_inv`` with native
float32 FMAs, and one store. The bits equal ``_continuous.normal`` on CPU because every operation
is a correctly rounded IEEE float32 operation that the CPU path performs identically: ``tl.fma``
is the single-rounding FMA that ``_xla_math.fma`` emulates exactly (round-to-odd), division and
square root use the ``_rn`` variants, and ``enable_fp_fusion=False`` stops the compiler from
contracting the plain multiply-add pairs that XLA left unfused.
"""

from __future__ import annotations

import contextlib
import math

import torch

from . import _xla_math as xm

try:
    import triton
    import triton.language as tl
except ImportError:  # CPU-only installs: callers check AVAILABLE
    triton = None
    tl = None

AVAILABLE = triton is not None

BLOCK = 1024
NUM_WARPS = 4

_TABLES: dict = {}


def _coefficients(device: torch.device) -> torch.Tensor:
    """The float32 constants of ``_xla_math`` in the order the kernel reads them, on ``device``."""
    if device not in _TABLES:
        values = (list(xm._LOG_C) + [xm._LOG_LN2_LO, xm._LOG_LN2_HI, xm._SQRT_HALF, xm._MIN_NORMAL]
                  + list(xm._LOG1P_DEN) + list(xm._LOG1P_NUM) + [xm._LOG1P_SMALL]
                  + list(xm._ERFINV_LT5) + list(xm._ERFINV_GE5))
        _TABLES[device] = torch.tensor(values, dtype=torch.float32, device=device)
    return _TABLES[device]


# The affine map of ``uniform(minval=-1 + eps/2, maxval=1)``, computed as the CPU path does.
_LO = torch.tensor(-1.0 + torch.finfo(torch.float32).eps / 2, dtype=torch.float32)
_SPAN = float(torch.tensor(1.0, dtype=torch.float32) - _LO)
_LO = float(_LO)
_SQRT2 = float(torch.tensor(math.sqrt(2), dtype=torch.float32))


if AVAILABLE:
    # Offsets into the coefficient table (see _coefficients).
    _LOG_C, _LN2_LO, _LN2_HI = tl.constexpr(0), tl.constexpr(9), tl.constexpr(10)
    _SQRT_HALF, _MIN_NORMAL = tl.constexpr(11), tl.constexpr(12)
    _L1P_DEN, _L1P_NUM, _L1P_SMALL = tl.constexpr(13), tl.constexpr(19), tl.constexpr(26)
    _ERF_LT5, _ERF_GE5 = tl.constexpr(27), tl.constexpr(36)
    _NAN, _INF = tl.constexpr(float("nan")), tl.constexpr(float("inf"))

    @triton.jit
    def _rotl(x, r: tl.constexpr):
        return (x << r) | (x >> (32 - r))

    @triton.jit
    def _four_rounds(x0, x1, r0: tl.constexpr, r1: tl.constexpr, r2: tl.constexpr, r3: tl.constexpr):
        x0 = x0 + x1
        x1 = _rotl(x1, r0) ^ x0
        x0 = x0 + x1
        x1 = _rotl(x1, r1) ^ x0
        x0 = x0 + x1
        x1 = _rotl(x1, r2) ^ x0
        x0 = x0 + x1
        x1 = _rotl(x1, r3) ^ x0
        return x0, x1

    @triton.jit
    def _threefry(k0, k1, x0, x1):
        k2 = k0 ^ k1 ^ 0x1BD11BDA
        x0 = x0 + k0
        x1 = x1 + k1
        x0, x1 = _four_rounds(x0, x1, 13, 15, 26, 6)
        x0 = x0 + k1
        x1 = x1 + k2 + 1
        x0, x1 = _four_rounds(x0, x1, 17, 29, 16, 24)
        x0 = x0 + k2
        x1 = x1 + k0 + 2
        x0, x1 = _four_rounds(x0, x1, 13, 15, 26, 6)
        x0 = x0 + k0
        x1 = x1 + k1 + 3
        x0, x1 = _four_rounds(x0, x1, 17, 29, 16, 24)
        x0 = x0 + k1
        x1 = x1 + k2 + 4
        x0, x1 = _four_rounds(x0, x1, 13, 15, 26, 6)
        x0 = x0 + k2
        x1 = x1 + k0 + 5
        return x0, x1

    @triton.jit
    def _log(y, C):
        """``_xla_math.log``."""
        yc = tl.maximum(y, tl.load(C + _MIN_NORMAL))
        bits = yc.to(tl.int32, bitcast=True)
        e = ((bits >> 23) & 0xFF) - 127
        m = ((bits & -0x7F800001) | 0x3F000000).to(tl.float32, bitcast=True)
        small = m < tl.load(C + _SQRT_HALF)
        ef = e.to(tl.float32) + 1.0
        xr = (m - 1.0) + tl.where(small, m, 0.0)
        ef = ef - small.to(tl.float32)
        z = xr * xr
        x3 = z * xr
        p1 = tl.fma(tl.fma(xr, tl.load(C + _LOG_C + 0), tl.load(C + _LOG_C + 1)), xr, tl.load(C + _LOG_C + 2))
        p2 = tl.fma(tl.fma(xr, tl.load(C + _LOG_C + 3), tl.load(C + _LOG_C + 4)), xr, tl.load(C + _LOG_C + 5))
        p3 = tl.fma(tl.fma(xr, tl.load(C + _LOG_C + 6), tl.load(C + _LOG_C + 7)), xr, tl.load(C + _LOG_C + 8))
        q = tl.fma(tl.fma(p1, x3, p2), x3, p3)
        r = tl.fma(q, x3, ef * tl.load(C + _LN2_LO))
        s = tl.fma(z, -0.5, xr)
        out = tl.fma(ef, tl.load(C + _LN2_HI), s + r)
        out = tl.where(y > 0, out, _NAN)
        out = tl.where(y == 0, -_INF, out)
        return tl.where(y == _INF, y, out)

    @triton.jit
    def _log1p(t, C):
        """``_xla_math.log1p``."""
        t2 = t * t
        den = t + tl.load(C + _L1P_DEN)
        for i in tl.static_range(1, 6):
            den = tl.fma(den, t, tl.load(C + _L1P_DEN + i))
        num = tl.fma(t, tl.load(C + _L1P_NUM), tl.load(C + _L1P_NUM + 1))
        for i in tl.static_range(2, 7):
            num = tl.fma(num, t, tl.load(C + _L1P_NUM + i))
        ratio = tl.math.div_rn(num, den)
        small = t + tl.fma(t2, -0.5, (t * t2) * ratio)
        return tl.where(tl.abs(t) < tl.load(C + _L1P_SMALL), small, _log(t + 1.0, C))

    @triton.jit
    def _erf_inv(x, C):
        """``_xla_math.erf_inv``."""
        l1p = _log1p(x * -x, C)
        central = l1p > -5.0
        w = tl.where(central, -2.5 - l1p, tl.math.sqrt_rn(-l1p) - 3.0)
        p = tl.fma(w, tl.where(central, tl.load(C + _ERF_LT5), tl.load(C + _ERF_GE5)),
                   tl.where(central, tl.load(C + _ERF_LT5 + 1), tl.load(C + _ERF_GE5 + 1)))
        for i in tl.static_range(2, 9):
            p = tl.fma(p, w, tl.where(central, tl.load(C + _ERF_LT5 + i), tl.load(C + _ERF_GE5 + i)))
        p = tl.where(tl.abs(x) == 1.0, _INF, p)
        return x * p

    @triton.jit
    def _normal_f32_kernel(key_ptr, C, out_ptr, n, lo, span, sqrt2, BLOCK_SIZE: tl.constexpr):
        offs = tl.program_id(0).to(tl.int64) * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
        mask = offs < n
        k0 = tl.load(key_ptr).to(tl.uint32, bitcast=True)
        k1 = tl.load(key_ptr + 1).to(tl.uint32, bitcast=True)
        hi = (offs >> 32).to(tl.uint32)
        lo_word = offs.to(tl.uint32)
        b0, b1 = _threefry(k0, k1, hi, lo_word)
        bits = b0 ^ b1
        f = ((bits >> 9) | 0x3F800000).to(tl.float32, bitcast=True) - 1.0
        u = tl.maximum(tl.fma(f, span, lo), lo)
        z = _erf_inv(u, C) * sqrt2
        tl.store(out_ptr + offs, z, mask=mask)


def normal_f32(key: torch.Tensor, n: int) -> torch.Tensor:
    """``n`` float32 normals of the flat stream of ``key`` (int32 words, shape (2,), on CUDA)."""
    out = torch.empty(n, dtype=torch.float32, device=key.device)
    if n == 0:
        return out
    grid = (triton.cdiv(n, BLOCK),)
    # the launch goes to the current device; the interpreter (TRITON_INTERPRET=1) runs on CPU tensors
    on_device = torch.cuda.device(key.device) if key.is_cuda else contextlib.nullcontext()
    with on_device:
        _normal_f32_kernel[grid](key.contiguous(), _coefficients(key.device), out, n, _LO, _SPAN, _SQRT2,
                                 BLOCK_SIZE=BLOCK, num_warps=NUM_WARPS, enable_fp_fusion=False)
    return out
