"""Compiled tier of the pure-torch tropical matmul: one Inductor kernel, used only where it pays.

Eager torch has no fused add-max, so the blocked loop of ``_matmul_torch`` writes every term
once (``add``) and reads it once (``amax``): at ~20 G elements/s per op on this 2-core box that
floors it near 19x a float32 ``torch.matmul``. Inductor can fuse both into one C++ loop, but the
plain ``(a[:, :, None] + b[None]).amax(1)`` compiles to one dependent ``max`` chain per output
vector that walks all of ``b`` for every row (~17x). Two reshapes fix both:

* k is split into steps of ``_U`` whose terms are written out as ``_U`` separate adds folded by
  ``maximum``: the reduction loop then carries ``_U`` independent add/max pairs per step.
* B is packed into tiles of ``_T`` columns and the output is laid out ``(tile, row, column)``,
  so Inductor's loop nest is tile → row of A → 16-lane vector of columns → k, and one B tile
  (``k x _T`` floats, 256 KB at k=1000) stays in L2 while every row of A passes over it.

Measured at n=1000 (2 cores, interleaved with ``torch.matmul``): ~5x, against ~40x eager.
The first call traces and compiles (seconds; see docs/tropical.md), so ``_matmul_torch`` only
routes here once the eager time it would have saved reaches that cost (:func:`pays`).
Only float32/float64 on the CPU, without NaN terms (``zero + top``): ``maximum`` propagates
NaN where the eager loop drops it, and those rare inputs stay on the eager loop.
"""

from __future__ import annotations

import os
import warnings

import torch

from ._semiring import Semiring

_U = 8
_T = 64
MIN_TERMS = 1 << 22
COMPILE_SECONDS = 5.0
EAGER_TERMS_PER_SECOND = 4e9
# Inductor realizes a fused pointwise node that reads more than a few inputs; the ``_U`` folded
# terms read ``2 * _U`` and must stay fused into the reduction, or the kernel writes m*k*n/_U.
# ``vec_isa_ok`` skips Inductor's per-process ISA probe (ten compile + dlopen subprocesses, ~2 s
# of every first call here) and trusts the CPU flags; if that build then fails, the tier is off.
_OPTIONS = {"realize_reads_threshold": 1 << 20, "realize_opcount_threshold": 1 << 20,
            "realize_acc_reads_threshold": 1 << 20, "realize_cpu_opcount_threshold": 1 << 20,
            "realize_cpu_acc_reads_threshold": 1 << 20, "cpp.vec_isa_ok": True}
_CACHE: dict = {}
_state = {"spent": 0.0, "broken": None}


class NotCompiled(RuntimeError):
    """Dynamo ran the kernel body eagerly (recompile limit, disabled stance): refuse it."""


def _fold(a3: torch.Tensor, bt: torch.Tensor, pick) -> torch.Tensor:
    if not torch.compiler.is_compiling():
        # Eagerly this body would materialize (tiles, m, k / _U, _T) terms: never run it so.
        raise NotCompiled("the tropical matmul kernel body ran without torch.compile")
    terms = a3[None, :, :, 0, None] + bt[:, None, :, 0]
    for u in range(1, _U):
        terms = pick(terms, a3[None, :, :, u, None] + bt[:, None, :, u])
    return terms


def _max_kernel(a3: torch.Tensor, bt: torch.Tensor) -> torch.Tensor:
    """``a3`` (m, k/_U, _U) and packed ``bt`` (tiles, k/_U, _U, _T) → (tiles, m, _T)."""
    return _fold(a3, bt, torch.maximum).amax(2)


def _min_kernel(a3: torch.Tensor, bt: torch.Tensor) -> torch.Tensor:
    return _fold(a3, bt, torch.minimum).amin(2)


def mode() -> str:
    """``JAX2TORCH_TROPICAL_COMPILE``: ``auto`` (default, cost model), ``1`` always, ``0`` never."""
    return os.environ.get("JAX2TORCH_TROPICAL_COMPILE", "auto")


