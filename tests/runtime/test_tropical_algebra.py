"""Semiring laws (hypothesis), elementwise ops, polynomials, convolution and value types."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from jax2torch_runtime import tropical
from jax2torch_runtime.tropical import TropicalNumber, TropicalPolynomial

INF = float("inf")
SEMIRINGS = ["max", "min"]
ZERO = {"max": -INF, "min": INF}


def elements(semiring):
    """Integers (so + is exact) plus the semiring's zero."""
    return st.one_of(st.integers(-1000, 1000).map(float), st.just(ZERO[semiring]))


def matrices(semiring, rows, cols):
    return st.lists(elements(semiring), min_size=rows * cols, max_size=rows * cols).map(
        lambda v: torch.tensor(v, dtype=torch.float64).reshape(rows, cols))


@pytest.mark.parametrize("semiring", SEMIRINGS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_scalar_semiring_laws(semiring, data):
    x, y, z = (TropicalNumber(data.draw(elements(semiring)), semiring) for _ in range(3))
    zero, one = TropicalNumber.zero(semiring), TropicalNumber.one(semiring)
    assert (x + y) + z == x + (y + z)
    assert x + y == y + x
    assert (x * y) * z == x * (y * z)
    assert x * y == y * x
    assert x * (y + z) == x * y + x * z
    assert x + zero == x and x * one == x
    assert x * zero == zero
    assert x + x == x  # idempotent


@pytest.mark.parametrize("semiring", SEMIRINGS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_tensor_semiring_laws(semiring, data):
    a, b, c = (data.draw(matrices(semiring, 3, 4)) for _ in range(3))
    add, mul = tropical.add, tropical.mul
    assert torch.equal(add(add(a, b, semiring), c, semiring), add(a, add(b, c, semiring), semiring))
    assert torch.equal(add(a, b, semiring), add(b, a, semiring))
    assert torch.equal(mul(a, b, semiring), mul(b, a, semiring))
    assert torch.equal(mul(a, add(b, c, semiring), semiring), add(mul(a, b, semiring), mul(a, c, semiring), semiring))
    assert torch.equal(add(a, tropical.zeros(3, 4, semiring=semiring, dtype=a.dtype), semiring), a)
    assert torch.equal(mul(a, tropical.ones(3, 4, dtype=a.dtype), semiring), a)
    top = torch.full_like(a, -ZERO[semiring])
    zero = tropical.zeros(3, 4, semiring=semiring, dtype=a.dtype)
    assert torch.equal(mul(zero, top, semiring), zero)  # zero absorbs the opposite infinity


@pytest.mark.parametrize("semiring", SEMIRINGS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_matmul_associative_distributive_identity(semiring, data):
    a = data.draw(matrices(semiring, 3, 4))
    b = data.draw(matrices(semiring, 4, 2))
    c = data.draw(matrices(semiring, 2, 5))
    b2 = data.draw(matrices(semiring, 4, 2))
    mm = lambda x, y: tropical.matmul(x, y, semiring)  # noqa: E731
    assert torch.equal(mm(mm(a, b), c), mm(a, mm(b, c)))
    assert torch.equal(mm(a, tropical.add(b, b2, semiring)), tropical.add(mm(a, b), mm(a, b2), semiring))
    assert torch.equal(mm(tropical.eye(3, semiring, dtype=a.dtype), a), a)


def test_elementwise_reductions_and_power():
    x = torch.tensor([[1.0, -INF, 3.0], [2.0, 5.0, -1.0]])
    assert torch.equal(tropical.sum(x, dim=1), torch.tensor([3.0, 5.0]))
    assert torch.equal(tropical.sum(x, dim=1, semiring="min"), torch.tensor([-INF, -1.0]))
    assert torch.equal(tropical.prod(x, dim=1), torch.tensor([-INF, 6.0]))
    assert tropical.sum(x) == 5.0
    assert torch.equal(tropical.power(x, 0), torch.zeros_like(x))
    assert torch.equal(tropical.power(torch.tensor([2.0, -INF]), 3), torch.tensor([6.0, -INF]))
    assert torch.equal(tropical.div(torch.tensor([3.0, -INF]), torch.tensor([1.0, 2.0])), torch.tensor([2.0, -INF]))
    with pytest.raises(ZeroDivisionError):
        tropical.div(torch.tensor([1.0]), torch.tensor([-INF]))
    assert torch.equal(tropical.sum(torch.empty(0, 3), dim=0), torch.full((3,), -INF))


def test_add_gradient_flows_to_the_winner():
    a = torch.tensor([1.0, 5.0], requires_grad=True)
    b = torch.tensor([3.0, 2.0], requires_grad=True)
    tropical.add(a, b).sum().backward()
    assert torch.equal(a.grad, torch.tensor([0.0, 1.0])) and torch.equal(b.grad, torch.tensor([1.0, 0.0]))


@pytest.mark.parametrize("semiring", SEMIRINGS)
def test_polyval_against_naive(semiring):
    g = torch.Generator().manual_seed(3)
    coeffs = torch.randn(5, 4, generator=g, dtype=torch.float64)
    coeffs[0, 2] = ZERO[semiring]
    x = torch.tensor([-3.0, -0.5, 0.0, 2.5, ZERO[semiring]], dtype=torch.float64)
    got = tropical.polyval(coeffs, x, semiring)  # 5 polynomials, each at its own point
    for p in range(5):
        expected = tropical.polynomial.polyval_naive(coeffs[p].tolist(), float(x[p]), semiring)
        assert got[p].item() == expected
    grid = tropical.polyval(coeffs[0], x[:, None].expand(5, 3), semiring)
    assert grid.shape == (5, 3)


def test_polyval_gradient_and_zero_exponent():
    c = torch.tensor([0.0, 1.0, -2.0], requires_grad=True)
    x = torch.tensor(3.0, requires_grad=True)
    y = tropical.polyval(c, x)  # max(0, 1 + 3, -2 + 6) = 4, first winner is the x^1 term
    y.backward()
    assert y.item() == 4.0 and torch.equal(c.grad, torch.tensor([0.0, 1.0, 0.0])) and x.grad == 1.0
    assert tropical.polyval(torch.tensor([2.0, 1.0]), torch.tensor(-INF)).item() == 2.0


def _conv1d_ref(x, w, stride, padding, dilation):
    n, c, length = x.shape
    o, _, k = w.shape
    xp = np.pad(x.numpy(), ((0, 0), (0, 0), (padding, padding)), constant_values=-np.inf)
    out_len = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    out = np.full((n, o, out_len), -np.inf)
    for b in range(n):
        for oc in range(o):
            for i in range(out_len):
                for ci in range(c):
                    for t in range(k):
                        out[b, oc, i] = max(out[b, oc, i], xp[b, ci, i * stride + t * dilation] + w[oc, ci, t].item())
    return torch.from_numpy(out)


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2)])
def test_conv1d_against_loops(stride, padding, dilation):
    x = torch.randn(2, 3, 11, dtype=torch.float64)
    w = torch.randn(4, 3, 3, dtype=torch.float64)
    got = tropical.conv1d(x, w, stride, padding, dilation)
    assert torch.equal(got, _conv1d_ref(x, w, stride, padding, dilation))


