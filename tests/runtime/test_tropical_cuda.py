"""CUDA checks of the tropical ops: the Triton kernel against the CPU result. Skipped without a GPU."""

import pytest
import torch

from jax2torch_runtime import tropical

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

INF = float("inf")


def _ref(a, b, semiring):
    s = a.double()[..., :, :, None] + b.double()[..., None, :, :]
    s = torch.nan_to_num(s, nan=-INF if semiring == "max" else INF, posinf=INF, neginf=-INF)
    return s.amax(-2) if semiring == "max" else s.amin(-2)


@pytest.mark.parametrize("semiring", ["max", "min"])
@pytest.mark.parametrize("shape", [(1, 1, 1), (7, 13, 5), (130, 70, 257), (3, 64, 33, 65)])
def test_triton_matches_reference(semiring, shape):
    *batch, m, k, n = shape
    a = torch.randn(*batch, m, k)
    b = torch.randn(*batch, k, n)
    a[a > 1.2] = -INF if semiring == "max" else INF
    b[b < -1.8] = INF if semiring == "max" else -INF  # the "top": zero must absorb it
    got = tropical.matmul(a.cuda(), b.cuda(), semiring, backend="triton").cpu()
    assert torch.allclose(got.double(), _ref(a, b, semiring), rtol=1e-6, atol=1e-6)
    assert not got.isnan().any()


@pytest.mark.parametrize("dtype,tol", [(torch.float16, 2e-3), (torch.bfloat16, 1e-2), (torch.float64, 1e-12)])
def test_triton_dtypes(dtype, tol):
    a = torch.randn(65, 40, dtype=dtype)
    b = torch.randn(40, 31, dtype=dtype)
    got = tropical.matmul(a.cuda(), b.cuda(), backend="triton")
    assert got.dtype == dtype
    assert torch.allclose(got.cpu().double(), _ref(a, b, "max"), rtol=tol, atol=tol)


@pytest.mark.parametrize("semiring", ["max", "min"])
def test_triton_gradient_matches_broadcast(semiring):
    a = torch.randn(2, 33, 47, dtype=torch.float64, device="cuda", requires_grad=True)
    b = torch.randn(2, 47, 29, dtype=torch.float64, device="cuda", requires_grad=True)
    g = torch.randn(2, 33, 29, dtype=torch.float64, device="cuda")
    tropical.matmul(a, b, semiring, backend="triton").backward(g)
    a2 = a.detach().clone().requires_grad_(True)
    b2 = b.detach().clone().requires_grad_(True)
    s = a2[..., :, :, None] + b2[..., None, :, :]
    (s.max(-2).values if semiring == "max" else s.min(-2).values).backward(g)
    assert torch.allclose(a.grad, a2.grad) and torch.allclose(b.grad, b2.grad)


def test_ops_on_cuda_match_cpu():
    w = torch.rand(40, 40) * 10
    w[torch.rand(40, 40) < 0.6] = INF
    gpu = tropical.PyTorchTropicalOps(device="cuda")
    cpu = tropical.PyTorchTropicalOps()
    assert torch.allclose(gpu.shortest_paths(w).cpu(), cpu.shortest_paths(w))
    a = torch.randn(12, 12)
    assert torch.allclose(gpu.eigenvalue(a).cpu(), cpu.eigenvalue(a), atol=1e-5)
    x = torch.randn(2, 3, 16, 16)
    k = torch.randn(4, 3, 3, 3)
    assert torch.allclose(gpu.tropical_conv2d(x, k, padding=1).cpu(), cpu.tropical_conv2d(x, k, padding=1), atol=1e-5)
