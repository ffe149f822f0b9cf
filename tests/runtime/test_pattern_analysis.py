"""Recurring patterns, entropy and the hierarchy against dict/Counter references.

The whole module runs twice: with the numba grouping (``_pattern_groups_fast``) and with the
torch-only grouping (hash-table rounds, counting, compaction tables, ``torch.unique``)."""

from __future__ import annotations

import math

import _pattern_reference as ref
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from jax2torch_runtime import _pattern_fused, _pattern_groups_fast, _pattern_kernels, pattern

ENGINES = ["torch", pytest.param("numba", marks=pytest.mark.skipif(_pattern_fused.njit is None, reason="numba not installed"))]


@pytest.fixture(scope="module", params=ENGINES, autouse=True)
def engine(request):
    """Module-scoped (hypothesis tests share it) switch between the two grouping engines."""
    old = _pattern_fused.use_numba
    _pattern_fused.use_numba = request.param == "numba"
    yield request.param
    _pattern_fused.use_numba = old


def _as_lists(result):
    return [r.positions.tolist() for r in result]


@pytest.mark.parametrize("k", [1, 3, 8])
@pytest.mark.parametrize("tol", [None, 0.5])
def test_recurring_matches_reference(k, tol):
    g = torch.Generator().manual_seed(10)
    x = torch.randint(-3, 4, (3000,), generator=g).float() * 0.37
    result = pattern.recurring_patterns(x, k, top=12, tol=tol)
    expected = ref.recurring(x.numpy(), k, 12, tol)
    assert _as_lists(result) == expected
    for r, starts in zip(result, expected):
        assert r.count == len(starts)
        assert torch.equal(r.window, x[starts[0] : starts[0] + k])


def test_recurring_bit_semantics():
    x = torch.tensor([0.0, float("nan"), -0.0, float("nan"), 0.0, float("nan"), 1.0])
    result = pattern.recurring_patterns(x, 2, top=None)
    assert _as_lists(result) == [[0, 2, 4], [1, 3]]
    assert pattern.recurring_patterns(torch.tensor([1.0, 2.0, 3.0]), 1) == []


def test_recurring_quantized_grid():
    x = torch.tensor([0.1, 0.2, 0.14, 0.26, 0.9, 0.11, 0.19], dtype=torch.float64)
    result = pattern.recurring_patterns(x, 2, tol=0.1)
    assert _as_lists(result) == ref.recurring(x.numpy(), 2, 10, 0.1) == [[0, 5]]


def test_recurring_along_dim_and_min_count():
    g = torch.Generator().manual_seed(11)
    w = torch.randint(0, 3, (6, 40), generator=g).float()
    for dim in (0, 1):
        result = pattern.recurring_patterns(w, 2, top=None, dim=dim, min_count=3)
        expected = {}
        for idx, window in ref.along_dim(w.numpy(), dim, lambda line: [(s, tuple(line[s : s + 2])) for s in range(len(line) - 1)]):
            expected.setdefault(window, []).append(idx)
        got = {tuple(r.window.tolist()): [tuple(p) for p in r.positions.tolist()] for r in result}
        assert got == {w_: sorted(p) for w_, p in expected.items() if len(p) >= 3}
        assert all(r.count >= 3 for r in result)


def test_hash_collisions_fall_back_to_exact_grouping():
    """Every window hashing alike must still give the exact grouping."""
    calls = []

    def collide(keys, k):
        calls.append(k)
        return torch.zeros_like(keys[..., : keys.shape[-1] - k + 1])

    kernels = _pattern_kernels.EAGER._replace(window_hash=collide)
    g = torch.Generator().manual_seed(12)
    # Many distinct full-range floats: windows can be neither packed nor compacted, so they are hashed.
    x = torch.randn(40, generator=g)[torch.randint(0, 40, (3000,), generator=g)]
    result = pattern.recurring_patterns(x, 2, top=None, kernels=kernels)
    assert calls, "the hash path was not taken"
    assert _as_lists(result) == ref.recurring(x.numpy(), 2, None, None)
    assert pattern.entropy(x, 2, kernels=kernels) == pytest.approx(ref.entropy(x.numpy(), 2, None))


