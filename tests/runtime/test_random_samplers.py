"""Samplers against jax.random: exact bits where declared bit-exact, allclose or two-sample
tests for the rest."""

import numpy as np
import pytest
import torch
from scipy import stats

import jax
import jax.numpy as jnp
import jax2torch_runtime.random as R
from _random_util import as_np, assert_same_bits

FLOATS = [(torch.float32, jnp.float32), (torch.float16, jnp.float16), (torch.bfloat16, jnp.bfloat16)]
SHAPES = [(), (0,), (1,), (7,), (3, 5), (2, 0, 4), (64, 33)]
SEEDS = [3, 2**32 - 1]


@pytest.fixture(autouse=True)
def eager_only(monkeypatch):
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "0")


def both(seed):
    return R.PRNGKey(seed), jax.random.PRNGKey(seed)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dt,jdt", FLOATS)
@pytest.mark.parametrize("name", ["uniform", "normal", "exponential", "laplace", "logistic", "gumbel"])
def test_elementwise_samplers_exact(name, dt, jdt, shape):
    for seed in SEEDS:
        k, jk = both(seed)
        ours, theirs = getattr(R, name)(k, shape, dt), getattr(jax.random, name)(jk, shape, jdt)
        if dt == torch.float16 and name in ("logistic", "gumbel"):
            # XLA's float16 log chain is not reproduced: documented as close, not bit-exact
            np.testing.assert_allclose(as_np(ours), as_np(theirs), rtol=2e-2, atol=2e-2)
        else:
            assert_same_bits(ours, theirs)


@pytest.mark.parametrize("dt,jdt", FLOATS)
@pytest.mark.parametrize("lo,hi", [(-3.7, 5.1), (0.0, 1e-3), (2.0, 2.5), (-1e4, 1e4)])
def test_uniform_range_exact(dt, jdt, lo, hi):
    k, jk = both(17)
    assert_same_bits(R.uniform(k, (500,), dt, lo, hi), jax.random.uniform(jk, (500,), jdt, lo, hi))


def test_uniform_tensor_bounds_broadcast():
    k, jk = both(4)
    lo = np.linspace(-2, 0, 6, dtype=np.float32)
    assert_same_bits(R.uniform(k, (3, 6), minval=torch.from_numpy(lo), maxval=3.0),
                     jax.random.uniform(jk, (3, 6), minval=lo, maxval=3.0))


def test_normal_million_draws_bit_exact():
    k, jk = both(2024)
    ours = R.normal(k, (1_000_000,))
    theirs = np.asarray(jax.random.normal(jk, (1_000_000,)))
    assert (as_np(ours) == theirs).mean() == 1.0


def test_gumbel_high_mode():
    k, jk = both(8)
    assert_same_bits(R.gumbel(k, (1000,), mode="high"), jax.random.gumbel(jk, (1000,), mode="high"))


@pytest.mark.parametrize("p", [0.5, 0.1, 1e-3, 0.999])
@pytest.mark.parametrize("mode", ["low", "high"])
def test_bernoulli(p, mode):
    for seed in SEEDS:
        k, jk = both(seed)
        assert_same_bits(R.bernoulli(k, p, (257,), mode), jax.random.bernoulli(jk, p, (257,), mode))
    k, jk = both(1)
    pt = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    assert_same_bits(R.bernoulli(k, torch.from_numpy(pt)), jax.random.bernoulli(jk, pt))


@pytest.mark.parametrize("lo,hi,dtype", [
    (0, 10, "int32"), (-5, 5, "int32"), (0, 1, "int32"), (3, 3, "int32"), (7, 2, "int32"),
    (-2**31, 2**31 - 1, "int32"), (0, 256, "uint8"), (-100, 100, "int8"), (0, 70000, "uint16"),
    (0, 1000, "int16"), (0, 2**31 - 1, "uint32"), (10, 2**31 - 1, "int32"),
])
def test_randint(lo, hi, dtype):
    for seed in SEEDS:
        k, jk = both(seed)
        assert_same_bits(R.randint(k, (300,), lo, hi, dtype), jax.random.randint(jk, (300,), lo, hi, dtype))


