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
is exact. When autograd needs the subgradient, a ``ARG_ROWS x VECS`` tile also keeps the first
winning k per lane (compare + masked index broadcast: four ops per 16 terms instead of two).
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
ARG_ROWS = 4  # rows of the tile that also tracks the winning k (values + indices: 24 registers)
VECS = 3  # 64-byte vectors per row of the register tile (B panel width = VECS * 64 bytes)
KC = 256  # k-block: one B micro-panel (KC x VECS vectors, 48 KB of float32) serves MC/ROWS A panels
MC = 64  # rows per parallel work item (a multiple of ROWS)
NC = 8  # B panels per column block: the 64-row C block being updated stays ~100 KB
SMALL = 16 * 16 * 16  # products with fewer terms than this skip packing (so do ones padding would double)


def available() -> bool:
    return njit is not None


def _micro_factory(rows: int, vecs: int, a_stride: int, load_c: bool, with_arg: bool):
    """Build the ``rows x vecs`` register-tile kernel reading A panels of ``a_stride`` rows.

    ``load_c`` False starts from the zero (the first k-block) instead of reading C. ``with_arg``
    also keeps, per accumulator lane, the first k that won (``t > acc`` is strict, k ascends), in
    a second register tile of integers the width of the float, stored to ``idx`` like C.
    """

    @intrinsic
    def micro(typingctx, ap, bp, c, ldc, kk, idx, k_base, marker):
        """``C[:rows, :vecs*L] (max)= max_k Ap[k, :rows] + Bp[k, :vecs*L]`` on raw addresses."""
        sig = types.void(types.intp, types.intp, types.intp, types.intp, types.intp, types.intp, types.intp,
                         marker)
        fp32 = marker == types.float32

        def codegen(context, builder, signature, args):
            ap, bp, c, ldc, kk, idx, k_base, _ = args
            fty = ir.FloatType() if fp32 else ir.DoubleType()
            ity = ir.IntType(32 if fp32 else 64)
            lanes = 16 if fp32 else 8
            esz = 4 if fp32 else 8
            vty, ivty = ir.VectorType(fty, lanes), ir.VectorType(ity, lanes)
            fptr, vptr = fty.as_pointer(), vty.as_pointer()
            a_base, c_base = builder.inttoptr(ap, fptr), builder.inttoptr(c, fptr)
            i_base = builder.inttoptr(idx, ity.as_pointer())
            b_base = builder.inttoptr(bp, vptr)
            intp = ldc.type
            splat_mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)

            def const(x):
                return ir.Constant(intp, x)

            def tile_addr(base, r, v, ptr_ty):
                offset = builder.add(builder.mul(const(r), ldc), const(v * lanes))
                return builder.bitcast(builder.gep(base, [offset]), ptr_ty)

            def splat(scalar, ty):
                undef = ir.Constant(ty, ir.Undefined)
                first = builder.insert_element(undef, scalar, ir.Constant(ir.IntType(32), 0))
                return builder.shuffle_vector(first, undef, splat_mask)

            tiles = [(r, v) for r in range(rows) for v in range(vecs)]
            if load_c:
                init = [builder.load(tile_addr(c_base, r, v, vptr), align=esz) for r, v in tiles]
                init_idx = [builder.load(tile_addr(i_base, r, v, ivty.as_pointer()), align=esz) for r, v in tiles]
            else:
                init = [ir.Constant(vty, [float("-inf")] * lanes)] * len(tiles)
                init_idx = [ir.Constant(ivty, [0] * lanes)] * len(tiles)
            entry = builder.basic_block
            loop = builder.append_basic_block("micro.loop")
            done = builder.append_basic_block("micro.done")
            builder.branch(loop)
            builder.position_at_end(loop)
            k = builder.phi(intp)
            k.add_incoming(const(0), entry)

            def phis(values, ty):
                out = []
                for value in values:
                    phi = builder.phi(ty)
                    phi.add_incoming(value, entry)
                    out.append(phi)
                return out

            accs = phis(init, vty)
            arg_accs = phis(init_idx, ivty) if with_arg else []
            bvecs = [builder.load(builder.gep(b_base, [builder.add(builder.mul(k, const(vecs)), const(v))]),
                                  align=64)
                     for v in range(vecs)]
            arow = builder.gep(a_base, [builder.mul(k, const(a_stride))])
            kvec = splat(builder.trunc(builder.add(k_base, k), ity) if fp32 else builder.add(k_base, k), ivty)
            new, new_arg = [], []
            for r in range(rows):
                a_splat = splat(builder.load(builder.gep(arow, [const(r)])), vty)
                for v in range(vecs):
                    acc = accs[r * vecs + v]
                    term = builder.fadd(a_splat, bvecs[v])
                    better = builder.fcmp_ordered(">", term, acc)
                    new.append(builder.select(better, term, acc))
                    if with_arg:
                        new_arg.append(builder.select(better, kvec, arg_accs[r * vecs + v]))
            k_next = builder.add(k, const(1))
            k.add_incoming(k_next, loop)
            for phi, value in zip(accs + arg_accs, new + new_arg):
                phi.add_incoming(value, loop)
            builder.cbranch(builder.icmp_signed("<", k_next, kk), loop, done)
            builder.position_at_end(done)
            for t, (r, v) in enumerate(tiles):
                builder.store(new[t], tile_addr(c_base, r, v, vptr), align=esz)
                if with_arg:
                    builder.store(new_arg[t], tile_addr(i_base, r, v, ivty.as_pointer()), align=esz)
            return context.get_dummy_value()

        return sig, codegen

    return micro


