"""Exact, approximate and batched search against the NumPy/loop references."""

from __future__ import annotations

import _pattern_reference as ref
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from jax2torch_runtime import pattern

TOL_BAND = 1e-4  # relative band around tol where float32 vs float64 rounding may decide either way


def _check_approx(result, x, p, tol, metric):
    """Positions equal the reference up to windows within float rounding of tol; distances agree."""
    dist = ref.distances_1d(x, p, metric)
    got = result.positions.tolist()
    must = set(np.nonzero(dist <= tol * (1 - TOL_BAND))[0].tolist())
    may = set(np.nonzero(dist <= tol * (1 + TOL_BAND) + 1e-30)[0].tolist())
    assert must <= set(got) <= may
    assert got == sorted(got)
    np.testing.assert_allclose(result.distances.double().numpy(), dist[got], rtol=1e-5, atol=1e-6)


def test_find_planted_in_random_data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(5000, generator=g)
    p = x[1234:1250].clone()
    x[3000:3016] = p
    assert pattern.find(x, p).tolist() == ref.find_1d(x.numpy(), p.numpy()) == [1234, 3000]


def test_find_low_cardinality_and_overlaps():
    g = torch.Generator().manual_seed(1)
    x = torch.randint(0, 3, (4000,), generator=g).float()
    for m in (1, 2, 3, 7):
        p = x[100 : 100 + m].clone()
        assert pattern.find(x, p).tolist() == ref.find_1d(x.numpy(), p.numpy())
    ones = torch.ones(50)
    assert pattern.find(ones, [1.0, 1.0, 1.0]).tolist() == list(range(48))


def test_find_ieee_equality():
    x = torch.tensor([0.0, -0.0, float("nan"), 1.0, float("inf"), -0.0])
    assert pattern.find(x, [-0.0]).tolist() == [0, 1, 5]
    assert pattern.find(x, [float("nan")]).tolist() == []
    assert pattern.find(x, [1.0, float("inf")]).tolist() == [3]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64, torch.int32, torch.uint8, torch.bool])
def test_find_dtypes(dtype):
    g = torch.Generator().manual_seed(2)
    x = torch.randint(0, 2, (3000,), generator=g).to(dtype)
    p = x[10:15].clone()
    assert pattern.find(x, p).tolist() == ref.find_1d(x.numpy() if dtype != torch.bfloat16 else x.float().numpy(), p.float().numpy() if dtype == torch.bfloat16 else p.numpy())


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_find_along_dim(dim):
    g = torch.Generator().manual_seed(3)
    x = torch.randint(0, 2, (5, 6, 7), generator=g).float()
    p = torch.tensor([1.0, 0.0, 1.0])
    expected = [idx for idx, _ in ref.along_dim(x.numpy(), dim, lambda line: [(s, 0) for s in ref.find_1d(line, p.numpy())])]
    got = pattern.find(x, p, dim=dim)
    assert got.shape[1] == 3
    assert [tuple(r) for r in got.tolist()] == expected
    np.testing.assert_array_equal(got.numpy(), np.array(expected).reshape(-1, 3))


@pytest.mark.parametrize("metric", ["l2", "linf"])
@pytest.mark.parametrize("tol", [0.0, 0.05, 0.5, 3.0])
def test_find_approx_matches_reference(metric, tol):
    g = torch.Generator().manual_seed(4)
    x = torch.randn(3000, generator=g)
    p = x[500:512] + 0.01 * torch.randn(12, generator=g)
    _check_approx(pattern.find_approx(x, p, tol, metric), x.numpy(), p.numpy(), tol, metric)


@pytest.mark.parametrize("metric", ["l2", "linf"])
def test_find_approx_low_precision_dtypes(metric):
    g = torch.Generator().manual_seed(5)
    for dtype in (torch.float16, torch.bfloat16):
        x = torch.randn(2000, generator=g).to(dtype)
        p = (x[100:108].float() + 0.01).to(dtype)
        result = pattern.find_approx(x, p, 0.3, metric)
        assert result.distances.dtype == torch.float32
        _check_approx(result, x.float().numpy(), p.float().numpy(), 0.3, metric)


@pytest.mark.parametrize("dim", [0, 1])
def test_find_approx_along_dim(dim):
    g = torch.Generator().manual_seed(6)
    x = torch.randn(40, 30, generator=g, dtype=torch.float64)
    p = torch.tensor([0.1, -0.2, 0.3, 0.0], dtype=torch.float64)
    result = pattern.find_approx(x, p, 1.5, "l2", dim=dim)

    def line_fn(line):
        d = ref.distances_1d(line, p.numpy(), "l2")
        return [(int(s), d[s]) for s in np.nonzero(d <= 1.5)[0]]

    expected = ref.along_dim(x.numpy(), dim, line_fn)
    assert [tuple(r) for r in result.positions.tolist()] == [idx for idx, _ in expected]
    np.testing.assert_allclose(result.distances.numpy(), [d for _, d in expected], rtol=1e-12)


