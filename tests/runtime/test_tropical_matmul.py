"""Tropical matmul on the CPU backends against a naive loop / broadcast reference, with gradients."""

import numpy as np
import pytest
import torch

from jax2torch_runtime import tropical
from jax2torch_runtime.tropical import available_backends

INF = float("inf")
BACKENDS = available_backends("cpu")


def loop_ref(a, b, semiring):
    """Triple loop in Python floats, zero absorbing (the definition, not a vectorized copy)."""
    zero = -INF if semiring == "max" else INF
    better = (lambda x, y: x > y) if semiring == "max" else (lambda x, y: x < y)
    m, k = a.shape
    n = b.shape[1]
    out = np.full((m, n), zero)
    for i in range(m):
        for j in range(n):
            for t in range(k):
                x, y = float(a[i, t]), float(b[t, j])
                term = zero if zero in (x, y) else x + y
                if better(term, out[i, j]):
                    out[i, j] = term
    return torch.from_numpy(out)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("semiring", ["max", "min"])
@pytest.mark.parametrize("shape", [(1, 1, 1), (5, 3, 7), (13, 17, 40), (7, 1, 33), (20, 9, 50)])
def test_matches_loop_reference_with_infinities(backend, semiring, shape):
    m, k, n = shape
    g = torch.Generator().manual_seed(m * 100 + k * 10 + n)
    a = torch.randn(m, k, generator=g, dtype=torch.float64)
    b = torch.randn(k, n, generator=g, dtype=torch.float64)
    zero, top = (-INF, INF) if semiring == "max" else (INF, -INF)
    a[a > 1.0] = zero
    b[b < -1.5] = top  # zero ⊗ top must give zero, never NaN
    got = tropical.matmul(a, b, semiring, backend=backend)
    assert torch.equal(got, loop_ref(a, b, semiring))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n", [6, 64, 97, 200])
def test_float32_large_tiles_and_edges(backend, n):
    a = torch.randn(n + 3, n)
    b = torch.randn(n, n + 35)
    expected = (a[:, :, None] + b[None]).amax(1)
    assert torch.equal(tropical.matmul(a, b, backend=backend), expected)
    assert torch.equal(tropical.min_plus_matmul(a, b, backend=backend), (a[:, :, None] + b[None]).amin(1))


@pytest.mark.parametrize("backend", BACKENDS)
def test_batched_broadcast_and_vectors(backend):
    a = torch.randn(4, 1, 6, 5)
    b = torch.randn(3, 5, 2)
    got = tropical.matmul(a, b, backend=backend)
    assert got.shape == (4, 3, 6, 2)
    assert torch.equal(got, (a[..., :, :, None] + b[..., None, :, :]).amax(-2))
    v = torch.randn(5)
    assert torch.equal(tropical.matmul(v, b[0], backend=backend), (v[:, None] + b[0]).amax(0))
    assert torch.equal(tropical.matmul(b[0].T, v, backend=backend), (b[0].T + v).amax(1))


@pytest.mark.parametrize("dtype,tol", [(torch.float16, 1e-2), (torch.bfloat16, 5e-2), (torch.float64, 0)])
def test_dtypes_keep_their_type(dtype, tol):
    a = torch.randn(9, 11).to(dtype)
    b = torch.randn(11, 4).to(dtype)
    got = tropical.matmul(a, b)
    assert got.dtype == dtype
    ref = (a.double()[:, :, None] + b.double()[None]).amax(1)
    assert torch.allclose(got.double(), ref, atol=tol, rtol=tol)


def test_class_api_matches_functional():
    ops = tropical.PyTorchTropicalOps(device="cpu")
    w = torch.randn(8, 5)
    assert torch.equal(ops.tropical_matmul(w, w.T), tropical.matmul(w, w.T))
    assert torch.equal(ops.min_plus_matmul(w, w.T), tropical.min_plus_matmul(w, w.T))
    assert ops.backends[-1] == "torch"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("semiring", ["max", "min"])
def test_gradient_matches_naive_broadcast(backend, semiring):
    a = torch.randn(2, 7, 9, dtype=torch.float64, requires_grad=True)
    b = torch.randn(9, 6, dtype=torch.float64, requires_grad=True)
    g = torch.randn(2, 7, 6, dtype=torch.float64)
    tropical.matmul(a, b, semiring, backend=backend).backward(g)
    a2 = a.detach().clone().requires_grad_(True)
    b2 = b.detach().clone().requires_grad_(True)
    s = a2[..., :, :, None] + b2[None, :, :]
    (s.max(-2).values if semiring == "max" else s.min(-2).values).backward(g)
    assert torch.allclose(a.grad, a2.grad) and torch.allclose(b.grad, b2.grad)