def test_randint_array_bounds_and_scalar_shape():
    k, jk = both(6)
    lo, hi = np.array([0, 5, -3], np.int32), np.array([[10], [100]], np.int32)
    assert_same_bits(R.randint(k, (2, 3), torch.from_numpy(lo), torch.from_numpy(hi)),
                     jax.random.randint(jk, (2, 3), lo, hi))
    assert_same_bits(R.randint(k, (), 0, 9), jax.random.randint(jk, (), 0, 9))


@pytest.mark.parametrize("x", [1, 5, 100, 1000])
def test_permutation_of_int(x):
    for seed in SEEDS:
        k, jk = both(seed)
        assert_same_bits(R.permutation(k, x), jax.random.permutation(jk, x))


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("independent", [False, True])
def test_permutation_of_array(axis, independent):
    x = np.arange(4 * 6 * 3, dtype=np.float32).reshape(4, 6, 3)
    k, jk = both(12)
    assert_same_bits(R.permutation(k, torch.from_numpy(x), axis, independent),
                     jax.random.permutation(jk, x, axis, independent))


@pytest.mark.parametrize("replace", [True, False])
@pytest.mark.parametrize("use_p", [False, True])
def test_choice(replace, use_p):
    p = np.array([0.1, 0.2, 0.05, 0.3, 0.15, 0.2], np.float32) if use_p else None
    pt = torch.from_numpy(p) if use_p else None
    for seed in SEEDS:
        k, jk = both(seed)
        assert_same_bits(R.choice(k, 6, (4,), replace, pt), jax.random.choice(jk, 6, (4,), replace, p))
        arr = np.arange(18, dtype=np.float32).reshape(3, 6)
        assert_same_bits(R.choice(k, torch.from_numpy(arr), (2,), replace, pt, axis=1),
                         jax.random.choice(jk, arr, (2,), replace, p, axis=1))
    assert R.choice(k, 6, (0,)).shape == (0,)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_categorical(axis):
    logits = np.log(np.random.default_rng(0).dirichlet(np.ones(5), size=(3, 4))).astype(np.float32)
    logits = np.moveaxis(logits, -1, axis)
    for seed in SEEDS:
        k, jk = both(seed)
        assert_same_bits(R.categorical(k, torch.from_numpy(logits), axis),
                         jax.random.categorical(jk, logits, axis))
    batch = np.delete(logits.shape, axis)
    k, jk = both(5)
    assert_same_bits(R.categorical(k, torch.from_numpy(logits), axis, shape=(6, *batch)),
                     jax.random.categorical(jk, logits, axis, shape=(6, *batch)))


def test_categorical_without_replacement():
    logits = np.linspace(-1, 1, 10, dtype=np.float32)
    k, jk = both(9)
    assert_same_bits(R.categorical(k, torch.from_numpy(logits), shape=(4,), replace=False),
                     jax.random.categorical(jk, logits, shape=(4,), replace=False))


def test_rademacher():
    for dt, jdt in [("int32", "int32"), (torch.float32, jnp.float32)]:
        k, jk = both(21)
        assert_same_bits(R.rademacher(k, (100,), dt), jax.random.rademacher(jk, (100,), jdt))