def test_conv1d_single_channel_is_dilation():
    x = torch.tensor([0.0, 5.0, 1.0, 2.0])
    assert torch.equal(tropical.conv1d(x, torch.tensor([0.0, 0.0])), torch.tensor([5.0, 5.0, 2.0]))


def test_conv2d_against_loops_and_min_plus():
    x = torch.randn(2, 2, 6, 7, dtype=torch.float64)
    w = torch.randn(3, 2, 2, 3, dtype=torch.float64)
    got = tropical.conv2d(x, w, stride=(1, 2), padding=1)
    xp = torch.nn.functional.pad(x, (1, 1, 1, 1), value=-INF)
    ref = torch.full_like(got, -INF)
    for i in range(got.shape[2]):
        for j in range(got.shape[3]):
            patch = xp[:, :, i:i + 2, j * 2:j * 2 + 3]  # (N, C, 2, 3)
            ref[:, :, i, j] = (patch[:, None] + w[None]).amax(dim=(2, 3, 4))
    assert torch.equal(got, ref)
    neg = tropical.conv2d(-x, -w, semiring="min")
    assert torch.equal(neg, -tropical.conv2d(x, w))


def test_conv_errors():
    with pytest.raises(ValueError, match="channels"):
        tropical.conv2d(torch.randn(1, 2, 4, 4), torch.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match="larger"):
        tropical.conv1d(torch.randn(1, 1, 2), torch.randn(1, 1, 5))


@pytest.mark.parametrize("semiring", SEMIRINGS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_tropical_polynomial_algebra(semiring, data):
    coeffs = st.lists(elements(semiring), min_size=1, max_size=4)
    p = TropicalPolynomial(data.draw(coeffs), semiring)
    q = TropicalPolynomial(data.draw(coeffs), semiring)
    x = data.draw(st.integers(-50, 50).map(float))
    assert (p * q)(x) == p(x) * q(x)
    assert (p + q)(x) == p(x) + q(x)
    assert p * q == q * p


def test_tropical_number_and_polynomial_basics():
    x = TropicalNumber(3.0)
    assert x + 5 == TropicalNumber(5.0) and x * 5 == TropicalNumber(8.0) and 2 * x == TropicalNumber(5.0)
    assert x ** 2 == TropicalNumber(6.0) and x ** 0 == TropicalNumber.one()
    assert (x * TropicalNumber.zero()).is_zero
    assert x / 1 == TropicalNumber(2.0)
    with pytest.raises(ValueError):
        TropicalNumber(INF)  # +inf is not in max-plus
    with pytest.raises(TypeError):
        x + TropicalNumber(1.0, "min")
    p = TropicalPolynomial([0.0, 1.0, -INF])
    assert p.degree == 1 and p.coeffs == (0.0, 1.0)
    assert (p * p).coeffs == (0.0, 1.0, 2.0)
    assert torch.equal(p(torch.tensor([-2.0, 4.0])), torch.tensor([0.0, 5.0]))
    assert math.isinf(TropicalPolynomial([-INF]).coeffs[0]) and TropicalPolynomial([-INF]).degree == -1