def test_compacted_values_group_exactly():
    """Few distinct values with wide float bits take the rank-compaction path; same groups."""
    g = torch.Generator().manual_seed(16)
    x = torch.tensor([-0.0, 0.0, 1e30, -1e-30, float("nan")])[torch.randint(0, 5, (5000,), generator=g)]
    for k in (3, 9):
        assert _as_lists(pattern.recurring_patterns(x, k, top=20)) == ref.recurring(x.numpy(), k, 20, None)
        assert pattern.entropy(x, k) == pytest.approx(ref.entropy(x.numpy(), k, None), rel=1e-12)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64, torch.int64, torch.bool])
def test_recurring_dtypes(dtype):
    g = torch.Generator().manual_seed(13)
    x = torch.randint(0, 3, (800,), generator=g).to(dtype)
    expected = ref.recurring(x.float().numpy() if dtype == torch.bfloat16 else x.numpy(), 4, 5, None)
    assert _as_lists(pattern.recurring_patterns(x, 4, top=5)) == expected


@pytest.mark.parametrize("k,tol", [(1, None), (4, None), (3, 0.25)])
def test_entropy_matches_reference(k, tol):
    g = torch.Generator().manual_seed(14)
    x = torch.randn(2000, generator=g).clamp(-1, 1).mul(2).round().div(2)
    assert pattern.entropy(x, k, tol) == pytest.approx(ref.entropy(x.numpy(), k, tol), rel=1e-12)
    assert pattern.entropy(x, k, tol, base=2) == pytest.approx(ref.entropy(x.numpy(), k, tol) / math.log(2), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(data=st.lists(st.integers(0, 4), min_size=1, max_size=60), k=st.integers(1, 5))
def test_entropy_bounds(data, k):
    x = torch.tensor(data, dtype=torch.float32)
    k = min(k, len(data))
    h = pattern.entropy(x, k)
    windows = len(data) - k + 1
    assert 0.0 <= h <= math.log(windows) + 1e-12
    assert h == pytest.approx(ref.entropy(x.numpy(), k, None), abs=1e-12)
    assert pattern.entropy(torch.full((len(data),), 3.0), k) == 0.0


@pytest.mark.parametrize("k,levels,branching", [(2, 4, 2), (3, 3, 3), (4, 5, 2)])
def test_hierarchy_matches_reference(k, levels, branching):
    g = torch.Generator().manual_seed(15)
    motif = torch.randint(0, 2, (k,), generator=g).float()
    x = torch.cat([motif if bool(b) else torch.randint(0, 2, (k,), generator=g).float() for b in torch.rand(64, generator=g) < 0.6])
    result = pattern.hierarchical_patterns(x, k, levels, branching, top=None)
    expected = ref.hierarchy(x.numpy(), k, levels, branching, None)
    assert [(lv.span, lv.symbols.tolist()) for lv in result] == expected
    for lv in result:
        counts = np.bincount(lv.symbols.numpy())
        assert lv.distinct == len(counts)
        p = counts / counts.sum()
        assert lv.entropy == pytest.approx(float(-(p * np.log(p)).sum()))
        for rec in lv.patterns:
            assert rec.count >= 2 and rec.window.numel() == lv.span
            for pos in rec.positions.tolist():
                assert torch.equal(x[pos : pos + lv.span], rec.window)


def test_hierarchy_finds_patterns_of_patterns():
    a, b = [1.0, 2.0], [3.0, 4.0]
    x = torch.tensor((a + b) * 4 + (b + a) * 2)
    levels = pattern.hierarchical_patterns(x, 2, 3)
    assert [lv.span for lv in levels] == [2, 4, 8]
    assert levels[1].patterns[0].window.tolist() == a + b and levels[1].patterns[0].count == 4
    assert levels[2].patterns[0].window.tolist() == a + b + a + b and levels[2].patterns[0].positions.tolist() == [0, 8]


def test_matcher_analysis_methods():
    matcher = pattern.PyTorchPatternMatcher(device="cpu")
    w = torch.tensor([[1.0, 2.0, 1.0, 2.0], [1.0, 2.0, 0.0, 0.0]])
    top = matcher.find_recurring_patterns(w, 2, top=1)
    assert top[0].window.tolist() == [1.0, 2.0] and top[0].positions.tolist() == [0, 2, 4]
    assert matcher.pattern_entropy(w, 1, base=2) == pytest.approx(ref.entropy(w.numpy(), 1, None) / math.log(2))
    assert matcher.hierarchical_patterns(w, 2, levels=2)[0].symbols.tolist() == [0, 0, 0, 1]


def test_compaction_falls_back_to_sorting_when_the_table_fails(monkeypatch, engine):
    from jax2torch_runtime import _pattern_windows

    if engine == "numba":
        pytest.skip("the numba grouping compacts without the table")

    monkeypatch.setattr(_pattern_windows, "_ranks_via_table", lambda keys, values: None)
    g = torch.Generator().manual_seed(17)
    x = torch.tensor([-2.5, 0.0, 1e30, 7.0])[torch.randint(0, 4, (4000,), generator=g)]
    assert _as_lists(pattern.recurring_patterns(x, 5, top=20)) == ref.recurring(x.numpy(), 5, 20, None)


def test_compaction_with_values_the_sample_missed():
    """A value absent from the strided sample must send compaction to the exact fallback."""
    x = torch.tensor([1.5, -3.0])[torch.arange(5000) % 2]
    x[1] = 1e-20  # index 1 is never sampled (stride 97 from 0)
    assert _as_lists(pattern.recurring_patterns(x, 3, top=5)) == ref.recurring(x.numpy(), 3, 5, None)


def _first_of_code(codes):
    seen = {}
    return [seen.setdefault(c, i) for i, c in enumerate(codes.tolist())]


@pytest.mark.parametrize("spread", ["random", "colliding"])
def test_claim_rounds_finds_each_codes_first_window(spread):
    """The hash-table grouping returns each window's first equal window, even when every code collides."""
    from jax2torch_runtime import _pattern_windows

    g = torch.Generator().manual_seed(23)
    codes = torch.randint(0, 3000, (20_000,), generator=g) * 1_000_003
    if spread == "colliding":
        codes = torch.randint(0, 6, (500,), generator=g) << 44  # every code lands in slot 0 of every round
    rep = _pattern_windows._claim_rounds(codes)
    if spread == "colliding":
        assert rep is None  # six codes cannot all resolve in four rounds of one shared slot
        rep = _pattern_windows._claim_rounds(codes, rounds=6)
    assert rep.tolist() == _first_of_code(codes)


def test_hierarchy_with_many_distinct_tiles_matches_reference():
    """Wide symbol ranges take the hash-table grouping path at every level above 0."""
    g = torch.Generator().manual_seed(29)
    x = (torch.randn(20_000, generator=g) * 2).round().div(2)
    result = pattern.hierarchical_patterns(x, 4, 4, top=5)
    expected = ref.hierarchy(x.numpy(), 4, 4, 2, None)
    assert [(lv.span, lv.symbols.tolist()) for lv in result] == expected
    for lv, (span, symbols) in zip(result, expected):
        counts = np.bincount(symbols)
        ranked = sorted((s for s in range(len(counts)) if counts[s] >= 2), key=lambda s: -counts[s])[:5]
        assert [r.positions.tolist() for r in lv.patterns] == [[t * span for t, v in enumerate(symbols) if v == s] for s in ranked]


@pytest.mark.skipif(_pattern_fused.njit is None, reason="numba not installed")
@pytest.mark.parametrize("spread", ["few", "many", "extremes", "colliding"])
def test_numba_grouping_numbers_codes_by_first_appearance(spread):
    g = torch.Generator().manual_seed(31)
    codes = {
        "few": lambda: torch.randint(0, 7, (5000,), generator=g),
        "many": lambda: torch.randint(-(2**62), 2**62, (20_000,), generator=g) // 3,
        "extremes": lambda: torch.tensor([-(2**63), 2**63 - 1, 0, -1, 2**63 - 1, -(2**63), 0]),
        # equal top bits after the multiply: long probe chains in one table region
        "colliding": lambda: torch.randint(0, 50, (3000,), generator=g) << 58,
    }[spread]()
    inverse, counts, first = _pattern_groups_fast.group_codes(codes)
    firsts = _first_of_code(codes)
    order = sorted(set(firsts))
    number = {f: n for n, f in enumerate(order)}
    assert first.tolist() == order
    assert inverse.tolist() == [number[f] for f in firsts]
    assert counts.tolist() == np.bincount(inverse.numpy()).tolist()
