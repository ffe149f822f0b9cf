"""Tropical linear algebra against Floyd-Warshall, brute-force cycle means and residuation by hand."""

import itertools

import pytest
import torch

from jax2torch_runtime import tropical

INF = float("inf")


def floyd_warshall(w):
    d = w.clone().double()
    n = d.shape[0]
    d.fill_diagonal_(0.0)
    d = torch.minimum(d, w.double())
    for k in range(n):
        for i in range(n):
            for j in range(n):
                if d[i, k] + d[k, j] < d[i, j]:
                    d[i, j] = d[i, k] + d[k, j]
    return d


def random_graph(n, seed, density=0.4, low=1.0):
    g = torch.Generator().manual_seed(seed)
    w = torch.rand(n, n, generator=g, dtype=torch.float64) * 10 + low
    w[torch.rand(n, n, generator=g) > density] = INF
    return w


@pytest.mark.parametrize("n,seed", [(1, 0), (5, 1), (12, 2), (30, 3)])
def test_shortest_paths_match_floyd_warshall(n, seed):
    w = random_graph(n, seed)
    assert torch.allclose(tropical.shortest_paths(w), floyd_warshall(w))


def test_shortest_paths_with_negative_edges_but_no_negative_cycle():
    w = torch.tensor([[INF, 4.0, INF], [INF, INF, -2.0], [1.0, INF, INF]], dtype=torch.float64)
    assert torch.equal(tropical.shortest_paths(w), floyd_warshall(w))


def test_negative_cycle_detected():
    w = torch.tensor([[INF, 1.0, INF], [INF, INF, -3.0], [1.0, INF, INF]])
    with pytest.raises(tropical.NegativeCycleError, match="negative cycle"):
        tropical.shortest_paths(w)
    batch = torch.stack([w, random_graph(3, 0).float()])
    assert tropical.has_negative_cycle(batch).tolist() == [True, False]
    assert tropical.shortest_paths(w, check_negative_cycles=False).shape == (3, 3)


def test_positive_cycle_makes_max_plus_star_diverge():
    with pytest.raises(tropical.PositiveCycleError):
        tropical.kleene_star(torch.tensor([[-INF, 1.0], [0.5, -INF]]))
    star = tropical.kleene_star(torch.tensor([[-INF, 1.0], [-2.0, -INF]]))
    assert torch.equal(star, torch.tensor([[0.0, 1.0], [-2.0, 0.0]]))


@pytest.mark.parametrize("semiring", ["max", "min"])
def test_matrix_power_against_repeated_product(semiring):
    a = torch.randn(2, 6, 6, dtype=torch.float64)
    expected = tropical.eye(6, semiring, dtype=a.dtype).expand(2, 6, 6)
    for k in range(6):
        assert torch.allclose(tropical.matrix_power(a, k, semiring), expected)
        expected = tropical.matmul(expected, a, semiring)
    with pytest.raises(ValueError):
        tropical.matrix_power(a, -1)


def brute_cycle_mean(a, best):
    n = a.shape[0]
    result = None
    for length in range(1, n + 1):
        for cycle in itertools.permutations(range(n), length):
            if cycle[0] != min(cycle):
                continue
            w = sum(a[cycle[i], cycle[(i + 1) % length]].item() for i in range(length))
            if abs(w) == INF:
                continue
            mean = w / length
            result = mean if result is None else best(result, mean)
    return result


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("semiring", ["max", "min"])
def test_eigenvalue_is_best_cycle_mean(seed, semiring):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(5, 5, generator=g, dtype=torch.float64)
    a[torch.rand(5, 5, generator=g) < 0.4] = -INF if semiring == "max" else INF
    expected = brute_cycle_mean(a, max if semiring == "max" else min)
    got = tropical.eigenvalue(a, semiring).item()
    if expected is None:
        assert got == (-INF if semiring == "max" else INF)
    else:
        assert got == pytest.approx(expected, abs=1e-9)


def test_eigenvalue_batched_and_acyclic():
    a = torch.tensor([[[-INF, 1.0], [-INF, -INF]], [[2.0, -INF], [-INF, 3.0]]])
    assert tropical.eigenvalue(a).tolist() == [-INF, 3.0]


def test_solve_exact_and_inexact():
    a = torch.tensor([[0.0, 1.0], [2.0, 0.0], [-INF, 3.0]], dtype=torch.float64)
    x_true = torch.tensor([1.5, -0.5], dtype=torch.float64)
    b = tropical.matmul(a, x_true)
    sol = tropical.solve(a, b)
    assert bool(sol.exact)
    assert torch.allclose(tropical.matmul(a, sol.x), b)
    assert (sol.x >= x_true - 1e-12).all()  # the principal solution is the greatest one
    bad = tropical.solve(a, torch.tensor([0.0, 10.0, 0.0], dtype=torch.float64))
    assert not bool(bad.exact)
    back = tropical.matmul(a, bad.x)
    assert (back <= torch.tensor([0.0, 10.0, 0.0]) + 1e-12).all()  # a subsolution
    assert bad.residual > 0


def test_solve_min_plus_and_many_right_hand_sides():
    a = torch.randn(4, 3, dtype=torch.float64)
    x = torch.randn(3, 2, dtype=torch.float64)
    b = tropical.matmul(a, x, "min")
    sol = tropical.solve(a, b, "min")
    assert bool(sol.exact) and torch.allclose(tropical.matmul(a, sol.x, "min"), b)


def test_linalg_errors():
    with pytest.raises(ValueError, match="square"):
        tropical.kleene_star(torch.ones(2, 3))
    with pytest.raises(ValueError, match="rows"):
        tropical.solve(torch.ones(2, 3), torch.ones(4))
