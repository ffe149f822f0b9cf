"""``j2t.lax.associative_scan`` against ``jax.lax.associative_scan`` on the same data.

Elementwise combines are compared bitwise: the runtime combines the same operands in the same order as JAX, so a
float32 prefix sum rounds identically (a sequential cumsum would not). Non-commutative combines
(matrix products, the affine maps of a linear recurrence) check the operand order, including for
``reverse=True``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from jax2torch_runtime import lax as j2t_lax

jax.config.update("jax_platforms", "cpu")

SHAPE_CASES = [  # (shape, axis)
    ((0,), 0), ((1,), 0), ((2,), 0), ((3,), 0), ((8,), 0), ((37,), 0), ((100,), -1),
    ((4, 0), 1), ((5, 1), -1), ((6, 7), 1), ((7, 6), 0), ((3, 13, 2), 1), ((2, 3, 33), -1), ((17, 2, 3), -3),
]


def _jax_axis(axis, ndim, reverse):
    """JAX (0.10) reverses before normalising ``axis`` and rejects a negative one with ``reverse``."""
    return axis % ndim if reverse and ndim else axis


def _np(x):
    return np.asarray(x.detach()) if isinstance(x, torch.Tensor) else np.asarray(x)


def _assert_trees(ours, theirs, exact=False, rtol=1e-5, atol=1e-6):
    ours_leaves, ours_def = jax.tree_util.tree_flatten(jax.tree_util.tree_map(_np, ours))
    their_leaves, their_def = jax.tree_util.tree_flatten(jax.tree_util.tree_map(_np, theirs))
    assert ours_def == their_def
    for a, b in zip(ours_leaves, their_leaves):
        assert a.shape == b.shape and a.dtype == b.dtype
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("shape,axis", SHAPE_CASES)
def test_sum_max_and_product_round_as_jax(shape, axis, reverse):
    rng = np.random.default_rng(hash((shape, axis, reverse)) % 2**32)
    x = rng.standard_normal(shape).astype(np.float32) * 10
    jax_axis = _jax_axis(axis, len(shape), reverse)
    ours_add = j2t_lax.associative_scan(torch.add, torch.from_numpy(x), reverse=reverse, axis=axis)
    _assert_trees(ours_add, jax.lax.associative_scan(jnp.add, jnp.asarray(x), reverse=reverse, axis=jax_axis), exact=True)
    ours_max = j2t_lax.associative_scan(torch.maximum, torch.from_numpy(x), reverse, axis)
    _assert_trees(ours_max, jax.lax.associative_scan(jnp.maximum, jnp.asarray(x), reverse, jax_axis), exact=True)
    y = rng.uniform(0.5, 1.5, shape).astype(np.float32)
    ours_mul = j2t_lax.associative_scan(torch.mul, torch.from_numpy(y), reverse=reverse, axis=axis)
    _assert_trees(ours_mul, jax.lax.associative_scan(jnp.multiply, jnp.asarray(y), reverse=reverse, axis=jax_axis),
                  exact=True)


def test_float32_prefix_sum_differs_from_a_sequential_cumsum_but_not_from_jax():
    x = np.random.default_rng(0).standard_normal(4097).astype(np.float32) * 1e3
    ours = j2t_lax.associative_scan(torch.add, torch.from_numpy(x))
    np.testing.assert_array_equal(_np(ours), np.asarray(jax.lax.associative_scan(jnp.add, jnp.asarray(x))))
    assert not np.array_equal(_np(ours), np.cumsum(x, dtype=np.float32))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("n", [1, 2, 5, 6, 11])
def test_matrix_products_keep_operand_order(n, reverse):
    m = np.random.default_rng(n).uniform(-1, 1, (n, 3, 3)).astype(np.float32)
    ours = j2t_lax.associative_scan(torch.matmul, torch.from_numpy(m), reverse=reverse)
    _assert_trees(ours, jax.lax.associative_scan(jnp.matmul, jnp.asarray(m), reverse=reverse))  # BLAS vs XLA dot


@pytest.mark.parametrize("dtype,torch_fn,jax_fn", [
    (np.int32, torch.add, jnp.add), (np.bool_, torch.logical_or, jnp.logical_or), (np.int32, torch.minimum, jnp.minimum)])
def test_integer_and_boolean_elements(dtype, torch_fn, jax_fn):
    x = np.random.default_rng(1).integers(-5, 5, (3, 10)).astype(dtype)
    for reverse in (False, True):
        ours = j2t_lax.associative_scan(torch_fn, torch.from_numpy(x), reverse=reverse, axis=1)
        _assert_trees(ours, jax.lax.associative_scan(jax_fn, jnp.asarray(x), reverse=reverse, axis=1), exact=True)


def _affine(lib):
    """The combine of ``h_t = a_t * h_{t-1} + b_t``: compose the affine maps ``left`` then ``right``."""
    def combine(left, right):
        (a_l, b_l), (a_r, b_r) = left, right
        return a_r * a_l, a_r * b_l + b_r
    return combine


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("n,axis", [(1, 0), (9, 0), (16, 1), (23, -1)])
def test_linear_recurrence_with_a_tuple_pytree(n, axis, reverse):
    rng = np.random.default_rng(n)
    shape = [2, 3] if axis == 0 else [3, 2]
    shape.insert(axis % 3, n)
    a = rng.uniform(-1, 1, shape).astype(np.float32)
    b = rng.standard_normal(shape).astype(np.float32)
    ours = j2t_lax.associative_scan(_affine(torch), (torch.from_numpy(a), torch.from_numpy(b)), reverse, axis)
    theirs = jax.lax.associative_scan(_affine(jnp), (jnp.asarray(a), jnp.asarray(b)), reverse, _jax_axis(axis, 3, reverse))
    _assert_trees(ours, theirs, exact=True)
    h, acc = [], np.zeros(np.delete(shape, axis % 3), np.float32)  # the recurrence itself, step by step
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for t in steps:
        acc = np.take(a, t, axis) * acc + np.take(b, t, axis)
        h.append(acc)
    h = np.stack(h[::-1] if reverse else h, axis=axis)
    np.testing.assert_allclose(_np(ours[1]), h, rtol=1e-5, atol=1e-5)


def test_dict_pytree_with_none_and_nesting_follows_jax_leaf_order():
    rng = np.random.default_rng(3)
    s, m, c = (rng.standard_normal((2, 7)).astype(np.float32) for _ in range(3))
    seen = []

    def combine(lib):
        def fn(p, q):
            seen.append(type(p))
            return {"s": p["s"] + q["s"], "z": None, "n": (lib.maximum(p["n"][0], q["n"][0]), p["n"][1] * q["n"][1])}
        return fn

    ours = j2t_lax.associative_scan(combine(torch), {"s": torch.from_numpy(s), "z": None,
                                                     "n": (torch.from_numpy(m), torch.from_numpy(c))}, True, -1)
    theirs = jax.lax.associative_scan(combine(jnp), {"s": jnp.asarray(s), "z": None,
                                                     "n": (jnp.asarray(m), jnp.asarray(c))}, True, 1)
    _assert_trees(ours, theirs, exact=True)
    assert set(seen) == {dict}


@pytest.mark.parametrize("n", [2, 3, 7, 8, 64, 100, 1000])
def test_fn_is_called_as_often_as_in_jax_logarithmically(n):
    counts = {}

    def counting(key, add):
        def fn(a, b):
            counts[key] = counts.get(key, 0) + 1
            return add(a, b)
        return fn

    j2t_lax.associative_scan(counting("ours", torch.add), torch.ones(n))
    jax.lax.associative_scan(counting("jax", jnp.add), jnp.ones(n))
    assert counts["ours"] == counts["jax"] <= 2 * int(np.ceil(np.log2(n)))


def test_gradient_matches_jax():
    rng = np.random.default_rng(5)
    a = rng.uniform(-1, 1, (13, 3)).astype(np.float32)
    b = rng.standard_normal((13, 3)).astype(np.float32)
    w = rng.standard_normal((13, 3)).astype(np.float32)

    def loss(lib, assoc, wt):
        def f(a_, b_):
            _, h = assoc(_affine(lib), (a_, b_), reverse=True)
            return lib.sum(lib.tanh(h) * wt)
        return f

    ours = torch.func.grad(loss(torch, j2t_lax.associative_scan, torch.from_numpy(w)), argnums=(0, 1))(
        torch.from_numpy(a), torch.from_numpy(b))
    theirs = jax.grad(loss(jnp, jax.lax.associative_scan, jnp.asarray(w)), argnums=(0, 1))(jnp.asarray(a), jnp.asarray(b))
    _assert_trees(ours, theirs, rtol=1e-5, atol=1e-5)
    x = torch.from_numpy(b).requires_grad_()  # plain autograd goes through the slicing too
    j2t_lax.associative_scan(torch.maximum, x, axis=1).sum().backward()
    max_grad = jax.grad(lambda v: jnp.sum(jax.lax.associative_scan(jnp.maximum, v, axis=1)))(jnp.asarray(b))
    np.testing.assert_allclose(_np(x.grad), np.asarray(max_grad))


@pytest.mark.parametrize("in_axis,axis", [(0, 0), (1, -1), (2, 0)])
def test_vmap_matches_jax(in_axis, axis):
    x = np.random.default_rng(7).standard_normal((4, 5, 6)).astype(np.float32)
    def pair(lib):
        return lambda p, q: (p[0] + q[0], lib.maximum(p[1], q[1]))

    ours = torch.func.vmap(lambda v: j2t_lax.associative_scan(pair(torch), (v, v * 2), axis=axis, reverse=True),
                           in_dims=in_axis)(torch.from_numpy(x))
    theirs = jax.vmap(lambda v: jax.lax.associative_scan(pair(jnp), (v, v * 2), axis=axis % 2, reverse=True),
                      in_axes=in_axis)(jnp.asarray(x))
    _assert_trees(ours, theirs, exact=True)


def test_array_likes_are_accepted():
    ours = j2t_lax.associative_scan(torch.add, np.arange(5, dtype=np.int32))
    assert isinstance(ours, torch.Tensor) and ours.tolist() == [0, 1, 3, 6, 10]


def test_errors_are_clear():
    with pytest.raises(ValueError, match="same length along axis 1"):
        j2t_lax.associative_scan(torch.add, (torch.ones(2, 3), torch.ones(2, 4)), axis=1)
    with pytest.raises(ValueError, match="same length"):
        j2t_lax.associative_scan(torch.add, {"a": torch.ones(3), "b": torch.ones(4)})
    with pytest.raises(TypeError, match="callable"):
        j2t_lax.associative_scan("add", torch.ones(3))
    with pytest.raises(ValueError, match="out of bounds"):
        j2t_lax.associative_scan(torch.add, torch.ones(3), axis=1)
    with pytest.raises(ValueError, match="empty pytree"):
        j2t_lax.associative_scan(torch.add, ())
    with pytest.raises(TypeError, match="structure of elems"):
        j2t_lax.associative_scan(lambda p, q: p[0] + q[0], (torch.ones(4), torch.ones(4)))