def test_close_but_not_bit_exact_samplers():
    k, jk = both(31)
    np.testing.assert_allclose(as_np(R.truncated_normal(k, -1.5, 2.0, (2000,))),
                               jax.random.truncated_normal(jk, -1.5, 2.0, (2000,)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(as_np(R.cauchy(k, (2000,))), jax.random.cauchy(jk, (2000,)), rtol=1e-4)
    mean = np.array([1.0, -2.0, 0.5], np.float32)
    cov = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]], np.float32)
    for method in ("cholesky", "svd", "eigh"):
        ours = R.multivariate_normal(k, torch.from_numpy(mean), torch.from_numpy(cov), (50,), method=method)
        theirs = jax.random.multivariate_normal(jk, mean, cov, (50,), method=method)
        np.testing.assert_allclose(as_np(ours), theirs, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(as_np(R.orthogonal(k, 4, (3,))), jax.random.orthogonal(jk, 4, (3,)), atol=1e-5)
    np.testing.assert_allclose(as_np(R.orthogonal(k, 3, m=5)), jax.random.orthogonal(jk, 3, m=5), atol=1e-5)


def _ks_against_jax(ours, theirs, alpha=1e-3):
    res = stats.ks_2samp(as_np(ours).ravel(), np.asarray(theirs).ravel())
    assert res.pvalue > alpha, res


@pytest.mark.parametrize("a", [0.3, 1.0, 2.5, 20.0])
def test_gamma_distribution(a):
    n = 20000
    _ks_against_jax(R.gamma(R.PRNGKey(1), a, (n,)), jax.random.gamma(jax.random.PRNGKey(99), a, (n,)))


def test_gamma_family_distributions():
    n = 20000
    k, jk = R.PRNGKey(2), jax.random.PRNGKey(77)
    _ks_against_jax(R.beta(k, 0.7, 2.0, (n,)), jax.random.beta(jk, 0.7, 2.0, (n,)))
    _ks_against_jax(R.t(k, 3.0, (n,)), jax.random.t(jk, 3.0, (n,)))
    alpha = np.array([0.5, 1.0, 3.0], np.float32)
    d, jd = R.dirichlet(k, torch.from_numpy(alpha), (n,)), jax.random.dirichlet(jk, alpha, (n,))
    for i in range(3):
        _ks_against_jax(d[:, i], np.asarray(jd)[:, i])
    np.testing.assert_allclose(as_np(d.sum(-1)), 1.0, rtol=1e-5)
    b, jb = R.ball(k, 3, 2, (n,)), jax.random.ball(jk, 3, 2, (n,))
    _ks_against_jax(b.norm(dim=-1), np.linalg.norm(np.asarray(jb), axis=-1))


@pytest.mark.parametrize("lam", [0.5, 4.0, 9.5, 30.0, 500.0])
def test_poisson_distribution(lam):
    n = 20000
    ours = as_np(R.poisson(R.PRNGKey(3), lam, (n,)))
    theirs = np.asarray(jax.random.poisson(jax.random.PRNGKey(55), lam, (n,)))
    assert ours.dtype == np.int32
    assert abs(ours.mean() - theirs.mean()) < 5 * np.sqrt(lam / n) * 1.5
    assert abs(ours.var() / theirs.var() - 1) < 0.06
    _ks_against_jax(ours + np.random.default_rng(0).uniform(size=n), theirs + np.random.default_rng(1).uniform(size=n))


def test_distribution_samplers_are_functions_of_the_key():
    k = R.PRNGKey(10)
    assert torch.equal(R.gamma(k, 2.0, (100,)), R.gamma(k, 2.0, (100,)))
    assert not torch.equal(R.gamma(k, 2.0, (100,)), R.gamma(R.PRNGKey(11), 2.0, (100,)))


def _fma_cases(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """float32 triples where ``a*b + c`` is hard to round: the double-rounding traps of a plain
    float64 evaluation (exact value just off a float32 midpoint that float64 rounds onto), heavy
    cancellation, and addends far from the product's scale."""
    g = torch.Generator().manual_seed(seed)
    k = torch.randint(0, 1 << 20, (64,), generator=g).double() * 2 + 1
    for_mid = [(1 + 2.0**-23, 64 * (1 - 2.0**-23), 2.0**30 + 128 * k),   # just below an odd-up tie
               (1 + 2.0**-23, -64 * (1 - 2.0**-23), -(2.0**30 + 128 * k)),
               (1 + 2.0**-23, 64 * (1 + 2.0**-23), 2.0**30 + 128 * (k - 1))]  # just above an even tie
    a = [torch.full((64,), x) for x, _, _ in for_mid]
    b = [torch.full((64,), y) for _, y, _ in for_mid]
    c = [z for _, _, z in for_mid]
    ra, rb = torch.randn(n, generator=g, dtype=torch.float64), torch.randn(n, generator=g, dtype=torch.float64)
    scale = 2.0 ** torch.randint(-40, 40, (n,), generator=g).double()
    a += [ra, ra]
    b += [rb, rb]
    c += [-(ra * rb).float().double() * (1 + 1e-6 * torch.randn(n, generator=g, dtype=torch.float64)),
          torch.randn(n, generator=g, dtype=torch.float64) * scale]
    return tuple(torch.cat(v).float() for v in (a, b, c))


def _exact_fma_f32(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> np.ndarray:
    """Correctly rounded float32 ``a*b + c`` by exact rational arithmetic (ties to even)."""
    from fractions import Fraction

    out = []
    for x, y, z in zip(a.tolist(), b.tolist(), c.tolist()):
        exact = Fraction(x) * Fraction(y) + Fraction(z)
        near = np.float32(float(exact))
        cands = [np.nextafter(near, np.float32(-np.inf)), near, np.nextafter(near, np.float32(np.inf))]
        out.append(min(cands, key=lambda v: (abs(Fraction(float(v)) - exact), int(np.float32(v).view(np.int32)) & 1)))
    return np.array(out, dtype=np.float32)


def test_fma_emulation_is_correctly_rounded():
    from jax2torch_runtime.random import _xla_math as xm

    a, b, c = _fma_cases(1500, 0)
    naive = (a.double() * b.double() + c.double()).float()
    exact = _exact_fma_f32(a, b, c)
    assert (naive.numpy().view(np.int32) != exact.view(np.int32)).sum() >= 128  # the traps are real
    np.testing.assert_array_equal(xm.fma(a, b, c).numpy().view(np.int32), exact.view(np.int32))


def _triton_or_skip():
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    from jax2torch_runtime.random import _triton

    if not _triton.AVAILABLE:
        pytest.skip("needs Triton")
    return _triton


@pytest.mark.gpu
def test_cuda_native_fma_equals_cpu_emulation():
    """The theorem the Triton kernel relies on, checked on the device: ``tl.fma`` (one hardware
    rounding) gives exactly the bits of ``_xla_math.fma`` (float64 round-to-odd) on CPU."""
    _triton_or_skip()
    import triton
    import triton.language as tl

    from jax2torch_runtime.random import _xla_math as xm

    @triton.jit
    def fma_kernel(a, b, c, out, n, BLOCK: tl.constexpr):
        offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        m = offs < n
        x = tl.fma(tl.load(a + offs, mask=m), tl.load(b + offs, mask=m), tl.load(c + offs, mask=m))
        tl.store(out + offs, x, mask=m)

    a, b, c = _fma_cases(1_000_000, 1)
    ga, gb, gc = a.cuda(), b.cuda(), c.cuda()
    out = torch.empty_like(ga)
    fma_kernel[(triton.cdiv(a.numel(), 1024),)](ga, gb, gc, out, a.numel(), BLOCK=1024)
    np.testing.assert_array_equal(out.cpu().view(torch.int32).numpy(), xm.fma(a, b, c).view(torch.int32).numpy())


@pytest.mark.gpu
@pytest.mark.parametrize("seed,n", [(0, 1), (7, 1023), (2**32 - 1, 1025), (2024, (1 << 20) + 7)])
def test_triton_normal_equals_cpu_bits(seed, n):
    _triton = _triton_or_skip()
    from jax2torch_runtime.random import _continuous

    key = R.PRNGKey(seed).view(torch.int32)
    gpu = _triton.normal_f32(key.cuda(), n)
    cpu = _continuous.normal(key, (n,), torch.float32)
    assert torch.equal(gpu.cpu().view(torch.int32), cpu.view(torch.int32))


@pytest.mark.gpu
def test_cuda_normal_uses_triton_and_keeps_bits(monkeypatch):
    _triton = _triton_or_skip()
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "1")
    calls = []
    real = _triton.normal_f32
    monkeypatch.setattr(_triton, "normal_f32", lambda key, n: calls.append(n) or real(key, n))
    key = R.PRNGKey(5)
    gpu = R.normal(key.cuda(), (3, 5000))
    assert calls == [15000] and gpu.shape == (3, 5000) and gpu.device.type == "cuda"
    assert R.normal(key.cuda(), (0, 4)).shape == (0, 4) and calls[-1] == 0
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "0")
    assert torch.equal(gpu.cpu().view(torch.int32), R.normal(key, (3, 5000)).view(torch.int32))


def test_float64_erf_inv_and_normal_nearly_bit_exact():
    """XLA's float64 erf_inv is reproduced; only the C library's ``log`` (used by log1p for
    |t| >= sqrt(2)-1) differs from torch's, so bits agree everywhere else and almost always there."""
    from jax2torch_runtime.random import _dtypes
    from jax2torch_runtime.random import _xla_math as xm

    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-1, 1, 100_000), 1 - 10 ** rng.uniform(-16, -6, 20_000), [1.0, -1.0, 0.0]])
    w = rng.uniform(0, 60, 50_000)
    with jax.enable_x64(True):
        theirs = np.asarray(jax.jit(jax.lax.erf_inv)(x))
        jn = np.asarray(jax.random.normal(jax.random.PRNGKey(9), (100_000,), jnp.float64))
    ours = xm.erf_inv64(torch.from_numpy(x)).numpy()
    ulp = np.abs(ours.view(np.int64) - theirs.view(np.int64))
    rational = np.abs(x) < 0.6  # -x*x inside log1p's rational branch: no log involved
    assert (ulp[rational] == 0).all() and ulp.max() <= 1 and (ulp == 0).mean() > 0.9999
    np.testing.assert_array_equal(xm.sqrt64(torch.from_numpy(w)).numpy(), np.sqrt(w))
    before = _dtypes.x64_enabled()
    R.enable_x64(True)
    try:
        n = R.normal(R.PRNGKey(9), (100_000,)).numpy()
    finally:
        R.enable_x64(before)
    nulp = np.abs(n.view(np.int64) - jn.view(np.int64))
    assert n.dtype == np.float64 and (nulp == 0).mean() > 0.9999 and nulp.max() <= 4


