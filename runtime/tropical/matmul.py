"""Tropical matrix product with backend dispatch and an argmax-based subgradient.

``C[i, j] = ⊕_k A[i, k] ⊗ B[k, j]``, i.e. ``max_k (A[i, k] + B[k, j])`` in max-plus.

Backends, chosen per call: numba on the CPU (float32/float64; half dtypes are computed in
float32 and rounded once), Triton on CUDA, and pure torch anywhere else or when those are not
installed: a blocked eager loop, or on the CPU a ``torch.compile`` kernel once that pays for its
compile (``_matmul_inductor``; ``JAX2TORCH_TROPICAL_COMPILE=0``/``1`` never/always uses it).
``backend=`` forces one (tests and benchmarks use it).

Gradient: max is not differentiable at ties, so we use its subgradient — the incoming gradient
of ``C[i, j]`` flows, whole, to the ``A[i, k*]`` and ``B[k*, j]`` of the first winning ``k*``
(the same convention as ``torch.max(dim)``). The winning indices come out of the forward kernel
(one int64 per output), so the backward pass is two ``scatter_add`` calls, not another n^3 pass.
Outputs equal to the tropical zero (no finite term) get no gradient.
"""

from __future__ import annotations

import functools

import torch

from . import _matmul_cpu, _matmul_torch
from ._semiring import Semiring, as_float_tensor, check_nonempty, get_semiring

BACKENDS = ("numba", "triton", "torch")


@functools.lru_cache(maxsize=1)
def _triton_module():
    """Import the Triton kernels on first CUDA use; ``None`` when Triton is missing."""
    try:
        from . import _matmul_triton
    except ImportError:
        return None
    return _matmul_triton


def available_backends(device: torch.device | str = "cpu") -> list[str]:
    """Backends usable for tensors on ``device``, fastest first."""
    device = torch.device(device)
    fast = []
    if device.type == "cpu" and _matmul_cpu.available():
        fast.append("numba")
    if device.type == "cuda" and _triton_module() is not None:
        fast.append("triton")
    return fast + ["torch"]


def _pick_backend(device: torch.device, backend: str | None) -> str:
    usable = available_backends(device)
    if backend is None:
        return usable[0]
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose from {BACKENDS}")
    if backend not in usable:
        raise RuntimeError(f"backend {backend!r} is not available for {device.type} tensors (usable: {usable})")
    return backend


def _run(a: torch.Tensor, b: torch.Tensor, sr: Semiring, backend: str, with_arg: bool):
    """Batched ``(B, m, k) x (B, k, n)`` product on one backend; returns ``(values, arg or None)``."""
    if backend == "triton":
        return _triton_module().matmul(a, b, sr.is_max, with_arg)
    outs, args = [], []
    for x, y in zip(a, b):
        if backend == "numba":
            compute = x.dtype if x.dtype == torch.float64 else torch.float32
            val, arg = _matmul_cpu.matmul(x.to(compute), y.to(compute), sr.is_max, with_arg)
            val = val.to(x.dtype)
        else:
            val, arg = _matmul_torch.matmul(x, y, sr, with_arg)
        outs.append(val)
        args.append(arg)
    return torch.stack(outs), (torch.stack(args) if with_arg else None)


class _TropicalMatmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, sr, backend):
        need_grad = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
        out, arg = _run(a, b, sr, backend, need_grad)
        if need_grad:
            ctx.save_for_backward(out, arg)
            ctx.k = a.shape[-1]
        return out

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        out, arg = ctx.saved_tensors
        grad = torch.where(torch.isfinite(out), grad, torch.zeros_like(grad))
        batch, m, n = out.shape
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = grad.new_zeros((batch, m, ctx.k)).scatter_add_(2, arg, grad)
        if ctx.needs_input_grad[1]:
            grad_b = grad.new_zeros((batch, ctx.k, n)).scatter_add_(1, arg, grad)
        return grad_a, grad_b, None, None


def matmul(a, b, semiring: str = "max", *, backend: str | None = None) -> torch.Tensor:
    """Tropical product ``a ⊗ b`` with ``torch.matmul`` shape rules (1-D operands, batch broadcast).

    ``semiring="max"`` gives max-plus (``max_k a_ik + b_kj``), ``"min"`` min-plus. Differentiable
    in both arguments (subgradient, see module docstring).
    """
    sr = get_semiring(semiring)
    a = as_float_tensor(a, "a")
    b = as_float_tensor(b, "b", device=a.device if not isinstance(b, torch.Tensor) else None)
    if a.device != b.device:
        raise ValueError(f"a is on {a.device} but b is on {b.device}; move them to one device")
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("tropical matmul needs operands with at least one dimension, got a scalar")
    check_nonempty(a, "a")
    check_nonempty(b, "b")
    squeeze_rows = a.dim() == 1
    squeeze_cols = b.dim() == 1
    if squeeze_rows:
        a = a.unsqueeze(0)
    if squeeze_cols:
        b = b.unsqueeze(-1)
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(
            f"shape mismatch: a is {tuple(a.shape)} and b is {tuple(b.shape)}; "
            f"a's last dimension must equal b's second-to-last"
        )
    dtype = torch.promote_types(a.dtype, b.dtype)
    batch_shape = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = a.to(dtype).expand(*batch_shape, *a.shape[-2:]).reshape(-1, *a.shape[-2:])
    b = b.to(dtype).expand(*batch_shape, *b.shape[-2:]).reshape(-1, *b.shape[-2:])
    chosen = _pick_backend(a.device, backend)
    if torch.is_grad_enabled() and (a.requires_grad or b.requires_grad):
        out = _TropicalMatmul.apply(a, b, sr, chosen)
    else:  # no graph to record: the forward-only kernel (no argmax bookkeeping) is about 2x faster
        out = _run(a, b, sr, chosen, False)[0]
    out = out.reshape(*batch_shape, *out.shape[-2:])
    if squeeze_cols:
        out = out.squeeze(-1)
    if squeeze_rows:
        out = out.squeeze(-2)
    return out


def max_plus_matmul(a, b, *, backend: str | None = None) -> torch.Tensor:
    """``max_k a[..., i, k] + b[..., k, j]``: :func:`matmul` in the max-plus semiring."""
    return matmul(a, b, "max", backend=backend)


def min_plus_matmul(a, b, *, backend: str | None = None) -> torch.Tensor:
    """``min_k a[..., i, k] + b[..., k, j]``: :func:`matmul` in the min-plus semiring."""
    return matmul(a, b, "min", backend=backend)
