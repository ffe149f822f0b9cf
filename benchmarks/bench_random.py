"""Drawing 10M float32 normals: jax2torch_runtime.random vs jitted jax.random.normal and torch.randn.

Run: python benchmarks/bench_random.py [--n 10000000] [--device cpu|cuda] [--repeat 5] [--inductor]
Prints best-of-repeat times and ratios measured in this run, the first-call compile cost of the
fused kernel separately, and whether the bits equal JAX's on the same device. On CPU the default
path is the numba kernel (``_numba``) where numba is installed, on CUDA the Triton kernel
(``_triton``); ``--inductor`` also times the torch.compile kernel each of them replaced, and CUDA
output is checked bit for bit against the exact CPU eager path. The numba kernel is cached on disk
(``cache=True``): its first call compiles only in the first process on a machine, later processes
load it; ``--numba-cold`` recompiles it in this process to show the one-off cost.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch


def best(fn, repeat: int, sync) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times)


def cold_numba_seconds() -> float:
    """The numba kernel's first call in a fresh process whose cache directory is empty."""
    code = ("import time, torch\n"
            "from jax2torch_runtime.random import _numba\n"
            "key = torch.zeros(2, dtype=torch.int32)\n"
            "t0 = time.perf_counter()\n"
            "_numba.normal_f32(key, 1 << 16)\n"
            "print(time.perf_counter() - t0)\n")
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=dict(os.environ, NUMBA_CACHE_DIR=cache))
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-eager", action="store_true")
    parser.add_argument("--inductor", action="store_true", help="also time the Inductor kernel")
    parser.add_argument("--numba-cold", action="store_true", help="CPU: time a fresh numba compile too")
    parser.add_argument("--check", type=int, default=1 << 20, help="CUDA: elements compared with CPU eager")
    args = parser.parse_args()

    import jax

    import jax2torch_runtime.random as R

    dev = args.device
    jdev = jax.devices("gpu" if dev == "cuda" else "cpu")[0]
    sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
    n = args.n
    print(f"torch {torch.__version__}, jax {jax.__version__}, device={dev} ({jdev}), n={n}, threads={torch.get_num_threads()}")

    jkey = jax.device_put(jax.random.PRNGKey(0), jdev)
    jnormal = jax.jit(lambda k: jax.random.normal(k, (n,)))
    t0 = time.perf_counter()
    jref = jnormal(jkey).block_until_ready()
    print(f"jax first call (jit compile + run): {time.perf_counter() - t0:.2f} s")
    t_jax = best(lambda: jnormal(jkey).block_until_ready(), args.repeat, lambda: None)

    from jax2torch_runtime.random import _fused, _numba

    key = R.PRNGKey(0).to(dev)
    if args.numba_cold and dev == "cpu" and _numba.available():
        print(f"numba kernel first call with an empty disk cache (compile + 64k draws): {cold_numba_seconds():.2f} s")
    t0 = time.perf_counter()
    ours = R.normal(key, (n,))
    sync()
    print(f"jax2torch first call (kernel compile + run): {time.perf_counter() - t0:.2f} s")
    t_ours = best(lambda: R.normal(key, (n,)), args.repeat, sync)
    t_randn = best(lambda: torch.randn(n, device=dev), args.repeat, sync)
    match = (ours.cpu().numpy() == np.asarray(jref)).mean()

    print(f"jax.random.normal (jit)       {t_jax * 1e3:9.2f} ms")
    if dev == "cuda":
        label = "Triton"
    else:
        label = "numba" if _fused._numba_applies(key.view(torch.int32), torch.float32, n) else "Inductor"
    print(f"jax2torch R.normal ({label:6s})  {t_ours * 1e3:9.2f} ms   ratio to jax {t_ours / t_jax:5.2f}x   to torch.randn {t_ours / t_randn:5.2f}x")
    print(f"torch.randn                   {t_randn * 1e3:9.2f} ms")
    print(f"bit-identical to JAX on this device: {match * 100:.4f}% of {n}")
    if dev == "cuda":
        from jax2torch_runtime.random import _continuous

        m = min(n, args.check)
        cpu_bits = _continuous.normal(key.cpu().view(torch.int32), (m,), torch.float32).view(torch.int32)
        same = (ours[:m].cpu().view(torch.int32) == cpu_bits).double().mean().item()
        print(f"bit-identical to our CPU eager path (first {m}): {same * 100:.4f}%")
    if args.inductor:
        os.environ["JAX2TORCH_RANDOM_TRITON"] = "0"
        os.environ["JAX2TORCH_RANDOM_NUMBA"] = "0"
        os.environ["JAX2TORCH_RANDOM_INDUCTOR_CUDA"] = "1"
        t0 = time.perf_counter()
        via_inductor = R.normal(key, (n,))
        sync()
        print(f"Inductor kernel first call (compile + run): {time.perf_counter() - t0:.2f} s")
        t_ind = best(lambda: R.normal(key, (n,)), args.repeat, sync)
        print(f"jax2torch R.normal (Inductor) {t_ind * 1e3:9.2f} ms   ratio to jax {t_ind / t_jax:5.2f}x   "
              f"same bits as {label}: {torch.equal(via_inductor.view(torch.int32), ours.view(torch.int32))}")
        os.environ["JAX2TORCH_RANDOM_TRITON"] = "1"
        os.environ["JAX2TORCH_RANDOM_NUMBA"] = "1"
        os.environ["JAX2TORCH_RANDOM_INDUCTOR_CUDA"] = "0"
    if not args.skip_eager:
        os.environ["JAX2TORCH_RANDOM_COMPILE"] = "0"
        t_eager = best(lambda: R.normal(key, (n,)), 1, sync)
        print(f"jax2torch R.normal (eager)    {t_eager * 1e3:9.2f} ms   ratio to jax {t_eager / t_jax:5.2f}x")
    if dev == "cuda":
        cpu_ref = np.asarray(jax.jit(lambda k: jax.random.normal(k, (n,)), backend="cpu")(jax.random.PRNGKey(0)))
        gpu_ref = np.asarray(jref)
        diff = np.abs(cpu_ref.view(np.int32).astype(np.int64) - gpu_ref.view(np.int32))
        print(f"JAX GPU vs JAX CPU normal: {(diff == 0).mean() * 100:.4f}% identical, max {diff.max()} ulp")


if __name__ == "__main__":
    main()
