"""Compression op speed on 1M float32 weights, as ratios to ``tensor.clone()`` measured in the same run.

Run: ``python benchmarks/bench_compression.py [--device cuda] [--repeats 40]``.
Clone and op are timed alternately and the minimum over repeats is kept, so load from other processes
on a shared machine inflates both sides alike instead of skewing the ratio. No op uses torch.compile
(every op is a handful of fused-enough eager kernels; there is no compile cost to report).
"""

from __future__ import annotations

import argparse
import time

import torch

from jax2torch_runtime import compression as C

EARLIER_SYSTEM_S = {"quantize (global, 8 bit)": 0.0061, "sparse encode coo (90% zeros)": 0.0052}


def _time(fn, inner: int, sync) -> float:
    sync()
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    sync()
    return (time.perf_counter() - start) / inner


def measure(fn, reference, repeats: int, inner: int, sync) -> tuple[float, float]:
    for _ in range(3):
        fn(), reference()
    op, ref = float("inf"), float("inf")
    for _ in range(repeats):
        ref = min(ref, _time(reference, inner, sync))
        op = min(op, _time(fn, inner, sync))
    return op, ref


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--inner", type=int, default=5)
    args = parser.parse_args()
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    w = torch.randn(1024, 1024, device=device)
    sparse_w = w * (torch.rand_like(w) >= 0.9)
    q8, qc = C.quantize_weights(w, 8), C.quantize_weights(w, 8, per_channel=True)
    coo, bitmap = C.sparse_encode(sparse_w), C.sparse_encode(sparse_w, format="bitmap")
    planes, block = C.ieee754_split(w), C.blockwise_compress(w, 64, 8)
    ops = {
        "quantize (global, 8 bit)": (lambda: C.quantize_weights(w, 8), 4.0),
        "quantize (per-channel, 8 bit)": (lambda: C.quantize_weights(w, 8, per_channel=True), 4.0),
        "quantize (global, 4 bit packed)": (lambda: C.quantize_weights(w, 4), None),
        "dequantize (global)": (lambda: q8.decompress(), 1.5),
        "dequantize (per-channel)": (lambda: qc.decompress(), 1.5),
        "sparse encode coo (90% zeros)": (lambda: C.sparse_encode(sparse_w), 25.0),
        "sparse encode bitmap (90% zeros)": (lambda: C.sparse_encode(sparse_w, format="bitmap"), 25.0),
        "sparse decode coo": (lambda: coo.decompress(), 3.0),
        "sparse decode bitmap": (lambda: bitmap.decompress(), 3.0),
        "delta encode": (lambda: C.delta_encode(w), 1.5),
        "delta decode": (lambda: C.delta_encode(w).decompress(), None),
        "block-wise compress (64, 8 bit)": (lambda: C.blockwise_compress(w, 64, 8), 4.0),
        "block-wise decompress": (lambda: block.decompress(), 4.0),
        "IEEE 754 split": (lambda: C.ieee754_split(w), 4.0),
        "IEEE 754 join": (lambda: C.ieee754_join(planes), 4.0),
    }
    print(f"device={device} threads={torch.get_num_threads()} torch={torch.__version__} n={w.numel()}")
    print(f"{'op':36s} {'ms':>8s} {'clone ms':>9s} {'ratio':>7s} {'goal':>6s}  earlier-system speedup")
    for name, (fn, goal) in ops.items():
        op, ref = measure(fn, w.clone, args.repeats, args.inner, sync)
        ratio = op / ref
        verdict = "" if goal is None else ("ok" if ratio <= goal else "MISS")
        earlier = EARLIER_SYSTEM_S.get(name)
        speedup = f"{earlier / op:6.1f}x (goal 10x)" if earlier else ""
        goal_s = f"{goal:.1f}x" if goal else "-"
        print(f"{name:36s} {op * 1e3:8.3f} {ref * 1e3:9.3f} {ratio:6.2f}x {goal_s:>6s} {verdict:4s} {speedup}")


if __name__ == "__main__":
    main()
