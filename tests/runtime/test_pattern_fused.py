"""The fused numba search and the torch engine give the same matches, both checked against the
naive references (ties at the tolerance, NaN/inf, dense matches, rows, ragged batches, dtypes)."""

from __future__ import annotations

import _pattern_reference as ref
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from jax2torch_runtime import _pattern_fused as fused
from jax2torch_runtime import pattern

PATHS = ["torch", pytest.param("numba", marks=pytest.mark.skipif(fused.njit is None, reason="numba not installed"))]


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    monkeypatch.setattr(fused, "use_numba", request.param == "numba")
    return request.param


def _both(fn):
    """``fn()`` through the torch engine and (when numba is there) the fused kernel."""
    old = fused.use_numba
    try:
        fused.use_numba = False
        slow = fn()
        fused.use_numba = fused.njit is not None
        return slow, fn()
    finally:
        fused.use_numba = old


def _assert_same(a, b):
    assert torch.equal(a.positions, b.positions)
    assert a.distances.dtype == b.distances.dtype
    torch.testing.assert_close(a.distances, b.distances, rtol=1e-6, atol=1e-6)


def test_fused_kernel_is_used_for_cpu_floats():
    x = torch.randn(100)
    p = x[:5].clone()[None]
    assert (fused.plan(x, p, "l2", 0.5) is not None) == (fused.njit is not None)
    assert fused.plan(x.to(torch.int32), p.to(torch.int32), None, 0.0) is None
    assert fused.plan(x, p.double(), None, 0.0) is None  # exact search needs one dtype
    assert fused.plan(x, p, "l2", 1e30) is None  # tol**2 overflows float32: the torch engine keeps it
    assert fused.plan(torch.empty(100, device="meta"), p.to("meta"), "l2", 0.5) is None


@pytest.mark.skipif(fused.njit is None, reason="numba not installed")
@pytest.mark.parametrize("tol", [0.1, 1e-3, 3.0, 1e-30, 1e19, 1.8446743e19])
@pytest.mark.parametrize("metric", ["l2", "linf"])
def test_threshold_rounds_like_the_torch_engine(tol, metric):
    """The kernel's bound equals torch's ``tensor(tol, dtype) ** 2`` bit for bit (or is refused)."""
    for dtype in (torch.float32, torch.float64):
        limit = torch.tensor(tol, dtype=dtype)
        want = limit * limit if metric == "l2" else limit
        got = fused._threshold(metric, tol, dtype)
        if got is None:  # refused only where the bound overflows (or rounds to the largest float)
            assert not torch.isfinite(want) or want == torch.finfo(dtype).max
        else:
            assert torch.tensor(got, dtype=dtype).view(torch.int32 if dtype == torch.float32 else torch.int64) == want.view(
                torch.int32 if dtype == torch.float32 else torch.int64
            )


