"""Whole programs: the JAX original vs its migration, same machine, same run.

For each program, ``main()`` is timed under JAX (as written, its own ``jax.jit``) and, migrated by
the engine, under PyTorch: with ``jit = "drop"`` (eager, the default) and ``jit = "compile"``
(``torch.compile``). Warm-up calls are excluded and reported separately.

    python benchmarks/bench_programs.py [--device cuda] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ["examples/mlp/train.py", "fixtures/programs/rnn_scan.py"]


def load_jax(path: Path):
    spec = importlib.util.spec_from_file_location(f"jaxprog_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def migrated_text(path: Path, jit: str) -> str:
    from jax2torch.engine import Migrator, Options
    from jax2torch.ruletable import load_rule_table

    return Migrator(load_rule_table(), Options(jit=jit)).migrate_text(path.read_text(), str(path)).text


def load_torch(path: Path, jit: str, pre_migrated: Path | None = None):
    if pre_migrated is not None:  # for a machine without the engine's dependencies (e.g. a GPU box)
        text = (pre_migrated / f"{path.stem}.{jit}.py").read_text()
    else:
        text = migrated_text(path, jit)
    module = types.ModuleType(f"torchprog_{path.stem}_{jit}")
    sys.modules[module.__name__] = module  # torch.compile looks the module up by name
    exec(compile(text, f"<migrated {path.name}>", "exec"), module.__dict__)
    return module.main


def timed(fn, sync, repeat):
    start = time.perf_counter()
    sync(fn())
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        sync(fn())
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-migrated", type=Path, help="only write the migrated programs to this folder")
    parser.add_argument("--pre-migrated", type=Path, help="load migrated programs written by --write-migrated")
    args = parser.parse_args()
    if args.write_migrated:
        args.write_migrated.mkdir(parents=True, exist_ok=True)
        for rel in PROGRAMS:
            for jit in ("drop", "compile"):
                path = ROOT / rel
                (args.write_migrated / f"{path.stem}.{jit}.py").write_text(migrated_text(path, jit))
        return
    import jax
    import torch

    torch.set_default_device(args.device)

    def jax_sync(out):
        jax.block_until_ready(out)

    def torch_sync(out):
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    print(f"device: {args.device}; jax {jax.__version__} on {jax.default_backend()}; torch {torch.__version__}")
    print(f"{'program':<32} {'JAX':>10} {'torch eager':>12} {'ratio':>7} {'torch.compile':>14} {'ratio':>7}   first calls (JAX / eager / compile)")
    for rel in PROGRAMS:
        path = ROOT / rel
        j_first, j = timed(load_jax(path), jax_sync, args.repeat)
        e_first, e = timed(load_torch(path, "drop", args.pre_migrated), torch_sync, args.repeat)
        c_first, c = timed(load_torch(path, "compile", args.pre_migrated), torch_sync, args.repeat)
        print(f"{rel:<32} {j * 1e3:>8.1f}ms {e * 1e3:>10.1f}ms {e / j:>6.2f}x {c * 1e3:>12.1f}ms {c / j:>6.2f}x"
              f"   {j_first:.2f}s / {e_first:.2f}s / {c_first:.2f}s")


if __name__ == "__main__":
    main()
