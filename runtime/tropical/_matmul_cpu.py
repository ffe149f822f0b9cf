"""CPU max-plus matmul kernels compiled by numba (the optional ``fast`` extra).

Why numba rather than a C++ extension: it ships as a wheel wherever torch does, needs no compiler
on the user's machine, and ``cache=True`` pays the compile once per machine. Without numba,
:mod:`._matmul_torch` takes over.

Layout (the classic GEMM recipe, with (max, +) in place of (+, x)): both operands are first
packed into panels so the micro-kernel reads memory strictly sequentially — A into row panels
``(ROWS, k)`` stored k-major, B into column panels ``(k, 16*VECS)`` — padded with the tropical
zero so every tile is full and no scalar edge loop is needed. Packing also applies the sign
(min-plus is max-plus of the negated inputs; negation is exact), so it costs no extra pass.

Why an ``@intrinsic`` micro-kernel: numba's auto-vectorizer will not keep a C tile in registers (it
cannot prove the rows of a tile do not alias). The micro-kernel below is written in LLVM IR with
explicit vectors: a ``ROWS x VECS`` tile of C lives in zmm registers while k runs; each k step
loads VECS vectors of the B panel, broadcasts ROWS scalars of the A panel, and does ROWS*VECS
``vaddps`` + ``vmaxps`` — two 512-bit ops per 16 terms, no loads or stores of C. The update
``t > acc ? t : acc`` compiles to one ``vmaxps`` and skips NaN terms, which is how the absorbing
zero (``-inf + inf``) drops out (see :mod:`._semiring`). No fast-math flags are used, so ``-inf``
is exact.
"""

from __future__ import annotations

import numpy as np
import torch

try:
    from llvmlite import ir
    from numba import njit, prange, types
    from numba.extending import intrinsic
except ImportError:  # numba is the optional "fast" extra
    njit = None

ROWS = 8  # rows of the register tile (A panel height)
VECS = 3  # 64-byte vectors per row of the register tile (B panel width = VECS * 64 bytes)
KC = 256  # k-block: the B micro-panel (KC x VECS vectors) stays in L1 while A panels stream
MC = 64  # rows per parallel work item (a multiple of ROWS)
SMALL = 16 * 16 * 16  # products with fewer terms than this, or fewer rows than ROWS, skip packing


def available() -> bool:
    return njit is not None


def _micro_factory(rows: int, vecs: int, load_c: bool):
    """Build the ``rows x vecs`` register-tile kernel; ``load_c`` False starts from the zero."""

    @intrinsic
    def micro(typingctx, ap, bp, c, ldc, kk, marker):
        """``C[:rows, :vecs*L] (max)= max_k Ap[k, :rows] + Bp[k, :vecs*L]`` on raw addresses."""
        sig = types.void(types.intp, types.intp, types.intp, types.intp, types.intp, marker)
        fp32 = marker == types.float32

        def codegen(context, builder, signature, args):
            ap, bp, c, ldc, kk, _ = args
            fty = ir.FloatType() if fp32 else ir.DoubleType()
            lanes = 16 if fp32 else 8
            esz = 4 if fp32 else 8
            vty = ir.VectorType(fty, lanes)
            fptr, vptr = fty.as_pointer(), vty.as_pointer()
            a_base, c_base = builder.inttoptr(ap, fptr), builder.inttoptr(c, fptr)
            b_base = builder.inttoptr(bp, vptr)
            intp = ldc.type

            def const(x):
                return ir.Constant(intp, x)

            def c_addr(r, v):
                offset = builder.add(builder.mul(const(r), ldc), const(v * lanes))
                return builder.bitcast(builder.gep(c_base, [offset]), vptr)

            zero = ir.Constant(vty, [float("-inf")] * lanes)
            init = [builder.load(c_addr(r, v), align=esz) if load_c else zero
                    for r in range(rows) for v in range(vecs)]
            undef = ir.Constant(vty, ir.Undefined)
            splat_mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
            entry = builder.basic_block
            loop = builder.append_basic_block("micro.loop")
            done = builder.append_basic_block("micro.done")
            builder.branch(loop)
            builder.position_at_end(loop)
            k = builder.phi(intp)
            k.add_incoming(const(0), entry)
            accs = []
            for value in init:
                phi = builder.phi(vty)
                phi.add_incoming(value, entry)
                accs.append(phi)
            bvecs = [builder.load(builder.gep(b_base, [builder.add(builder.mul(k, const(vecs)), const(v))]),
                                  align=64)
                     for v in range(vecs)]
            arow = builder.gep(a_base, [builder.mul(k, const(rows))])
            new = []
            for r in range(rows):
                scalar = builder.load(builder.gep(arow, [const(r)]))
                splat = builder.shuffle_vector(
                    builder.insert_element(undef, scalar, ir.Constant(ir.IntType(32), 0)), undef, splat_mask
                )
                for v in range(vecs):
                    acc = accs[r * vecs + v]
                    term = builder.fadd(splat, bvecs[v])
                    new.append(builder.select(builder.fcmp_ordered(">", term, acc), term, acc))
            k_next = builder.add(k, const(1))
            k.add_incoming(k_next, loop)
            for phi, value in zip(accs, new):
                phi.add_incoming(value, loop)
            builder.cbranch(builder.icmp_signed("<", k_next, kk), loop, done)
            builder.position_at_end(done)
            for r in range(rows):
                for v in range(vecs):
                    builder.store(new[r * vecs + v], c_addr(r, v), align=esz)
            return context.get_dummy_value()

        return sig, codegen

    return micro