@pytest.mark.parametrize("metric", ["l2", "linf"])
@pytest.mark.parametrize("tol", [0.0, 0.05, 0.7, 3.0])
def test_approx_matches_reference(path, metric, tol):
    g = torch.Generator().manual_seed(40)
    x = torch.randn(7000, generator=g)
    p = x[900:912] + 0.01 * torch.randn(12, generator=g)
    got = pattern.find_approx(x, p, tol, metric)
    dist = ref.distances_1d(x.numpy(), p.numpy(), metric)
    band = 1e-4 * tol + 1e-30
    must = set(np.nonzero(dist <= tol - band)[0].tolist())
    may = set(np.nonzero(dist <= tol + band)[0].tolist())
    assert must <= set(got.positions.tolist()) <= may
    np.testing.assert_allclose(got.distances.double().numpy(), dist[got.positions.numpy()], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("metric", ["l2", "linf"])
def test_ties_at_the_tolerance_are_matches(path, metric):
    """Small integers make every distance exact: windows at exactly ``tol`` match, the next ones not."""
    g = torch.Generator().manual_seed(41)
    x = torch.randint(-2, 3, (6000,), generator=g).float()
    p = torch.tensor([1.0, 0.0, -1.0, 2.0])
    for tol in (0.0, 1.0, 2.0, 3.0):
        got = pattern.find_approx(x, p, tol, metric)
        dist = ref.distances_1d(x.numpy(), p.numpy(), metric)
        assert got.positions.tolist() == np.nonzero(dist <= tol)[0].tolist()
        assert (dist == tol).sum() > 0 or tol == 0.0  # the boundary is really exercised
        np.testing.assert_allclose(got.distances.numpy(), dist[got.positions.numpy()], rtol=1e-6)


def test_nan_and_inf(path):
    x = torch.tensor([1.0, float("nan"), 2.0, float("inf"), 1.0, 2.0, float("-inf"), float("inf"), 2.0, 1.0, 2.0])
    assert pattern.find(x, [1.0, 2.0]).tolist() == [4, 9]
    assert pattern.find(x, [float("inf"), 2.0]).tolist() == [7]
    assert pattern.find(x, [float("nan")]).tolist() == []
    for metric in ("l2", "linf"):
        got = pattern.find_approx(x, [1.0, 2.0], 0.5, metric)
        assert got.positions.tolist() == [4, 9]
        assert pattern.find_approx(x, [float("inf"), 2.0], 0.5, metric).positions.tolist() == []  # inf - inf is NaN
        assert pattern.find_approx(x, [float("nan"), 2.0], 100.0, metric).positions.tolist() == []


def test_inputs_that_require_grad(path):
    """Search results are plain values on both paths (no autograd through the search)."""
    x = torch.randn(300, requires_grad=True)
    p = (x[40:45] + 0.01).detach().requires_grad_()
    got = pattern.find_approx(x, p, 0.2)
    want = ref.distances_1d(x.detach().numpy(), p.detach().numpy(), "l2")
    assert got.positions.tolist() == np.nonzero(want <= 0.2)[0].tolist() and 40 in got.positions.tolist()
    assert not got.distances.requires_grad
    batched = pattern.find_batched([x, x[:100]], torch.stack([p, p]), tol=0.2)
    first = batched.positions[(batched.positions[:, 0] == 0) & (batched.positions[:, 1] == 0), 2]
    assert torch.equal(first, got.positions) and not batched.distances.requires_grad


def test_pattern_longer_than_data(path):
    x = torch.randn(4)
    with pytest.raises(ValueError, match="longer than the data"):
        pattern.find_approx(x, torch.zeros(5), 1.0)
    got = pattern.find_batched([x, torch.randn(10)], torch.zeros(2, 6), tol=10.0)
    assert got.positions.tolist() == [[0, 1, s] for s in range(5)] + [[1, 1, s] for s in range(5)]


def test_everything_matches_across_tiles_and_rows(path):
    """Constant data: every start matches, across several tiles, rows and output buffer growths."""
    x = torch.full((3, 5000), 0.25)
    got = pattern.find_approx(x, torch.full((7,), 0.25), 0.0, "l2", dim=1)
    assert got.positions.shape == (3 * 4994, 2)
    assert torch.equal(got.positions[:, 1], torch.arange(4994).repeat(3))
    assert torch.equal(pattern.find(x, torch.full((7,), 0.25), dim=1), got.positions)


@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("metric", [None, "l2", "linf"])
def test_along_dim_matches_reference(path, dim, metric):
    g = torch.Generator().manual_seed(42)
    x = torch.randint(0, 3, (9, 40, 11), generator=g).double() * 0.5
    p = torch.tensor([0.5, 1.0, 0.0], dtype=torch.float64)

    def line_fn(line):
        if metric is None:
            return [(s, 0.0) for s in ref.find_1d(line, p.numpy())]
        d = ref.distances_1d(line, p.numpy(), metric)
        return [(int(s), d[s]) for s in np.nonzero(d <= 0.5)[0]]

    expected = ref.along_dim(x.numpy(), dim, line_fn)
    if metric is None:
        got = pattern.find(x, p, dim=dim)
        assert [tuple(r) for r in got.tolist()] == [idx for idx, _ in expected]
    else:
        got = pattern.find_approx(x, p, 0.5, metric, dim=dim)
        assert [tuple(r) for r in got.positions.tolist()] == [idx for idx, _ in expected]
        np.testing.assert_allclose(got.distances.numpy(), [d for _, d in expected], rtol=1e-12)


@pytest.mark.parametrize("tol,metric", [(None, "l2"), (0.3, "l2"), (0.2, "linf")])
def test_batched_ragged_matches_reference(path, tol, metric):
    """Sequences shorter than some patterns, patterns of two lengths, more than 8 patterns."""
    g = torch.Generator().manual_seed(43)
    seqs = [torch.randint(0, 3, (n,), generator=g).float() * 0.5 for n in (2, 700, 5, 2500, 40)]
    pats = [seqs[3][i : i + 4].clone() for i in range(0, 60, 5)] + [seqs[1][:6].clone(), torch.ones(6)]
    got = pattern.find_batched(seqs, pats, tol=tol, metric=metric)
    expected = ref.batched([s.numpy() for s in seqs], [p.numpy() for p in pats], tol, metric)
    assert [tuple(r) for r in got.positions.tolist()] == [row for row, _ in expected]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_dtypes_both_paths_agree(dtype):
    g = torch.Generator().manual_seed(44)
    x = (torch.randn(3000, generator=g) * 2).round().div(4).to(dtype)
    p = x[100:106].clone()
    slow, fast = _both(lambda: pattern.find(x, p))
    assert torch.equal(slow, fast) and 100 in fast.tolist()
    for metric in ("l2", "linf"):
        slow, fast = _both(lambda metric=metric: pattern.find_approx(x, p.float() + 0.01, 0.3, metric))
        _assert_same(slow, fast)


def test_many_patterns_beyond_the_fused_limit(monkeypatch):
    """Above ``_MAX_PATTERNS`` (``_MAX_EXACT_PATTERNS``) the torch engine runs; the answer does not change."""
    g = torch.Generator().manual_seed(45)
    x = torch.randn(4, 500, generator=g)
    exact = torch.stack([x[i % 4, i : i + 5] for i in range(24)])  # within both limits
    pats = exact + 0.01
    below = pattern.find_batched(x, pats, tol=0.2)
    below_exact = pattern.find_batched(x, exact)
    assert below_exact.positions.shape[0] >= 24
    monkeypatch.setattr(fused, "_MAX_PATTERNS", 8)
    monkeypatch.setattr(fused, "_MAX_EXACT_PATTERNS", 8)
    _assert_same(below, pattern.find_batched(x, pats, tol=0.2))
    _assert_same(below_exact, pattern.find_batched(x, exact))


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.integers(-2, 2), min_size=3, max_size=300),
    pats=st.lists(st.lists(st.integers(-2, 2), min_size=3, max_size=3), min_size=1, max_size=12),
    tol=st.sampled_from([None, 0.0, 0.5, 1.0, 2.0]),
    metric=st.sampled_from(["l2", "linf"]),
)
def test_property_paths_equal_reference(data, pats, tol, metric):
    """Small integer data: exact distances, many ties and overlaps, both paths equal the loops."""
    x = torch.tensor(data, dtype=torch.float32).view(1, -1)
    p = torch.tensor(pats, dtype=torch.float32)
    slow, fast = _both(lambda: pattern.find_batched(x, p, tol=tol, metric=metric))
    _assert_same(slow, fast)
    rows = []
    for pi, row in enumerate(p.numpy()):
        if len(row) > len(data):
            continue
        if tol is None:
            rows += [(pi, 0, s) for s in ref.find_1d(np.asarray(data, np.float32), row)]
        else:
            d = ref.distances_1d(data, row, metric)
            rows += [(pi, 0, int(s)) for s in np.nonzero(d <= tol)[0]]
    assert [tuple(r) for r in fast.positions.tolist()] == sorted(rows)