def test_gradient_is_a_finite_difference_away_from_ties():
    a = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    b = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, y: tropical.matmul(x, y), (a, b), eps=1e-7, atol=1e-5)


def test_no_gradient_through_all_zero_outputs():
    a = torch.tensor([[-INF, -INF], [1.0, 2.0]], requires_grad=True)
    b = torch.tensor([[0.0], [1.0]], requires_grad=True)
    out = tropical.matmul(a, b)
    assert out[0, 0] == -INF
    out.sum().backward()
    assert torch.equal(a.grad, torch.tensor([[0.0, 0.0], [0.0, 1.0]]))
    assert not a.grad.isnan().any()


@pytest.mark.parametrize(
    "a,b,exc,match",
    [
        (torch.ones(2, 3), torch.ones(4, 2), ValueError, "shape mismatch"),
        (torch.ones(2, 3, dtype=torch.int64), torch.ones(3, 2), TypeError, "floating dtype"),
        (torch.ones(0, 3), torch.ones(3, 2), ValueError, "empty"),
        (torch.tensor(1.0), torch.ones(3, 2), ValueError, "scalar"),
    ],
)
def test_clear_errors(a, b, exc, match):
    with pytest.raises(exc, match=match):
        tropical.matmul(a, b)


def test_unknown_backend_and_semiring():
    with pytest.raises(ValueError, match="backend"):
        tropical.matmul(torch.ones(2, 2), torch.ones(2, 2), backend="cublas")
    with pytest.raises(ValueError, match="semiring"):
        tropical.matmul(torch.ones(2, 2), torch.ones(2, 2), "plus-times")
    with pytest.raises(RuntimeError, match="not available"):
        tropical.matmul(torch.ones(2, 2), torch.ones(2, 2), backend="triton")


def test_falls_back_to_torch_without_numba(monkeypatch):
    from jax2torch_runtime.tropical import _matmul_cpu

    monkeypatch.setattr(_matmul_cpu, "available", lambda: False)
    assert available_backends("cpu") == ["torch"]
    a, b = torch.randn(5, 4), torch.randn(4, 3)
    assert torch.equal(tropical.matmul(a, b), (a[:, :, None] + b[None]).amax(1))


def broadcast_ref(a, b, semiring):
    """Broadcast reference with the zero absorbing: NaN terms (zero + top) become the zero."""
    zero = -INF if semiring == "max" else INF
    terms = a[:, :, None] + b[None]
    terms = torch.where(torch.isnan(terms), torch.full_like(terms, zero), terms)
    return terms.amax(1) if semiring == "max" else terms.amin(1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("semiring", ["max", "min"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(37, 600, 61), (8, 700, 48), (50, 257, 5)])
def test_long_k_blocks_edges_and_infinities(backend, semiring, dtype, shape):
    """k longer than one cache block (the kernel resumes from C), ragged tiles, zeros and tops."""
    m, k, n = shape
    g = torch.Generator().manual_seed(m + k + n)
    a = torch.randn(m, k, generator=g, dtype=dtype)
    b = torch.randn(k, n, generator=g, dtype=dtype)
    zero, top = (-INF, INF) if semiring == "max" else (INF, -INF)
    a[a > 1.5] = zero
    b[b < -1.5] = top
    a[3, :] = zero  # a row with no finite term gives the zero
    b[:, 2] = zero
    got = tropical.matmul(a, b, semiring, backend=backend)
    assert torch.equal(got, broadcast_ref(a, b, semiring))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("semiring", ["max", "min"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(37, 600, 61), (16, 300, 50)])
def test_gradient_on_large_tiles_with_ties_picks_the_first_k(backend, semiring, dtype, shape):
    """Integer-valued inputs make many ties; the winner must be the first k, as in ``torch.max``."""
    m, k, n = shape
    g = torch.Generator().manual_seed(m * k + n)
    a = torch.randint(-4, 5, (m, k), generator=g).to(dtype)
    b = torch.randint(-4, 5, (k, n), generator=g).to(dtype)
    zero = -INF if semiring == "max" else INF
    a[a == 4] = zero
    a[5, :] = zero
    a.requires_grad_(True)
    b.requires_grad_(True)
    out = tropical.matmul(a, b, semiring, backend=backend)
    weights = torch.randn(m, n, generator=g, dtype=dtype)
    out.backward(weights)
    a2 = a.detach().clone().requires_grad_(True)
    b2 = b.detach().clone().requires_grad_(True)
    terms = a2[:, :, None] + b2[None]
    ref = terms.max(1) if semiring == "max" else terms.min(1)
    assert torch.equal(out.detach(), ref.values.detach())
    ref.values.backward(torch.where(torch.isfinite(ref.values), weights, torch.zeros_like(weights)))
    assert torch.allclose(a.grad, a2.grad, atol=1e-4) and torch.allclose(b.grad, b2.grad, atol=1e-4)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(300, 200, 1), (1, 200, 300), (300, 5, 300), (9, 40, 49)])