def test_triton_kernel_under_interpreter_equals_cpu_bits():
    """The Triton kernel's logic, run by Triton's CPU interpreter (true float32 FMAs): same bits as
    the eager path. Needs Triton installed, not a GPU."""
    import importlib.util
    import os
    import subprocess
    import sys

    if importlib.util.find_spec("triton") is None:
        pytest.skip("needs Triton")
    if torch.cuda.is_available():
        # the compiled kernel itself is checked on the GPU by the CUDA tests; Triton 3.6's interpreter
        # (seen on the H100 box) does not evaluate tl.fma as a fused operation, so it cannot judge bits
        pytest.skip("CUDA present: the real kernel is tested instead")
    code = (
        "import torch\n"
        "import jax2torch_runtime.random as R\n"
        "from jax2torch_runtime.random import _continuous, _triton\n"
        "for seed, n in ((0, 3000), (2**32 - 1, 2049)):\n"
        "    key = R.PRNGKey(seed).view(torch.int32)\n"
        "    ours = _triton.normal_f32(key, n).view(torch.int32)\n"
        "    assert torch.equal(ours, _continuous.normal(key, (n,), torch.float32).view(torch.int32)), seed\n"
        "print('interpreted ok')\n"
    )
    env = dict(os.environ, TRITON_INTERPRET="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "interpreted ok" in out.stdout


def _numba_or_skip():
    pytest.importorskip("numba")
    from jax2torch_runtime.random import _numba

    return _numba


def test_numba_fma_is_correctly_rounded():
    """The kernel's ``llvm.fma.f32`` intrinsic rounds once, on the inputs that break a naive
    float64 emulation, so it computes what ``_xla_math.fma`` does."""
    _numba = _numba_or_skip()
    from numba import njit

    @njit
    def fma_all(a, b, c, out):
        for i in range(a.shape[0]):
            out[i] = _numba.fma(a[i], b[i], c[i])

    a, b, c = _fma_cases(1500, 1)
    out = np.empty(a.shape[0], dtype=np.float32)
    fma_all(a.numpy(), b.numpy(), c.numpy(), out)
    np.testing.assert_array_equal(out.view(np.int32), _exact_fma_f32(a, b, c).view(np.int32))


@pytest.mark.parametrize("seed", [0, 3, 123456789, 2**32 - 1])
@pytest.mark.parametrize("blocks", [0, 1, 3])
@pytest.mark.parametrize("extra", [1, 7, -1])
def test_numba_normal_equals_eager_bits(seed, blocks, extra):
    """Sizes just past whole blocks (``extra`` -1: one short of the next), so the ragged last block
    of the ``prange`` split is covered."""
    _numba = _numba_or_skip()
    from jax2torch_runtime.random import _continuous

    n = blocks * _numba.BLOCK + extra % _numba.BLOCK
    key = R.PRNGKey(seed).view(torch.int32)
    ours = _numba.normal_f32(key, n).view(torch.int32)
    assert torch.equal(ours, _continuous.normal(key, (n,), torch.float32).view(torch.int32))


def test_numba_normal_empty_and_exact_block():
    _numba = _numba_or_skip()
    from jax2torch_runtime.random import _continuous

    key = R.PRNGKey(11).view(torch.int32)
    assert _numba.normal_f32(key, 0).shape == (0,)
    n = 2 * _numba.BLOCK
    ours = _numba.normal_f32(key, n).view(torch.int32)
    assert torch.equal(ours, _continuous.normal(key, (n,), torch.float32).view(torch.int32))


@pytest.mark.parametrize("seed,shape", [(5, (1 << 16,)), (2**31 + 9, (301, 263)), (0, (1, 1 << 17, 1))])
def test_large_cpu_normal_goes_through_numba_and_equals_jax(monkeypatch, seed, shape):
    _numba = _numba_or_skip()
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "1")
    calls = []
    real = _numba.normal_f32
    monkeypatch.setattr(_numba, "normal_f32", lambda key, n: calls.append(n) or real(key, n))
    k, jk = both(seed)
    ours = R.normal(k, shape)
    assert calls == [int(np.prod(shape))]
    assert ours.shape == shape
    assert_same_bits(ours, jax.random.normal(jk, shape))


def test_numba_path_switches(monkeypatch):
    """The numba kernel serves large CPU float32 draws only, and only while enabled."""
    _numba_or_skip()
    from jax2torch_runtime.random import _fused

    key = R.PRNGKey(1).view(torch.int32)
    big = _fused.MIN_FUSED_NUMEL
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "1")
    assert _fused._numba_applies(key, torch.float32, big)
    assert not _fused._numba_applies(key, torch.float32, big - 1)
    assert not _fused._numba_applies(key, torch.float16, big)
    assert not _fused._numba_applies(key, torch.float64, big)
    monkeypatch.setenv("JAX2TORCH_RANDOM_NUMBA", "0")
    assert not _fused._numba_applies(key, torch.float32, big)
    monkeypatch.setenv("JAX2TORCH_RANDOM_NUMBA", "1")
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "0")
    assert not _fused._numba_applies(key, torch.float32, big)
