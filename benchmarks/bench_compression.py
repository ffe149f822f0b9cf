"""Compression op speed on 1M float32 weights, as ratios to ``tensor.clone()`` measured in the same run.

Run: ``python benchmarks/bench_compression.py [--device cuda] [--repeats 40] [--only sparse]``.
Clone and op are timed alternately; every repeat gives one paired ratio (op / the clone timed next to
it), and the table shows the median ratio with its 10th-90th percentile spread, so load from other
processes on a shared machine inflates both sides of a pair alike instead of skewing the ratio;
``min/min`` (fastest op over fastest clone) is the quiet-moment estimate. ``ms``/``clone`` are medians. No op
uses torch.compile. The sparse coders and the IEEE 754 split/join use numba kernels when numba is installed (``cache=True``): the
``first call`` column is the cold call of each op in this process, which includes loading or compiling
those kernels; the ``(torch)`` rows force the pure-torch fallback (numba off in every module).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from jax2torch_runtime import compression as C
from jax2torch_runtime.compression import blockwise, ieee754, sparse

NUMBA_MODULES = (sparse, ieee754, blockwise)

EARLIER_SYSTEM_S = {"sparse encode coo (90% zeros)": 0.0052, "sparse encode bitmap (90% zeros)": 0.0052,
                    "sparse encode coo (torch)": 0.0052, "quantize (global, 8 bit)": 0.0061}


def _time(fn, inner: int, sync) -> float:
    sync()
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    sync()
    return (time.perf_counter() - start) / inner


def _torch_only(fn):
    """``fn`` with the numba fast paths switched off: the pure-torch fallback."""
    def run():
        saved = [module.use_numba for module in NUMBA_MODULES]
        for module in NUMBA_MODULES:
            module.use_numba = False
        try:
            return fn()
        finally:
            for module, value in zip(NUMBA_MODULES, saved):
                module.use_numba = value
    return run


def measure(fn, reference, repeats: int, inner: int, sync) -> dict[str, float]:
    sync()
    start = time.perf_counter()
    fn()
    sync()
    first = time.perf_counter() - start
    for _ in range(3):
        fn(), reference()
    ops, refs = [], []
    for _ in range(repeats):
        refs.append(_time(reference, inner, sync))
        ops.append(_time(fn, inner, sync))
    ratios = sorted(o / r for o, r in zip(ops, refs))
    pick = lambda q: ratios[min(len(ratios) - 1, int(q * len(ratios)))]
    return {"op": statistics.median(ops), "ref": statistics.median(refs), "ratio": statistics.median(ratios),
            "p10": pick(0.1), "p90": pick(0.9), "min_ratio": min(ops) / min(refs), "first": first}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--inner", type=int, default=5)
    parser.add_argument("--only", default="", help="run only ops whose name contains this text")
    parser.add_argument("--threads", type=int, default=0, help="torch and numba threads (default: as installed)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        if sparse.use_numba:
            import numba

            numba.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    w = torch.randn(1024, 1024, device=device)
    # torch.where, not ``w * mask``: that leaves -0.0 for negative weights, a kept (nonzero) bit pattern,
    # so the "90% zeros" tensor had ~55% of its entries kept.
    sparse_w = torch.where(torch.rand_like(w) >= 0.9, w, 0.0)
    q8, qc = C.quantize_weights(w, 8), C.quantize_weights(w, 8, per_channel=True)
    coo = C.sparse_encode(sparse_w)
    bitmap = sparse.SparseTensor({"values": coo.values, "bitmap": C.sparse_encode(sparse_w, format="bitmap").bitmap},
                                 {**coo.meta, "format": "bitmap"})
    planes, block = C.ieee754_split(w), C.blockwise_compress(w, 64, 8)
    ops = {
        "quantize (global, 8 bit)": (lambda: C.quantize_weights(w, 8), 4.0),
        "quantize (per-channel, 8 bit)": (lambda: C.quantize_weights(w, 8, per_channel=True), 4.0),
        "quantize (global, 4 bit packed)": (lambda: C.quantize_weights(w, 4), None),
        "dequantize (global)": (lambda: q8.decompress(), 1.5),
        "dequantize (per-channel)": (lambda: qc.decompress(), 1.5),
        "sparse encode coo (90% zeros)": (lambda: C.sparse_encode(sparse_w), 6.0),
        "sparse encode bitmap (90% zeros)": (lambda: C.sparse_encode(sparse_w, format="bitmap"), 6.0),
        "sparse encode coo (torch)": (_torch_only(lambda: C.sparse_encode(sparse_w)), 25.0),
        "sparse decode coo": (lambda: coo.decompress(), 3.0),
        "sparse decode bitmap": (lambda: bitmap.decompress(), 3.0),
        "sparse decode bitmap (torch)": (_torch_only(lambda: bitmap.decompress()), 3.0),
        "delta encode": (lambda: C.delta_encode(w), 1.5),
        "delta decode": (lambda: C.delta_encode(w).decompress(), None),
        "block-wise compress (64, 8 bit)": (lambda: C.blockwise_compress(w, 64, 8), 4.0),
        "block-wise compress (torch)": (_torch_only(lambda: C.blockwise_compress(w, 64, 8)), 4.0),
        "block-wise decompress": (lambda: block.decompress(), 4.0),
        "IEEE 754 split": (lambda: C.ieee754_split(w), 4.0),
        "IEEE 754 split (torch)": (_torch_only(lambda: C.ieee754_split(w)), 4.0),
        "IEEE 754 join": (lambda: C.ieee754_join(planes), 4.0),
        "IEEE 754 join (torch)": (_torch_only(lambda: C.ieee754_join(planes)), 4.0),
    }
    print(f"device={device} threads={torch.get_num_threads()} torch={torch.__version__} n={w.numel()} "
          f"numba={'yes' if sparse.use_numba else 'no'} repeats={args.repeats}x{args.inner}")
    print(f"{'op':34s} {'ms':>7s} {'clone':>6s} {'ratio':>6s} {'p10-p90':>12s} {'min/min':>7s} {'goal':>5s}      "
          f"{'first call':>10s}  earlier-system speedup (goal 10x)")
    for name, (fn, goal) in ops.items():
        if args.only not in name:
            continue
        m = measure(fn, w.clone, args.repeats, args.inner, sync)
        verdict = "" if goal is None else ("ok" if m["ratio"] <= goal else "MISS")
        earlier = EARLIER_SYSTEM_S.get(name)
        speedup = f"{earlier / m['op']:6.1f}x" if earlier else ""
        goal_s = f"{goal:.1f}x" if goal else "-"
        spread = f"{m['p10']:.2f}-{m['p90']:.2f}"
        print(f"{name:34s} {m['op'] * 1e3:7.3f} {m['ref'] * 1e3:6.3f} {m['ratio']:5.2f}x {spread:>12s} "
              f"{m['min_ratio']:6.2f}x {goal_s:>5s} "
              f"{verdict:4s} {m['first'] * 1e3:8.1f}ms  {speedup}")


if __name__ == "__main__":
    main()