def test_distance_profile():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(3, 200, generator=g)
    for m in (9, 70):  # column-by-column and windowed-chunk paths
        p = torch.randn(m, generator=g)
        for metric in ("l2", "linf"):
            prof = pattern.distance_profile(x, p, metric, dim=1)
            assert prof.shape == (3, 201 - m)
            for row in range(3):
                np.testing.assert_allclose(prof[row].numpy(), ref.distances_1d(x[row].numpy(), p.numpy(), metric), rtol=1e-5)
            torch.testing.assert_close(pattern.distance_profile(x.T, p, metric, dim=0), prof.T)


@pytest.mark.parametrize("count", [3, 40])
@pytest.mark.parametrize("tol,metric", [(None, "l2"), (0.0, "l2"), (0.8, "l2"), (0.4, "linf")])
@pytest.mark.parametrize("values", ["small ints", "normal"])
def test_find_batched_many_patterns_and_sequences(count, tol, metric, values):
    """Few patterns go one by one, many through the hashed prefilter and sorted lookup."""
    g = torch.Generator().manual_seed(8)
    if values == "normal":
        data = torch.randn(4, 300, generator=g, dtype=torch.float64)
        data[:, 150:] = data[:, :150]  # repeats, so exact search has several hits
    else:
        data = torch.randint(0, 3, (4, 300), generator=g).double()
    pats = torch.stack([data[i % 4, i : i + 5] for i in range(count)])
    pats[1::2] += 0.05 * torch.randn(pats[1::2].shape, generator=g, dtype=torch.float64)
    result = pattern.find_batched(data, pats, tol=tol, metric=metric)
    expected = ref.batched(list(data.numpy()), list(pats.numpy()), tol, metric)
    assert [tuple(r) for r in result.positions.tolist()] == [r for r, _ in expected]
    np.testing.assert_allclose(result.distances.numpy(), [d for _, d in expected], rtol=1e-12, atol=1e-12)


def test_find_batched_ragged_sequences_and_pattern_lengths():
    g = torch.Generator().manual_seed(9)
    seqs = [torch.randint(0, 2, (n,), generator=g).float() for n in (3, 50, 120, 8)]
    pats = [torch.tensor([1.0, 0.0, 1.0]), [0.0, 0.0, 1.0, 1.0], seqs[1][:10].clone(), torch.ones(20)]
    result = pattern.find_batched(seqs, pats)
    pat_arrays = [np.asarray(p if not isinstance(p, torch.Tensor) else p.numpy(), dtype=np.float32) for p in pats]
    expected = ref.batched([s.numpy() for s in seqs], pat_arrays, None, "l2")
    assert [tuple(r) for r in result.positions.tolist()] == [r for r, _ in expected]


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.integers(-2, 2), min_size=1, max_size=80),
    start=st.integers(0, 79),
    length=st.integers(1, 6),
    noise=st.floats(0.0, 0.04),
)
def test_planted_pattern_is_always_found(data, start, length, noise):
    x = torch.tensor(data, dtype=torch.float32) * 0.5
    start = min(start, len(data) - 1)
    length = min(length, len(data) - start)
    p = x[start : start + length].clone()
    assert start in pattern.find(x, p).tolist()
    noisy = p + noise
    assert start in pattern.find_approx(x, noisy, 0.05, "linf").positions.tolist()
    assert start in pattern.find_approx(x, noisy, 0.05 * length**0.5 + 1e-6, "l2").positions.tolist()
    assert pattern.find(x, p).tolist() == ref.find_1d(x.numpy(), p.numpy())


def test_matcher_class_delegates_and_moves_inputs():
    matcher = pattern.PyTorchPatternMatcher()
    assert matcher.device == torch.device("cpu") and "compile=False" in repr(matcher)
    x = torch.tensor([1.0, 2.0, 3.0, 1.0, 2.0])
    assert matcher.find_pattern(x, [1.0, 2.0]).tolist() == [0, 3]
    assert matcher.find_approximate(x, [1.0, 2.1], 0.2).positions.tolist() == [0, 3]
    assert matcher.find_batched([x, x[:3]], [[1.0, 2.0]]).positions.tolist() == [[0, 0, 0], [0, 0, 3], [0, 1, 0]]
    assert matcher.distance_profile(x, [1.0, 2.0]).shape == (4,)


@pytest.mark.parametrize("metric", ["l2", "linf"])
def test_find_approx_float64_one_row_matches_profile(metric):
    """float64 1-D data of a length that is no multiple of 64 (the dense prefix's scratch buffer
    is float64 there, so its flags must not be reused as float32 bits)."""
    g = torch.Generator().manual_seed(31)
    x = torch.randn(5003, generator=g, dtype=torch.float64)
    p = x[700:705] + 0.05
    found = pattern.find_approx(x, p, 1.5, metric)
    profile = pattern.distance_profile(x, p, metric)
    expected = torch.nonzero(profile <= 1.5).squeeze(1)
    assert found.positions.tolist() == expected.tolist() and expected.numel() > 10
    assert torch.allclose(found.distances, profile[expected], rtol=1e-12, atol=0)