if njit is not None:
    _micro_first = _micro_factory(ROWS, VECS, load_c=False)
    _micro_next = _micro_factory(ROWS, VECS, load_c=True)

    @njit(parallel=True, cache=True)
    def _pack_a(a, sign, out):  # pragma: no cover - compiled
        """``out[p, k, r] = sign * a[p*ROWS + r, k]``, rows past the end set to the zero."""
        m, kk = a.shape
        for p in prange(out.shape[0]):
            for r in range(ROWS):
                i = p * ROWS + r
                if i < m:
                    for k in range(kk):
                        out[p, k, r] = sign * a[i, k]
                else:
                    for k in range(kk):
                        out[p, k, r] = -np.inf

    @njit(parallel=True, cache=True)
    def _pack_b(b, sign, out):  # pragma: no cover - compiled
        """``out[p, k, j] = sign * b[k, p*NR + j]``, columns past the end set to the zero."""
        kk, n = b.shape
        nr = out.shape[2]
        for p in prange(out.shape[0]):
            j0 = p * nr
            width = min(nr, n - j0)
            for k in range(kk):
                for j in range(width):
                    out[p, k, j] = sign * b[k, j0 + j]
                for j in range(width, nr):
                    out[p, k, j] = -np.inf

    @njit(parallel=True, cache=True)
    def _packed_kernel(ap, bp, c):  # pragma: no cover - compiled
        """``c = max-plus(A, B)`` from panels; ``c`` is padded to whole tiles and fully written."""
        row_panels, kk, _ = ap.shape
        col_panels, _, nr = bp.shape
        ldc = c.shape[1]
        marker = c[0, 0]
        esz = c.itemsize
        per_block = MC // ROWS
        blocks = (row_panels + per_block - 1) // per_block
        a0, b0, c0 = ap.ctypes.data, bp.ctypes.data, c.ctypes.data
        for blk in prange(blocks):
            p0 = blk * per_block
            p1 = min(p0 + per_block, row_panels)
            for k0 in range(0, kk, KC):
                kc = min(KC, kk - k0)
                for q in range(col_panels):
                    b_addr = b0 + esz * (q * kk + k0) * nr
                    for p in range(p0, p1):
                        a_addr = a0 + esz * (p * kk + k0) * ROWS
                        c_addr = c0 + esz * (p * ROWS * ldc + q * nr)
                        if k0 == 0:
                            _micro_first(a_addr, b_addr, c_addr, ldc, kc, marker)
                        else:
                            _micro_next(a_addr, b_addr, c_addr, ldc, kc, marker)

    @njit(cache=True)
    def _aligned_empty(shape, like):  # pragma: no cover - compiled
        """An uninitialized array of ``shape`` whose first element is 64-byte aligned (whole-line loads)."""
        count = 1
        for extent in shape:
            count *= extent
        pad = 64 // like.itemsize
        buf = np.empty(count + pad, dtype=like.dtype)
        skip = ((64 - buf.ctypes.data % 64) % 64) // like.itemsize
        return buf[skip:skip + count].reshape(shape)

    @njit(cache=True)
    def _packed(a, b, sign):  # pragma: no cover - compiled
        """Pack both operands and run the register-tile kernel; returns C padded to whole tiles."""
        m, kk = a.shape
        n = b.shape[1]
        nr = VECS * 64 // a.itemsize
        row_panels = (m + ROWS - 1) // ROWS
        col_panels = (n + nr - 1) // nr
        ap = _aligned_empty((row_panels, kk, ROWS), a)
        bp = _aligned_empty((col_panels, kk, nr), a)
        c = _aligned_empty((row_panels * ROWS, col_panels * nr), a)
        _pack_a(a, sign, ap)
        _pack_b(b, sign, bp)
        _packed_kernel(ap, bp, c)
        return c

    @njit(parallel=True, cache=True)
    def _small_kernel(a, b, sign, c):  # pragma: no cover - compiled
        """Unpacked loop for thin or tiny products, where packing to whole tiles would waste work."""
        m, kk = a.shape
        n = b.shape[1]
        for i in prange(m):
            for j in range(n):
                c[i, j] = -np.inf
            for k in range(kk):
                aik = sign * a[i, k]
                for j in range(n):
                    t = aik + sign * b[k, j]
                    if t > c[i, j]:
                        c[i, j] = t

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
    a_np = np.ascontiguousarray(a.detach().numpy())
    b_np = np.ascontiguousarray(b.detach().numpy())
    m, kk = a_np.shape
    n = b_np.shape[1]
    sign = a_np.dtype.type(1 if is_max else -1)
    arg = None
    if with_arg:
        if not is_max:
            a_np, b_np = -a_np, -b_np
        out = np.full((m, n), -np.inf, dtype=a_np.dtype)
        arg = np.zeros(out.shape, dtype=np.int64)
        _maxplus_arg_kernel(a_np, b_np, out, arg)
        arg = torch.from_numpy(arg)
    elif m < ROWS or m * n * kk < SMALL:
        out = np.empty((m, n), dtype=a_np.dtype)
        _small_kernel(a_np, b_np, sign, out)
    else:
        out = _packed(a_np, b_np, sign)[:m, :n]
    if not is_max:
        np.negative(out, out=out)
    return torch.from_numpy(out), arg