def test_thin_and_padded_shapes(backend, shape):
    """Matrix-vector, vector-matrix, short k and shapes just past a tile edge."""
    m, k, n = shape
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    assert torch.equal(tropical.matmul(a, b, backend=backend), (a[:, :, None] + b[None]).amax(1))
    assert torch.equal(tropical.min_plus_matmul(a, b, backend=backend), (a[:, :, None] + b[None]).amin(1))


@pytest.fixture
def compiled_tier(monkeypatch):
    """The compiled kernel of the pure-torch backend, forced on, with its failure state reset."""
    import os
    import shutil

    from jax2torch_runtime.tropical import _matmul_inductor

    if not any(shutil.which(c) for c in (os.environ.get("CXX", ""), "g++", "c++", "clang++") if c):
        pytest.skip("torch.compile needs a C++ compiler; the fallback without one is tested separately")
    monkeypatch.setenv("JAX2TORCH_TROPICAL_COMPILE", "1")
    monkeypatch.setattr(_matmul_inductor, "MIN_TERMS", 1)
    monkeypatch.setitem(_matmul_inductor._state, "broken", None)
    return _matmul_inductor


@pytest.mark.parametrize("semiring", ["max", "min"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(37, 600, 65), (300, 9, 517), (2, 17, 129)])
def test_compiled_tier_equals_eager_loop_and_broadcast(compiled_tier, semiring, dtype, shape):
    """Ragged k (padded to the fold width) and columns (padded to the tile), zeros everywhere."""
    from jax2torch_runtime.tropical import _matmul_torch
    from jax2torch_runtime.tropical._semiring import get_semiring

    m, k, n = shape
    g = torch.Generator().manual_seed(m + 3 * k + n)
    a = torch.randn(m, k, generator=g, dtype=dtype)
    b = torch.randn(k, n, generator=g, dtype=dtype)
    zero = -INF if semiring == "max" else INF
    a[a > 1.5] = zero
    b[b < -1.5] = zero
    a[1, :] = zero
    b[:, 2] = zero
    sr = get_semiring(semiring)
    got = compiled_tier.matmul(a, b, sr)
    assert got is not None, compiled_tier._state["broken"]
    assert got.shape == (m, n) and got.is_contiguous()
    assert torch.equal(got, _matmul_torch._blocked(a, b, sr, False, False)[0])
    assert torch.equal(got, broadcast_ref(a, b, semiring))
    assert torch.equal(tropical.matmul(a, b, semiring, backend="torch"), got)


def test_compiled_tier_takes_transposed_and_sliced_operands(compiled_tier):
    from jax2torch_runtime.tropical._semiring import MAX_PLUS

    x = torch.randn(128, 256)
    w = torch.randn(300, 256)[::2]
    assert torch.equal(compiled_tier.matmul(x.T, x, MAX_PLUS), (x.T[:, :, None] + x[None]).amax(1))
    assert torch.equal(compiled_tier.matmul(w, x.T, MAX_PLUS), (w[:, :, None] + x.T[None]).amax(1))


@pytest.mark.parametrize("semiring", ["max", "min"])
def test_compiled_tier_passes_tops_and_overflow_through(compiled_tier, semiring):
    """The infinity opposite to the zero wins (no zero in the way), and finite sums may overflow."""
    from jax2torch_runtime.tropical._semiring import get_semiring

    top = INF if semiring == "max" else -INF
    a = torch.randn(40, 50)
    b = torch.randn(50, 150)
    a[a > 1.2] = top
    b[b > 1.2] = top
    a[0, :] = 3e38 if semiring == "max" else -3e38
    b[:, 7] = 3e38 if semiring == "max" else -3e38
    got = compiled_tier.matmul(a, b, get_semiring(semiring))
    assert torch.equal(got, broadcast_ref(a, b, semiring))
    assert got[0, 7] == top


