"""Wrong inputs fail with a TypeError or ValueError that names the problem."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from jax2torch_runtime import pattern

X = torch.arange(10.0)


@pytest.mark.parametrize(
    "call,exc,message",
    [
        (lambda: pattern.find(np.arange(5.0), [1.0]), TypeError, "torch.Tensor"),
        (lambda: pattern.find(torch.zeros(3, dtype=torch.complex64), [1.0]), TypeError, "complex"),
        (lambda: pattern.find(torch.tensor(1.0), [1.0]), ValueError, "0-d"),
        (lambda: pattern.find(torch.zeros(0), [1.0]), ValueError, "empty"),
        (lambda: pattern.find(torch.zeros(3, 0), [1.0]), ValueError, "empty"),
        (lambda: pattern.find(X, []), ValueError, "empty"),
        (lambda: pattern.find(X, torch.zeros(2, 2)), ValueError, "1-D"),
        (lambda: pattern.find(X, torch.zeros(1, 1, 1)), ValueError, "1-D"),
        (lambda: pattern.find(X, torch.arange(11.0)), ValueError, "longer than the data"),
        (lambda: pattern.find(X.view(2, 5), [1.0] * 3, dim=0), ValueError, "longer than the data"),
        (lambda: pattern.find(X, torch.tensor([1.0], dtype=torch.float64)), TypeError, "dtype"),
        (lambda: pattern.find(X, "ab"), TypeError, "sequence"),
        (lambda: pattern.find(X, [1.0], dim=1), ValueError, "out of range"),
        (lambda: pattern.find(X, [1.0], dim=0.5), TypeError, "dim"),
        (lambda: pattern.find_approx(X, [1.0], -0.1), ValueError, "tol"),
        (lambda: pattern.find_approx(X, [1.0], float("nan")), ValueError, "tol"),
        (lambda: pattern.find_approx(X, [1.0], "0.1"), TypeError, "tol"),
        (lambda: pattern.find_approx(X, [1.0], 0.1, metric="l1"), ValueError, "metric"),
        (lambda: pattern.distance_profile(X, [1.0], metric="cos"), ValueError, "metric"),
        (lambda: pattern.find_batched(torch.zeros(2, 2, 2), [1.0]), ValueError, "1-D or 2-D"),
        (lambda: pattern.find_batched([], [1.0]), TypeError, "non-empty"),
        (lambda: pattern.find_batched([X, X.double()], [1.0]), TypeError, "dtype"),
        (lambda: pattern.find_batched([X, X.view(2, 5)], [1.0]), ValueError, "1-D"),
        (lambda: pattern.find_batched([X[:2], X[:3]], [[1.0] * 4]), ValueError, "longer than the data"),
        (lambda: pattern.find_batched(X, [torch.zeros(2, 2)]), ValueError, "1-D"),
        (lambda: pattern.recurring_patterns(X, 0), ValueError, "k must be >= 1"),
        (lambda: pattern.recurring_patterns(X, 2.0), TypeError, "k must be an int"),
        (lambda: pattern.recurring_patterns(X, 11), ValueError, "longer than the data"),
        (lambda: pattern.recurring_patterns(X, 2, tol=0), ValueError, "tol must be > 0"),
        (lambda: pattern.recurring_patterns(X, 2, top=0), ValueError, "top"),
        (lambda: pattern.recurring_patterns(X, 2, min_count=0), ValueError, "min_count"),
        (lambda: pattern.entropy(X, 1, base=1), ValueError, "base"),
        (lambda: pattern.entropy(torch.zeros(0)), ValueError, "empty"),
        (lambda: pattern.hierarchical_patterns(X, 11), ValueError, "longer than the data"),
        (lambda: pattern.hierarchical_patterns(X, 2, branching=1), ValueError, "branching"),
        (lambda: pattern.hierarchical_patterns(X, 2, levels=0), ValueError, "levels"),
    ],
)
def test_errors(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_sequences_take_the_data_dtype_and_mismatched_tensors_work_for_approx():
    assert pattern.find(torch.arange(5, dtype=torch.int16), [2, 3]).tolist() == [2]
    result = pattern.find_approx(X, torch.tensor([2.0, 3.0], dtype=torch.float64), 0.0)
    assert result.positions.tolist() == [2] and result.distances.dtype == torch.float64
