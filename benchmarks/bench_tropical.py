"""Tropical matmul speed, as ratios against float32 ``torch.matmul`` timed in the same run.

    python benchmarks/bench_tropical.py                    # CPU: numba, torch (eager loop), inductor, 256..4096
    python benchmarks/bench_tropical.py --sizes 1000       # one size
    python benchmarks/bench_tropical.py --backends torch inductor   # the pure-torch tiers only
    python benchmarks/bench_tropical.py --threads 1        # pin torch and numba to one thread
    python benchmarks/bench_tropical.py --cold             # also time numba and Inductor compiles in fresh caches
    python benchmarks/bench_tropical.py --cuda             # GPU: Triton vs fp32 GEMM (TF32 off)
    python benchmarks/bench_tropical.py --cuda --sweep     # GPU: also try Triton tile configs

The CPU is usually shared, so every repetition times ``torch.matmul`` right before and right after
the tropical product and takes the ratio against the faster of the two; the table shows the median
ratio and its spread (min-max) over the repetitions, plus the median times. Torch and numba each
bring an OpenMP runtime whose idle threads spin after a parallel region, so alternating the two
costs each a little; ``OMP_WAIT_POLICY=PASSIVE`` removes that (see docs/tropical.md). The first call (numba
cache load or compile, Triton JIT, Inductor trace + compile) is reported separately. Correctness is
checked against a broadcast on a slice before timing.

``torch`` and ``inductor`` are the two tiers of the pure-torch backend (``backend="torch"``), timed
with ``JAX2TORCH_TROPICAL_COMPILE=0`` (the eager blocked loop) and ``=1`` (the compiled kernel,
which ``auto`` switches to once it has paid for its compile); both stop at 2048.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

from jax2torch_runtime import tropical
from jax2torch_runtime.tropical import _matmul_cpu


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _interleaved(fn, ref, repeats: int):
    """Median time of ``fn``, median reference time, and the sorted per-repetition ratios."""
    times, refs, ratios = [], [], []
    for _ in range(repeats):
        before = _timed(ref)
        t = _timed(fn)
        r = min(before, _timed(ref))
        times.append(t)
        refs.append(r)
        ratios.append(t / r)
    return statistics.median(times), statistics.median(refs), sorted(ratios)


# column name -> (backend= argument, JAX2TORCH_TROPICAL_COMPILE value)
_VARIANTS = {"numba": ("numba", "auto"), "torch": ("torch", "0"), "inductor": ("torch", "1")}


def _variant(name: str):
    """``tropical.matmul`` as the named column runs it."""
    backend, compile_mode = _VARIANTS[name]

    def run(a, b):
        os.environ["JAX2TORCH_TROPICAL_COMPILE"] = compile_mode
        return tropical.matmul(a, b, backend=backend)
    return run


def _check(a, b, out, rows: int = 64):
    ref = (a[:rows, :, None].double() + b[None].double()).amax(1)
    if not torch.allclose(out[:rows].double(), ref, rtol=1e-5, atol=1e-5):
        sys.exit("tropical matmul result is wrong; not timing it")


_COLD = """
import time, torch
from jax2torch_runtime import tropical
a = torch.randn(300, 300)
start = time.perf_counter()
tropical.matmul(a, a, backend="numba")
print(time.perf_counter() - start)
"""


_COLD_INDUCTOR = """
import time, torch
from jax2torch_runtime import tropical
a = torch.randn(300, 300)
start = time.perf_counter()
tropical.matmul(a, a, backend="torch")
print(time.perf_counter() - start)
"""


def _fresh_process_seconds(script: str, **env) -> float:
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, **env), capture_output=True,
                          text=True, check=True)
    return float(done.stdout.split()[-1])


def _cold_compile_seconds() -> float:
    """First call in a fresh process with an empty numba cache: the compile a new machine pays."""
    with tempfile.TemporaryDirectory() as cache:
        return _fresh_process_seconds(_COLD, NUMBA_CACHE_DIR=cache)


def _inductor_first_calls(cold: bool) -> str:
    """Inductor's first call in fresh processes: empty kernel cache (if ``cold``), then warm cache."""
    parts = []
    with tempfile.TemporaryDirectory() as cache:
        env = {"JAX2TORCH_TROPICAL_COMPILE": "1"} | ({"TORCHINDUCTOR_CACHE_DIR": cache} if cold else {})
        if cold:
            parts.append(f"empty cache {_fresh_process_seconds(_COLD_INDUCTOR, **env):.2f} s")
        parts.append(f"warm cache {_fresh_process_seconds(_COLD_INDUCTOR, **env):.2f} s")
    return ", ".join(parts)