def applies(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Shapes, dtypes and contexts the compiled kernel serves (NaN terms are checked by the caller)."""
    m, k = a.shape
    n = b.shape[1]
    return (a.device.type == "cpu" and a.dtype in (torch.float32, torch.float64)
            and m * k * n >= MIN_TERMS and m >= 2 and k > _U and n > _T
            and mode() != "0" and _state["broken"] is None
            and not torch.compiler.is_compiling()
            and not torch._C._functorch.is_functorch_wrapped_tensor(a)
            and not torch._C._functorch.is_functorch_wrapped_tensor(b))


def pays(terms: int) -> bool:
    """Compile once the eager time spent (plus this call's estimate) reaches the compile cost.

    The ski-rental rule: never more than about twice the cost of the better choice in hindsight,
    whether the process goes on to run one large product or thousands of small ones.
    """
    if _CACHE or mode() == "1":
        return True
    return _state["spent"] + terms / EAGER_TERMS_PER_SECOND >= COMPILE_SECONDS


def charge(seconds: float) -> None:
    """Record eager time spent on products the compiled kernel could have run."""
    _state["spent"] += seconds


def _compiled(is_max: bool):
    """The kernel compiled once for every shape: m, k/_U and the tile count symbolic, _U and _T not."""
    if is_max not in _CACHE:
        kernel = torch.compile(_max_kernel if is_max else _min_kernel, fullgraph=True, options=_OPTIONS)

        def run(a3: torch.Tensor, bt: torch.Tensor) -> torch.Tensor:
            for t in (a3, bt):
                torch._dynamo.maybe_mark_dynamic(t, 0)
                torch._dynamo.maybe_mark_dynamic(t, 1)
            return kernel(a3, bt)
        _CACHE[is_max] = run
    return _CACHE[is_max]


def matmul(a: torch.Tensor, b: torch.Tensor, sr: Semiring) -> torch.Tensor | None:
    """Tropical ``a @ b`` through the compiled kernel, or ``None`` when compiling fails.

    A failure (no C++ compiler, unsupported platform, recompile limit) is reported once as a
    ``RuntimeWarning`` and turns this tier off for the process; the caller then runs eagerly.
    """
    m, k = a.shape
    n = b.shape[1]
    kp = -(-k // _U) * _U
    tiles = -(-n // _T)
    if kp != k:  # padded k's pair the zero with the zero: they never win
        a = torch.nn.functional.pad(a, (0, kp - k), value=sr.zero)
    a = a.contiguous()  # one stride pattern, so one graph (a transposed A would recompile)
    bt = b.new_full((tiles, kp, _T), sr.zero)
    if tiles * _T != n:
        b = torch.nn.functional.pad(b, (0, tiles * _T - n), value=sr.zero)
    bt[:, :k].copy_(b.view(k, tiles, _T).transpose(0, 1))
    try:
        # no_grad: one graph whatever the caller's grad mode (dynamo guards on it); the
        # gradient, when wanted, comes from the eager argmax path, never from here.
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore", DeprecationWarning)  # torch's own, under -W error
            out = _compiled(sr.is_max)(a.view(m, kp // _U, _U), bt.view(tiles, kp // _U, _U, _T))
    except Exception as exc:  # noqa: BLE001 - any compile/runtime failure means: use the eager loop
        cause = exc.__cause__ or exc
        _state["broken"] = f"{type(cause).__name__}: {(str(cause).strip().splitlines() or [''])[0][:200]}"
        warnings.warn(f"tropical matmul: the torch.compile kernel is unavailable ({_state['broken']}); "
                      f"using the eager blocked loop", RuntimeWarning, stacklevel=4)
        return None
    return out.permute(1, 0, 2).reshape(m, tiles * _T)[:, :n].contiguous()
