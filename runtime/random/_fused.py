"""Fused kernels for the hot samplers.

Eagerly, ``normal`` is ~200 elementwise passes over the output (20 Threefry rounds, the log1p
and erf_inv polynomials, the float64 FMA emulation), each reading and writing memory. Under
``torch.compile`` Inductor fuses them into one C++/OpenMP loop on CPU that computes the identical
bits (tested). Large draws therefore go through a compiled kernel, cached per
(dtype, device type); the eager path remains for small draws, for calls already inside a
``torch.compile``/``torch.func`` trace, and as the fallback wherever compilation is unavailable.
Set ``JAX2TORCH_RANDOM_COMPILE=0`` to always use the eager path.

On CPU, large float32 ``normal`` draws go to the numba kernel of ``_numba`` first (true float32
FMAs instead of the float64 emulation Inductor has to compile; same bits, tested) when numba is
installed; ``JAX2TORCH_RANDOM_NUMBA=0`` sends them to the Inductor kernel instead.

On CUDA, float32 ``normal`` goes to the hand-written Triton kernel of ``_triton`` instead (any
size: it needs no compilation per shape). Inductor's CUDA kernel for this graph is not used: on an
H100 (torch 2.11) its bits differed from the eager path, while eager CUDA and the Triton kernel
equal the CPU bits (tested), so other dtypes on CUDA, and float32 with
``JAX2TORCH_RANDOM_TRITON=0``, run eagerly. ``JAX2TORCH_RANDOM_INDUCTOR_CUDA=1`` still selects the
Inductor kernel, for benchmarks only.
"""

from __future__ import annotations

import os

import torch

from . import _continuous, _numba, _triton

MIN_FUSED_NUMEL = 1 << 16
_CACHE: dict = {}
_BROKEN: set = set()


def _enabled() -> bool:
    return os.environ.get("JAX2TORCH_RANDOM_COMPILE", "1") != "0"


def _triton_applies(key: torch.Tensor, dtype: torch.dtype) -> bool:
    return (key.device.type == "cuda" and dtype == torch.float32 and _triton.AVAILABLE
            and _enabled() and os.environ.get("JAX2TORCH_RANDOM_TRITON", "1") != "0"
            and "triton" not in _BROKEN and not _tracing(key))


def _numba_applies(key: torch.Tensor, dtype: torch.dtype, n: int) -> bool:
    return (key.device.type == "cpu" and dtype == torch.float32 and n >= MIN_FUSED_NUMEL
            and _numba.available() and _enabled() and os.environ.get("JAX2TORCH_RANDOM_NUMBA", "1") != "0"
            and "numba" not in _BROKEN and not _tracing(key))


def _inductor_exact(key: torch.Tensor) -> bool:
    """Inductor's kernel is bit-exact on CPU (tested); on CUDA it is not (see module docstring)."""
    return key.device.type == "cpu" or os.environ.get("JAX2TORCH_RANDOM_INDUCTOR_CUDA", "0") == "1"


def _tracing(key: torch.Tensor) -> bool:
    if torch.compiler.is_compiling():
        return True
    return torch._C._functorch.is_functorch_wrapped_tensor(key)


def _compiled(name: str, fn, dtype: torch.dtype, device: torch.device):
    slot = (name, dtype, device.type)
    if slot not in _CACHE:
        _CACHE[slot] = torch.compile(fn, dynamic=True, fullgraph=True)
    return _CACHE[slot]


def _flat_normal(key: torch.Tensor, n: int, dtype: torch.dtype) -> torch.Tensor:
    return _continuous.normal(key, (n,), dtype)


def normal(key: torch.Tensor, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """``_continuous.normal``, through a compiled kernel for large draws."""
    n = 1
    for s in shape:
        n *= s
    if _triton_applies(key, dtype):
        try:
            return _triton.normal_f32(key, n).reshape(shape)
        except Exception:  # e.g. a GPU this Triton cannot target: the eager path below is exact
            _BROKEN.add("triton")
    if _numba_applies(key, dtype, n):
        try:
            return _numba.normal_f32(key, n).reshape(shape)
        except Exception:  # e.g. numba failing to compile here: the Inductor/eager paths are exact
            _BROKEN.add("numba")
    slot = ("normal", dtype, key.device.type)
    if dtype == torch.float64:  # Inductor's float64 log is not eager's, and the build takes minutes
        return _continuous.normal(key, shape, dtype)
    if n < MIN_FUSED_NUMEL or not _enabled() or slot in _BROKEN or _tracing(key) or not _inductor_exact(key):
        return _continuous.normal(key, shape, dtype)
    try:
        flat = _compiled("normal", _flat_normal, dtype, key.device)(key, n, dtype)
    except Exception:  # no C++ compiler / Triton: remember and stay exact on the eager path
        _BROKEN.add(slot)
        return _continuous.normal(key, shape, dtype)
    return flat.reshape(shape)


def warm_up(dtype: torch.dtype = torch.float32, device="cpu") -> None:
    """Compile the fused ``normal`` kernel now (benchmarks report this cost separately)."""
    key = torch.zeros(2, dtype=torch.int32, device=device)
    normal(key, (MIN_FUSED_NUMEL,), dtype)