@pytest.mark.parametrize("semiring", ["max", "min"])
def test_torch_backend_keeps_nan_terms_and_gradients_on_the_eager_loop(compiled_tier, semiring, monkeypatch):
    """``zero + top`` terms (NaN under ``maximum``) and the argmax path never reach the kernel."""
    calls = []
    monkeypatch.setattr(compiled_tier, "matmul", lambda *args: calls.append(args))
    zero, top = (-INF, INF) if semiring == "max" else (INF, -INF)
    a = torch.randn(20, 40, dtype=torch.float64)
    b = torch.randn(40, 70, dtype=torch.float64)
    a[a > 1.0] = zero
    b[b < -1.0] = top
    assert torch.equal(tropical.matmul(a, b, semiring, backend="torch"), loop_ref(a, b, semiring))
    a.requires_grad_(True)
    tropical.matmul(a, b.abs(), semiring, backend="torch").sum().backward()
    assert calls == []


def test_cost_model_compiles_only_after_eager_time_reaches_the_compile_cost(compiled_tier, monkeypatch):
    monkeypatch.setenv("JAX2TORCH_TROPICAL_COMPILE", "auto")
    monkeypatch.setattr(compiled_tier, "_CACHE", {})
    monkeypatch.setitem(compiled_tier._state, "spent", 0.0)
    terms = 1000 ** 3
    seconds = terms / compiled_tier.EAGER_TERMS_PER_SECOND
    assert not compiled_tier.pays(terms)
    compiled_tier.charge(compiled_tier.COMPILE_SECONDS - 1.5 * seconds)
    assert not compiled_tier.pays(terms)
    compiled_tier.charge(seconds)
    assert compiled_tier.pays(terms)
    monkeypatch.setenv("JAX2TORCH_TROPICAL_COMPILE", "0")
    assert not compiled_tier.applies(torch.ones(100, 100), torch.ones(100, 100))


def test_eager_products_are_charged_until_the_kernel_pays(compiled_tier, monkeypatch):
    monkeypatch.setenv("JAX2TORCH_TROPICAL_COMPILE", "auto")
    monkeypatch.setattr(compiled_tier, "_CACHE", {})
    monkeypatch.setitem(compiled_tier._state, "spent", 0.0)
    monkeypatch.setattr(compiled_tier, "matmul", lambda *args: pytest.fail("compiled before it paid"))
    a, b = torch.randn(40, 50), torch.randn(50, 80)
    tropical.matmul(a, b, backend="torch")
    assert compiled_tier._state["spent"] > 0


def test_compile_failure_warns_once_and_falls_back(compiled_tier, monkeypatch):
    """No usable C++ compiler (or any Inductor failure): a warning, then the eager loop for good."""
    def broken(is_max):
        raise RuntimeError("no C++ compiler found")

    monkeypatch.setattr(compiled_tier, "_compiled", broken)
    a, b = torch.randn(30, 40), torch.randn(40, 100)
    with pytest.warns(RuntimeWarning, match="no C[+][+] compiler"):
        got = tropical.matmul(a, b, backend="torch")
    assert torch.equal(got, (a[:, :, None] + b[None]).amax(1))
    assert "no C++ compiler" in compiled_tier._state["broken"]
    assert not compiled_tier.applies(a, b)


def test_kernel_body_refuses_to_run_eagerly(compiled_tier):
    """If dynamo ever falls back to running the body eagerly it would build m*k*n/8 terms."""
    with pytest.raises(compiled_tier.NotCompiled):
        compiled_tier._max_kernel(torch.ones(4, 2, 8), torch.ones(2, 2, 8, 64))


_NO_COMPILER = """
import warnings, torch
from jax2torch_runtime import tropical
from jax2torch_runtime.tropical import _matmul_inductor
a, b = torch.randn(160, 160), torch.randn(160, 200)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    got = tropical.matmul(a, b, backend="torch")
    again = tropical.matmul(a, b, backend="torch")
assert torch.equal(got, (a[:, :, None] + b[None]).amax(1)) and torch.equal(again, got)
print(sum(issubclass(w.category, RuntimeWarning) for w in caught), _matmul_inductor._state["broken"])
"""


@pytest.mark.slow
def test_missing_cxx_compiler_falls_back_in_a_fresh_process(tmp_path):
    """A real Inductor failure: ``CXX`` points nowhere and the on-disk kernel cache is empty."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, CXX=str(tmp_path / "no-such-c++"), TORCHINDUCTOR_CACHE_DIR=str(tmp_path / "cache"),
               JAX2TORCH_TROPICAL_COMPILE="1")
    done = subprocess.run([sys.executable, "-c", _NO_COMPILER], env=env, capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    warned, reason = done.stdout.strip().split(" ", 1)
    assert warned == "1" and "compiler" in reason
