"""CPU max-plus matmul kernels compiled by numba (the optional ``fast`` extra).

Why numba rather than a C++ extension: it ships as a wheel wherever torch does, needs no compiler
on the user's machine, and ``cache=True`` pays the ~1-2 s compile once per machine. Without numba,
:mod:`._matmul_torch` takes over.

Why an ``@intrinsic`` micro-kernel: numba's auto-vectorizer will not keep a C tile in registers (it
cannot prove the rows of a tile do not alias), and a vectorized-but-unblocked loop measured 2-3x
slower. The micro-kernel below is written in LLVM IR with explicit vectors: a 6 x (2 vectors)
tile of C lives in 12 registers while k runs, each k step loads two vectors of a B row and
broadcasts six A scalars: 12 ``vaddps`` + 12 ``vmaxps``, no loads or stores of C. The update
``t > acc ? t : acc`` compiles to one ``vmaxps`` and skips NaN terms, which is how the absorbing
zero (``-inf + inf``) drops out (see :mod:`._semiring`). No fast-math flags are used, so ``-inf``
is exact. Min-plus runs the same kernel on negated inputs (negation is exact).
"""

from __future__ import annotations

import numpy as np
import torch

try:
    from llvmlite import ir
    from numba import njit, prange, types
    from numba.core import cgutils
    from numba.extending import intrinsic
except ImportError:  # numba is the optional "fast" extra
    njit = None

ROWS = 6  # rows of the register tile
VECS = 2  # vectors per row of the register tile (2 x 64 bytes)
KC = 256  # k-block: a B panel of KC x 32 floats stays in L1
JB = 192  # columns per parallel work item


def available() -> bool:
    return njit is not None


if njit is not None:

    @intrinsic
    def _micro(typingctx, a, lda, b, ldb, c, ldc, kk, marker):
        """``C[:6, :2V] = max(C, max_k A[:6, k] + B[k, :2V])`` on raw addresses, C in registers."""
        sig = types.void(types.intp, types.intp, types.intp, types.intp, types.intp, types.intp,
                         types.intp, marker)
        fp32 = marker == types.float32

        def codegen(context, builder, signature, args):
            a, lda, b, ldb, c, ldc, kk, _ = args
            fty = ir.FloatType() if fp32 else ir.DoubleType()
            lanes = 16 if fp32 else 8
            esz = 4 if fp32 else 8
            vty = ir.VectorType(fty, lanes)
            fptr, vptr = fty.as_pointer(), vty.as_pointer()
            ap, bp, cp = (builder.inttoptr(x, fptr) for x in (a, b, c))
            intp = lda.type

            def c_addr(r, v):
                offset = builder.add(builder.mul(ir.Constant(intp, r), ldc), ir.Constant(intp, v * lanes))
                return builder.bitcast(builder.gep(cp, [offset]), vptr)

            accs = []
            for r in range(ROWS):
                for v in range(VECS):
                    slot = cgutils.alloca_once(builder, vty)
                    builder.store(builder.load(c_addr(r, v), align=esz), slot)
                    accs.append(slot)
            undef = ir.Constant(vty, ir.Undefined)
            splat_mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
            with cgutils.for_range(builder, kk) as loop:
                k = loop.index
                brow = builder.gep(bp, [builder.mul(k, ldb)])
                bvecs = [
                    builder.load(builder.bitcast(builder.gep(brow, [ir.Constant(intp, v * lanes)]), vptr), align=esz)
                    for v in range(VECS)
                ]
                for r in range(ROWS):
                    scalar = builder.load(builder.gep(ap, [builder.add(builder.mul(ir.Constant(intp, r), lda), k)]))
                    splat = builder.shuffle_vector(
                        builder.insert_element(undef, scalar, ir.Constant(ir.IntType(32), 0)), undef, splat_mask
                    )
                    for v in range(VECS):
                        slot = accs[r * VECS + v]
                        acc = builder.load(slot)
                        term = builder.fadd(splat, bvecs[v])
                        builder.store(builder.select(builder.fcmp_ordered(">", term, acc), term, acc), slot)
            for r in range(ROWS):
                for v in range(VECS):
                    builder.store(builder.load(accs[r * VECS + v]), c_addr(r, v), align=esz)
            return context.get_dummy_value()

        return sig, codegen

    @njit(cache=True, inline="always")
    def _scalar_block(a, b, c, i0, i1, j0, j1):  # pragma: no cover - compiled
        for i in range(i0, i1):
            for k in range(a.shape[1]):
                aik = a[i, k]
                for j in range(j0, j1):
                    t = aik + b[k, j]
                    if t > c[i, j]:
                        c[i, j] = t

    @njit(parallel=True, cache=True)
    def _maxplus_kernel(a, b, c):  # pragma: no cover - compiled
        m, kk = a.shape
        n = b.shape[1]
        marker = c[0, 0]
        esz = c.itemsize
        nr = VECS * 64 // esz
        m_full = m // ROWS * ROWS
        n_full = n // nr * nr
        row_tiles = m_full // ROWS
        col_tiles = (n_full + JB - 1) // JB
        ap, bp, cp = a.ctypes.data, b.ctypes.data, c.ctypes.data
        for tile in prange(row_tiles * col_tiles):
            i0 = (tile // col_tiles) * ROWS
            j0 = (tile % col_tiles) * JB
            j1 = min(j0 + JB, n_full)
            for k0 in range(0, kk, KC):
                kc = min(KC, kk - k0)
                for j in range(j0, j1, nr):
                    _micro(ap + esz * (i0 * kk + k0), kk, bp + esz * (k0 * n + j), n,
                           cp + esz * (i0 * n + j), n, kc, marker)
        for i in prange(m_full, m):
            _scalar_block(a, b, c, i, i + 1, 0, n)
        for i in prange(m_full):
            _scalar_block(a, b, c, i, i + 1, n_full, n)

    @njit(parallel=True, cache=True)
    def _maxplus_arg_kernel(a, b, c, arg):  # pragma: no cover - compiled
        """Same product, also recording the first winning k (for the subgradient)."""
        m, kk = a.shape
        n = b.shape[1]
        for i in prange(m):
            for k in range(kk):
                aik = a[i, k]
                for j in range(n):
                    t = aik + b[k, j]
                    if t > c[i, j]:
                        c[i, j] = t
                        arg[i, j] = k


def matmul(a: torch.Tensor, b: torch.Tensor, is_max: bool, with_arg: bool):
    """Tropical ``a @ b`` of 2-D float32/float64 CPU tensors; returns ``(values, argk or None)``."""
    a_np = a.detach().numpy()
    b_np = b.detach().numpy()
    if not is_max:
        a_np, b_np = -a_np, -b_np
    a_np = np.ascontiguousarray(a_np)
    b_np = np.ascontiguousarray(b_np)
    out = np.full((a_np.shape[0], b_np.shape[1]), -np.inf, dtype=a_np.dtype)
    arg = None
    if with_arg:
        arg = np.zeros(out.shape, dtype=np.int64)
        _maxplus_arg_kernel(a_np, b_np, out, arg)
        arg = torch.from_numpy(arg)
    else:
        _maxplus_kernel(a_np, b_np, out)
    if not is_max:
        np.negative(out, out=out)
    return torch.from_numpy(out), arg
