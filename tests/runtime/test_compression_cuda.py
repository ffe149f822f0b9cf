"""CPU/CUDA agreement for the compression encoders (skipped without CUDA)."""

from __future__ import annotations

import pytest
import torch

from jax2torch_runtime import compression as C

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("make", [
    lambda w: C.quantize_weights(w, 8),
    lambda w: C.quantize_weights(w, 4, per_channel=True, symmetric=False),
    lambda w: C.blockwise_compress(w, 64, 4),
    lambda w: C.adaptive_quantize(w, 0.02),
    lambda w: C.padic_encode(w, 2, 12),
    lambda w: C.tropical_compress(w, 2),
], ids=["q8", "q4pc", "block", "adaptive", "padic", "tropical"])
def test_lossy_encoders_agree(dtype, make):
    """Same result up to float tolerance; a code may differ by one step where ``w / scale`` is an exact
    rounding tie (a first GPU run showed 0.3% such elements for half inputs, whose values sit on a coarse grid)."""
    w = torch.randn(64, 256).to(dtype)
    cpu, gpu = make(w), make(w.cuda())
    assert gpu.nbytes == cpu.nbytes
    a, b = cpu.decompress().double(), gpu.decompress().cpu().double()
    scales = [t.double().max() for k, t in cpu.data.items() if k.startswith("scale")]
    step = float(max(scales)) if scales else 0.0
    tol = step * 1.01 + 2e-2 * float(w.abs().max())
    assert float((a - b).abs().max()) <= tol
    assert float(((a - b).abs() > 1e-2 * float(w.abs().max())).double().mean()) <= 0.01


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64])
def test_lossless_encoders_are_bitwise_on_cuda(dtype):
    w = torch.randn(64, 256).to(dtype)
    w[torch.rand_like(w.float()) < 0.8] = 0
    g = w.cuda()
    for make in (lambda t: C.sparse_encode(t), lambda t: C.sparse_encode(t, format="bitmap"),
                 lambda t: C.ieee754_split(t, 0), lambda t: C.delta_encode(t, narrow=True)):
        cpu, gpu = make(w), make(g)
        assert all(torch.equal(cpu.data[k], gpu.data[k].cpu()) for k in cpu.data)
        assert torch.equal(gpu.decompress().cpu(), w)


def test_masks_and_selector_on_cuda():
    w = torch.randn(32, 64)
    assert torch.equal(C.n_m_mask(w.cuda()).cpu(), C.n_m_mask(w))
    assert torch.equal(C.channel_mask(w.cuda(), 0.5).cpu(), C.channel_mask(w, 0.5))
    sel = C.StrategySelector(max_error=0.02).select(w.cuda())
    assert sel.met and sel.compressed.decompress().is_cuda