def bench_cpu(sizes, backends, repeats, cold: bool):
    print(f"CPU, torch {torch.__version__}, {torch.get_num_threads()} threads, load average "
          f"{os.getloadavg()[0]:.1f}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}; "
          f"ratio = tropical / float32 torch.matmul, median [min-max]")
    if "numba" in backends and _matmul_cpu.available():
        if cold:
            print(f"numba first call, empty cache (compile): {_cold_compile_seconds():.2f} s")
        a = torch.randn(300, 300)
        print(f"numba first call in this process (cache load or compile): "
              f"{_timed(lambda: tropical.matmul(a, a, backend='numba')):.2f} s")
    if "inductor" in backends:
        print(f"inductor first call in a fresh process (trace + compile or cache load): {_inductor_first_calls(cold)}")
        a = torch.randn(300, 300)
        print(f"inductor first call in this process: {_timed(lambda: _variant('inductor')(a, a)):.2f} s")
    header = f"{'n':>6} {'matmul ms':>10} " + " ".join(f"{b + ' ms':>10} {b + ' x [spread]':>22}" for b in backends)
    print(header)
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        reps = repeats if n <= 2048 else max(3, repeats // 3)
        torch.matmul(a, b)
        refs, cells = [], []
        for backend in backends:
            if backend != "numba" and n > 2048:
                cells.append(f"{'-':>10} {'-':>22}")
                continue
            run = _variant(backend)
            _check(a, b, run(a, b))
            t, ref, ratios = _interleaved(functools.partial(run, a, b), functools.partial(torch.matmul, a, b),
                                          reps if backend != "torch" else max(3, reps // 2))
            refs.append(ref)
            spread = f"{statistics.median(ratios):.2f} [{ratios[0]:.2f}-{ratios[-1]:.2f}]"
            cells.append(f"{t * 1e3:10.1f} {spread:>22}")
        print(f"{n:6d} {statistics.median(refs) * 1e3:10.2f} " + " ".join(cells), flush=True)


def bench_cuda(sizes, sweep: bool):
    import triton
    from triton.testing import do_bench

    from jax2torch_runtime.tropical import _matmul_triton

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"CUDA {torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; "
          f"ratios vs float32 GEMM with TF32 off")
    a = torch.randn(512, 512, device="cuda")
    torch.cuda.synchronize()
    start = time.perf_counter()
    tropical.matmul(a, a)
    torch.cuda.synchronize()
    print(f"triton first call (JIT compile): {time.perf_counter() - start:.2f} s")
    for n in sizes:
        a, b = torch.randn(n, n, device="cuda"), torch.randn(n, n, device="cuda")
        t_ref = do_bench(lambda: torch.matmul(a, b), warmup=50, rep=300, return_mode="median")
        configs = [None]
        if sweep:
            configs += [(128, 64, 4, 4), (64, 64, 8, 2), (64, 64, 8, 4), (128, 128, 8, 8),
                        (256, 64, 8, 8), (128, 128, 8, 4), (64, 128, 8, 4)]
        for cfg in configs:
            try:
                run = lambda: _matmul_triton.matmul(a[None], b[None], True, False, config=cfg)[0]  # noqa: E731
                _check(a, b, run()[0])
                t = do_bench(run, warmup=50, rep=300, return_mode="median")
            except Exception as exc:  # a config that does not compile is reported, not fatal
                print(f"n={n} config {cfg}: failed ({type(exc).__name__}: {str(exc)[:100]})")
                continue
            name = "default" + str(_matmul_triton.CONFIG) if cfg is None else str(cfg)
            print(f"n={n:5d} gemm {t_ref:7.3f} ms  maxplus {name:>28} {t:8.3f} ms  ratio {t / t_ref:6.2f}", flush=True)
        if n <= 2048:
            t = do_bench(lambda: tropical.matmul(a, b, backend="torch"), warmup=5, rep=50, return_mode="median")
            print(f"n={n:5d} torch fallback {t:8.3f} ms  ratio {t / t_ref:6.2f}")
        a.requires_grad_(True)
        t = do_bench(lambda: tropical.matmul(a, b).sum().backward(), warmup=10, rep=100, return_mode="median")
        print(f"n={n:5d} forward+backward (argmax kernel + scatter) {t:8.3f} ms  ratio {t / t_ref:6.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--backends", nargs="+", default=list(_VARIANTS), choices=list(_VARIANTS))
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--threads", type=int, default=None, help="torch and numba threads (default: torch's)")
    parser.add_argument("--cold", action="store_true", help="also time numba/Inductor compiles with empty caches")
    parser.add_argument("--cuda", action="store_true")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
        if _matmul_cpu.available():
            import numba

            numba.set_num_threads(args.threads)
    if args.cuda:
        bench_cuda(args.sizes or [1024, 2048, 4096], args.sweep)
    else:
        bench_cpu(args.sizes or [256, 512, 1000, 2048, 4096], args.backends, args.repeats, args.cold)


if __name__ == "__main__":
    main()
