"""``compile=True`` and CUDA give the eager CPU results (CUDA tests skip without a GPU)."""

from __future__ import annotations

import pytest
import torch

from jax2torch_runtime import _pattern_fused, pattern

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _workload(matcher, x, w):
    """Every op the matcher has, on data where no window sits at a float-rounding boundary."""
    p = x[300:316] + 0.001
    many = torch.stack([x[i : i + 6] for i in range(0, 600, 20)])
    return {
        "exact": matcher.find_pattern(x, x[40:52]),
        "exact_dim": matcher.find_pattern(w, w[3, 5:8], dim=1),
        "l2": matcher.find_approximate(x, p, 0.5, "l2"),
        "linf": matcher.find_approximate(x, p, 0.3, "linf"),
        "batched": matcher.find_batched(x.view(4, -1), many, tol=0.6),
        "profile": matcher.distance_profile(x, p),
        "recurring": matcher.find_recurring_patterns(w, 3, tol=0.5),
        "hierarchy": matcher.hierarchical_patterns(w, 2, levels=3),
        "entropy": matcher.pattern_entropy(w, 2),
    }


def _data():
    g = torch.Generator().manual_seed(20)
    x = torch.randn(4000, generator=g)
    w = torch.randint(-2, 3, (12, 50), generator=g).float()
    return x, w


def _assert_same(got, want):
    for name in want:
        a, b = got[name], want[name]
        if name == "entropy":
            assert a == pytest.approx(b, rel=1e-12), name
        elif name == "hierarchy":
            assert [(lv.span, lv.symbols.tolist()) for lv in a] == [(lv.span, lv.symbols.tolist()) for lv in b], name
        elif name == "recurring":
            assert [(r.count, r.positions.tolist(), r.window.tolist()) for r in a] == [(r.count, r.positions.tolist(), r.window.tolist()) for r in b], name
        elif isinstance(b, torch.Tensor):
            torch.testing.assert_close(a.cpu(), b, rtol=1e-5, atol=1e-5, msg=name)
        else:
            assert torch.equal(a.positions.cpu(), b.positions), name
            torch.testing.assert_close(a.distances.cpu(), b.distances, rtol=1e-5, atol=1e-6, msg=name)


@pytest.mark.slow
def test_compiled_matches_eager(monkeypatch):
    # CPU search of float data goes to the fused numba kernel when numba is installed, which
    # bypasses the torch kernels; switch it off so the compiled search kernels are the ones compared.
    monkeypatch.setattr(_pattern_fused, "use_numba", False)
    x, w = _data()
    _assert_same(_workload(pattern.PyTorchPatternMatcher(compile=True), x, w), _workload(pattern.PyTorchPatternMatcher(), x, w))


@CUDA
@pytest.mark.gpu
def test_cuda_matches_cpu(monkeypatch):
    x, w = _data()
    got = _workload(pattern.PyTorchPatternMatcher(device="cuda"), x, w)
    assert got["l2"].positions.device.type == "cuda"
    _assert_same(got, _workload(pattern.PyTorchPatternMatcher(), x, w))  # CPU: the fused kernel where numba is
    monkeypatch.setattr(_pattern_fused, "use_numba", False)
    _assert_same(got, _workload(pattern.PyTorchPatternMatcher(), x, w))  # CPU: the torch engine


@CUDA
@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_cuda_low_precision(dtype):
    x, _ = _data()
    x = x.to(dtype)
    p = x[100:110].clone()
    cpu = pattern.find_approx(x, p, 0.2, "linf")
    gpu = pattern.find_approx(x.cuda(), p.cuda(), 0.2, "linf")
    assert torch.equal(gpu.positions.cpu(), cpu.positions)
    assert torch.equal(pattern.find(x.cuda(), p.cuda()).cpu(), pattern.find(x, p))
