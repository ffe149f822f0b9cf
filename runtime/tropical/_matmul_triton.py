"""CUDA max-plus matmul in Triton. Imported only when a CUDA tensor reaches :func:`matmul`.

There are no tensor cores for (max, +), so this is a CUDA-core kernel: each program owns a
``BLOCK_M x BLOCK_N`` tile of C in registers and walks k, broadcasting one column of A (read as
a contiguous row of ``A^T``) against one row of B. Per term that is one add and one max, the
floor being about 2x an FFMA-bound fp32 GEMM. The update ``t > acc ? t : acc`` skips NaN terms,
so ``-inf + inf`` (zero times top) drops out exactly as on the CPU. Half inputs are accumulated
in float32 and rounded once at the store; float64 stays float64. Min-plus negates the inputs.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

# (BLOCK_M, BLOCK_N, BLOCK_K unroll, num_warps), picked by benchmarks/bench_tropical.py --sweep on
# an H100: 64x64 tiles on 2 warps ran 2.88x fp32 GEMM at n=4096 and 2.95x at 2048; 128x128 on
# 8 warps spills registers (200x).
CONFIG = (64, 64, 8, 2)
ARG_CONFIG = (64, 64, 8, 4)


@triton.jit
def _maxplus_kernel(
    at_ptr, b_ptr, c_ptr, arg_ptr,
    M, N, K,
    s_atb, s_atk, s_atm,
    s_bb, s_bk, s_bn,
    s_cb, s_cm, s_cn,
    WITH_ARG: tl.constexpr, ACC_F64: tl.constexpr,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    pid_b = tl.program_id(2)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    mask_m = offs_m < M
    mask_n = offs_n < N
    acc_ty = tl.float64 if ACC_F64 else tl.float32
    acc = tl.full((BLOCK_M, BLOCK_N), float("-inf"), acc_ty)
    if WITH_ARG:
        arg = tl.zeros((BLOCK_M, BLOCK_N), tl.int32)
    a_base = at_ptr + pid_b * s_atb + offs_m * s_atm
    b_base = b_ptr + pid_b * s_bb + offs_n * s_bn
    for k0 in range(0, K, BLOCK_K):
        for kk in tl.static_range(BLOCK_K):
            k = k0 + kk
            in_k = k < K
            a = tl.load(a_base + k * s_atk, mask=mask_m & in_k, other=float("-inf")).to(acc_ty)
            b = tl.load(b_base + k * s_bk, mask=mask_n & in_k, other=float("-inf")).to(acc_ty)
            t = a[:, None] + b[None, :]
            if WITH_ARG:
                better = t > acc
                acc = tl.where(better, t, acc)
                arg = tl.where(better, k, arg)
            else:
                # PTX max.f32 returns the non-NaN operand: one FMNMX that also drops NaN terms.
                acc = tl.maximum(acc, t)
    c_ptrs = c_ptr + pid_b * s_cb + offs_m[:, None] * s_cm + offs_n[None, :] * s_cn
    mask = mask_m[:, None] & mask_n[None, :]
    tl.store(c_ptrs, acc.to(c_ptr.dtype.element_ty), mask=mask)
    if WITH_ARG:
        tl.store(arg_ptr + pid_b * s_cb + offs_m[:, None] * s_cm + offs_n[None, :] * s_cn, arg, mask=mask)


def matmul(a: torch.Tensor, b: torch.Tensor, is_max: bool, with_arg: bool, config=None):
    """Tropical ``a @ b`` for 3-D ``(batch, m, k) x (batch, k, n)`` CUDA tensors of one dtype."""
    if not is_max:
        a, b = -a, -b
    batch, m, k = a.shape
    n = b.shape[2]
    at = a.transpose(1, 2).contiguous()  # columns of A become contiguous rows
    out = torch.empty((batch, m, n), dtype=a.dtype, device=a.device)
    arg = torch.empty((batch, m, n), dtype=torch.int32, device=a.device) if with_arg else out
    block_m, block_n, block_k, warps = config or (ARG_CONFIG if with_arg else CONFIG)
    grid = (triton.cdiv(m, block_m), triton.cdiv(n, block_n), batch)
    _maxplus_kernel[grid](
        at, b, out, arg, m, n, k,
        at.stride(0), at.stride(1), at.stride(2),
        b.stride(0), b.stride(1), b.stride(2),
        out.stride(0), out.stride(1), out.stride(2),
        WITH_ARG=with_arg, ACC_F64=a.dtype == torch.float64,
        BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k, num_warps=warps,
    )
    if not is_max:
        out = out.neg_()
    return out, (arg.long() if with_arg else None)