if njit is not None:
    _micro_first = _micro_factory(ROWS, VECS, ROWS, load_c=False, with_arg=False)
    _micro_next = _micro_factory(ROWS, VECS, ROWS, load_c=True, with_arg=False)
    _micro_arg_first = _micro_factory(ARG_ROWS, VECS, ROWS, load_c=False, with_arg=True)
    _micro_arg_next = _micro_factory(ARG_ROWS, VECS, ROWS, load_c=True, with_arg=True)

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
    def _packed_kernel(ap, bp, c, idx, with_arg):  # pragma: no cover - compiled
        """``c = max-plus(A, B)`` from panels (and ``idx`` = first winning k when ``with_arg``).

        ``c`` and ``idx`` are padded to whole tiles and fully written.
        """
        row_panels, kk, _ = ap.shape
        col_panels, _, nr = bp.shape
        ldc = c.shape[1]
        marker = c[0, 0]
        esz = c.itemsize
        per_block = MC // ROWS
        blocks = (row_panels + per_block - 1) // per_block
        a0, b0, c0, i0 = ap.ctypes.data, bp.ctypes.data, c.ctypes.data, idx.ctypes.data
        for blk in prange(blocks):
            p0 = blk * per_block
            p1 = min(p0 + per_block, row_panels)
            for q0 in range(0, col_panels, NC):
                for k0 in range(0, kk, KC):
                    kc = min(KC, kk - k0)
                    for q in range(q0, min(q0 + NC, col_panels)):
                        b_addr = b0 + esz * (q * kk + k0) * nr
                        for p in range(p0, p1):
                            a_addr = a0 + esz * (p * kk + k0) * ROWS
                            c_off = esz * (p * ROWS * ldc + q * nr)
                            if not with_arg:
                                if k0 == 0:
                                    _micro_first(a_addr, b_addr, c0 + c_off, ldc, kc, 0, 0, marker)
                                else:
                                    _micro_next(a_addr, b_addr, c0 + c_off, ldc, kc, 0, 0, marker)
                                continue
                            for half in range(0, ROWS, ARG_ROWS):
                                off = c_off + esz * half * ldc
                                if k0 == 0:
                                    _micro_arg_first(a_addr + esz * half, b_addr, c0 + off, ldc, kc, i0 + off, k0,
                                                     marker)
                                else:
                                    _micro_arg_next(a_addr + esz * half, b_addr, c0 + off, ldc, kc, i0 + off, k0,
                                                    marker)

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
    def _packed(a, b, sign, with_arg, index_like):  # pragma: no cover - compiled
        """Pack both operands and run the register-tile kernel; returns C (and the winning k's, or a
        placeholder) padded to whole tiles."""
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
        idx = _aligned_empty(c.shape if with_arg else (1, 1), index_like)
        _packed_kernel(ap, bp, c, idx, with_arg)
        return c, idx

    @njit(parallel=True, cache=True)
    def _small_kernel(a, b, sign, c, idx, with_arg):  # pragma: no cover - compiled
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
                        if with_arg:
                            idx[i, j] = k


def matmul(a: torch.Tensor, b: torch.Tensor, is_max: bool, with_arg: bool):
    """Tropical ``a @ b`` of 2-D float32/float64 CPU tensors; returns ``(values, argk or None)``."""
    a_np = np.ascontiguousarray(a.detach().numpy())
    b_np = np.ascontiguousarray(b.detach().numpy())
    m, kk = a_np.shape
    n = b_np.shape[1]
    sign = a_np.dtype.type(1 if is_max else -1)
    arg = None
    nr = VECS * 64 // a_np.itemsize
    padded = -(-m // ROWS) * ROWS * (-(-n // nr) * nr)
    if padded > 2 * m * n or m * n * kk < SMALL:  # thin or tiny: padding would waste the work
        out = np.empty((m, n), dtype=a_np.dtype)
        idx = np.zeros((m, n), dtype=np.int64) if with_arg else np.zeros((1, 1), dtype=np.int64)
        _small_kernel(a_np, b_np, sign, out, idx, with_arg)
    else:
        index_like = np.zeros(1, dtype=np.int32 if a_np.itemsize == 4 else np.int64)  # as wide as a float
        out, idx = _packed(a_np, b_np, sign, with_arg, index_like)
        out = out[:m, :n]
    if with_arg:
        arg = torch.from_numpy(idx[:m, :n]).to(torch.int64)
    if not is_max:
        np.negative(out, out=out)
    return torch.from_numpy(out), arg
