"""Migrating a large real tree vs a bare LibCST parse + codegen of the same files.

The tree is a copy of the installed ``jax`` package's own source (~600 files, ~300k lines).
Reference: one process parsing and regenerating every file with LibCST, measured in the same run.
Measured: ``jax2torch migrate --no-backup`` with ``--jobs`` at its default (all cores), as a user
runs it, including process start-up. Then: every output must parse, and a second run must change
nothing (``--check`` over the migrated tree finds nothing to do).

    python benchmarks/bench_engine.py            # prints the ratio and the peak memory
"""

from __future__ import annotations

import ast
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def jax_source_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("jax")
    if spec is None or not spec.origin:
        sys.exit("jax is not installed: pip install jax")
    return Path(spec.origin).parent


def bare_libcst(files: list[Path]) -> float:
    import libcst

    start = time.perf_counter()
    for path in files:
        libcst.parse_module(path.read_bytes().decode("utf-8")).code
    return time.perf_counter() - start


def main() -> None:
    src = jax_source_dir()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "jax"
        shutil.copytree(src, tree, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
        files = sorted(tree.rglob("*.py"))
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        print(f"tree: {len(files)} files, {lines} lines (copy of {src})")
        reference = bare_libcst(files)
        print(f"bare LibCST parse+codegen, one process: {reference:.2f} s")
        cmd = [sys.executable, "-m", "jax2torch", "migrate", "--no-backup", "-q", str(tree)]
        start = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"jax2torch migrate (jobs={os.cpu_count()}): {elapsed:.2f} s, exit {run.returncode}")
        changed = sum(1 for p in files if p.read_bytes() != (src / p.relative_to(tree)).read_bytes())
        bad = []
        for path in files:
            try:
                ast.parse(path.read_bytes())
            except SyntaxError as exc:
                bad.append(f"{path}: {exc}")
        again = subprocess.run([sys.executable, "-m", "jax2torch", "migrate", "--check", "-q", str(tree)],
                               capture_output=True, text=True)
        print(f"files changed: {changed}; outputs that do not parse: {len(bad)}; "
              f"second run --check exit: {again.returncode} (0 = nothing left to change)")
        for line in bad[:5]:
            print("  ", line)
        print(f"RATIO migrate / bare parse+codegen: {elapsed / reference:.2f}x (goal <= 1.5x)")
        print(f"peak memory of one process (max RSS): {peak_mb:.0f} MB")
        if bad or again.returncode != 0:
            print(again.stdout[-2000:], again.stderr[-2000:])
            sys.exit(1)


if __name__ == "__main__":
    main()
