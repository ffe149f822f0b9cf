"""Strategy selection, the adaptive manager, the ops class and a whole-model pipeline."""

from __future__ import annotations

import pytest
import torch

import jax2torch_runtime
from jax2torch_runtime import compression as C


def small_model_state():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(8 * 6 * 6, 32), torch.nn.ReLU(),
                                torch.nn.Linear(32, 10))
    with torch.no_grad():
        w = model[4].weight
        w[C.magnitude_mask(w, 0.9).logical_not()] = 0
        model[6].weight.mul_(C.n_m_mask(model[6].weight, 2, 4, axis=-1))
    model.eval()
    return model


def test_selector_meets_error_budget_and_picks_smallest():
    w = torch.randn(64, 64)
    sel = C.StrategySelector(max_error=0.05).select(w, "w")
    assert sel.met and sel.error <= 0.05
    qualifying = [c for c in sel.candidates if c[3] <= 0.05]
    assert sel.nbytes == min(c[2] for c in qualifying)
    assert C.measure_error(w, sel.compressed.decompress()) == pytest.approx(sel.error)


def test_selector_target_ratio_picks_most_accurate():
    w = torch.randn(64, 64)
    sel = C.StrategySelector(max_error=None, target_ratio=6.0).select(w)
    assert sel.met and sel.ratio >= 6.0
    qualifying = [c for c in sel.candidates if 4096 * 4 / max(c[2], 1) >= 6.0]
    assert sel.error == min(c[3] for c in qualifying)


def test_selector_lossless_for_integers_and_raw_fallback():
    ints = torch.arange(0, 4000, 4, dtype=torch.int64)
    sel = C.StrategySelector(max_error=0.0).select(ints)
    assert sel.strategy == "delta" and torch.equal(sel.compressed.decompress(), ints)
    noise = torch.randn(16, 16)
    exact = C.StrategySelector(max_error=0.0, strategies=("quantization",)).select(noise)
    assert exact.strategy == "raw" and exact.met
    impossible = C.StrategySelector(max_error=0.0, target_ratio=3.0, strategies=("quantization",)).select(noise)
    assert not impossible.met and impossible.error == 0.0


def test_selector_bad_arguments():
    with pytest.raises(ValueError):
        C.StrategySelector(strategies=("zip",))
    with pytest.raises(ValueError):
        C.StrategySelector(max_error=None, target_ratio=None)
    with pytest.raises(ValueError):
        C.StrategySelector(metric="l1")


def test_pipeline_over_model_state_dict(tmp_path):
    """Hybrid compression of a real model: sizes, per-tensor errors, output error and a save/load."""
    model = small_model_state()
    state = model.state_dict()
    packed = C.StrategySelector(max_error=0.02).compress_state_dict(state)
    report = {r["name"]: r for r in packed.report}
    assert set(report) == set(state)
    restored = packed.decompress()
    for name, tensor in state.items():
        assert restored[name].dtype == tensor.dtype and restored[name].shape == tensor.shape
        assert C.measure_error(tensor, restored[name]) == pytest.approx(report[name]["error"], abs=1e-9)
        assert report[name]["error"] <= 0.02
    assert report["4.weight"]["strategy"] == "sparse" and report["4.weight"]["error"] == 0
    assert torch.equal(restored["1.num_batches_tracked"], state["1.num_batches_tracked"])
    assert len({r["strategy"] for r in packed.report}) >= 2
    assert packed.nbytes == sum(r["nbytes"] for r in packed.report)
    assert packed.ratio > 4
    x = torch.randn(4, 3, 8, 8)
    clone = small_model_state()
    clone.load_state_dict(restored)
    with torch.no_grad():
        ref, out = model(x), clone(x)
    assert float((ref - out).norm() / ref.norm()) < 0.05
    packed.save(tmp_path / "model.pt")
    again = C.CompressedStateDict.load(tmp_path / "model.pt")
    assert again.nbytes == packed.nbytes and again.report == packed.report
    assert all(torch.equal(again.decompress()[k], restored[k]) for k in state)


def test_adaptive_manager_meets_target_with_output_error():
    model = small_model_state()
    state = model.state_dict()
    x = torch.randn(8, 3, 8, 8)
    with torch.no_grad():
        ref = model(x)

    def output_error(original, restored):
        clone = small_model_state()
        clone.load_state_dict(restored)
        with torch.no_grad():
            return float((clone(x) - ref).norm() / ref.norm())

    manager = C.AdaptiveStrategyManager(0.03, rounds=4, evaluate=output_error,
                                        strategies=("quantization", "sparse", "delta", "blockwise"))
    packed = manager.compress(state)
    assert len(manager.history) == 4
    assert output_error(state, packed.decompress()) <= 0.03
    within = [h for h in manager.history if h["measured_error"] <= 0.03]
    assert packed.ratio == max(h["ratio"] for h in within)
    assert packed.ratio >= manager.history[0]["ratio"]
    assert "sparse" in manager.strategy_errors()


def test_ops_class_and_lazy_export():
    ops = jax2torch_runtime.PyTorchCompressionOps()
    assert ops.device == torch.device("cpu")
    w = torch.randn(32, 16)
    q = ops.quantize_weights(w, bits=8)
    assert (ops.dequantize_weights(q) - w).abs().max() <= q.max_error_bound * (1 + 1e-5)
    assert torch.equal(ops.sparse_decode(ops.sparse_encode(w)), w)
    assert torch.equal(ops.ieee754_join(ops.ieee754_split(w)), w)
    assert torch.equal(ops.decompress(ops.delta_encode(w)), w)
    assert ops.compress_state_dict({"w": w}).report[0]["error"] <= 1e-2
    with pytest.raises(TypeError):
        ops.quantize_weights([1.0, 2.0])
