"""``j2t.lax.reduce`` and ``j2t.transforms.named_call`` against JAX on the same data.

The computation is given to JAX as the JAX function and to the runtime as the torch (or
``j2t.numpy``) function that migration turns it into, so both the fast reductions and the generic
pairwise fold are exercised; each case also runs with a non-identity init, which JAX folds in once.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from jax import lax

import jax2torch_runtime.numpy as j2t_np
from jax2torch_runtime import lax as j2t_lax
from jax2torch_runtime import transforms as j2t_transforms

jax.config.update("jax_platforms", "cpu")

# (JAX computation, its migrated counterpart, identity init per dtype kind)
FLOAT_OPS = [
    (lax.add, torch.add, 0.0),
    (lax.mul, torch.mul, 1.0),
    (lax.max, torch.maximum, -np.inf),
    (lax.min, torch.minimum, np.inf),
    (jnp.maximum, j2t_np.maximum, -np.inf),
    (jnp.minimum, j2t_np.minimum, np.inf),
    (jnp.logaddexp, j2t_np.logaddexp, -np.inf),
    (lambda a, b: a + b, lambda a, b: a + b, 0.0),
    (lambda a, b: jnp.maximum(a, jnp.abs(b)), lambda a, b: torch.maximum(a, torch.abs(b)), 0.0),
]
INT_OPS = [
    (lax.add, torch.add, 0),
    (lax.max, torch.maximum, np.iinfo(np.int32).min),
    (lax.min, torch.minimum, np.iinfo(np.int32).max),
    (lax.bitwise_or, torch.bitwise_or, 0),
    (lax.bitwise_and, torch.bitwise_and, -1),
    (lax.bitwise_xor, torch.bitwise_xor, 0),
]
BOOL_OPS = [
    (lax.bitwise_or, torch.bitwise_or, False),
    (lax.bitwise_and, torch.bitwise_and, True),
    (jnp.logical_or, torch.logical_or, False),
    (jnp.logical_and, torch.logical_and, True),
    (lax.max, torch.maximum, False),
    (lax.min, torch.minimum, True),
    (jnp.logical_xor, torch.logical_xor, False),
]
SHAPES = [  # (shape, dimensions)
    ((7,), (0,)), ((3, 5), (1,)), ((3, 5), (0, 1)), ((4, 3, 5), (2, 0)), ((2, 3, 4, 5), (1, 3)),
    ((3, 0), (1,)), ((0, 4), (0,)), ((3, 4), ()), ((1, 9), (1,)), ((6, 33), (1,)),
]


def _reference(x, init, jax_op, identity, dims):
    """JAX's result. A non-identity init counts once in JAX's CPU result only on axes of up to 32
    elements (longer ones fold it into several partial accumulators, the contract calls that
    undefined), so there the reference folds it once onto JAX's identity-init reduction."""
    x = jnp.asarray(x)
    init = np.asarray(init, x.dtype)
    if not dims or int(np.prod([x.shape[d] for d in dims])) <= 32:
        return lax.reduce(x, init, jax_op, dims)
    return jax_op(init, lax.reduce(x, np.asarray(identity, x.dtype), jax_op, dims))


def _check(ours, theirs, exact=False):
    ours_leaves, ours_def = jax.tree_util.tree_flatten(jax.tree_util.tree_map(np.asarray, ours))
    their_leaves, their_def = jax.tree_util.tree_flatten(theirs)
    assert ours_def == their_def
    for a, b in zip(ours_leaves, their_leaves):
        b = np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-5)


@pytest.mark.parametrize("shape,dims", SHAPES)
@pytest.mark.parametrize("jax_op,torch_op,identity", FLOAT_OPS)
def test_float(shape, dims, jax_op, torch_op, identity):
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=shape).astype(np.float32)
    for init in (identity, 1.25):
        _check(j2t_lax.reduce(torch.from_numpy(x), init, torch_op, dims),
               _reference(x, init, jax_op, identity, dims))


@pytest.mark.parametrize("shape,dims", SHAPES)
@pytest.mark.parametrize("jax_op,torch_op,identity", INT_OPS)
def test_int(shape, dims, jax_op, torch_op, identity):
    x = np.random.default_rng(1).integers(-40, 40, size=shape).astype(np.int32)
    for init in (identity, 6):
        _check(j2t_lax.reduce(torch.from_numpy(x), init, torch_op, dims),
               _reference(x, init, jax_op, identity, dims), exact=True)


@pytest.mark.parametrize("shape,dims", SHAPES)
@pytest.mark.parametrize("jax_op,torch_op,identity", BOOL_OPS)
def test_bool(shape, dims, jax_op, torch_op, identity):
    x = np.random.default_rng(2).random(shape) < 0.6
    for init in (identity, not identity):
        _check(j2t_lax.reduce(torch.from_numpy(x), init, torch_op, dims),
               _reference(x, init, jax_op, identity, dims), exact=True)


def test_int_product_wraps_and_keeps_dtype():
    x = np.random.default_rng(3).integers(1, 9, size=(3, 40)).astype(np.int32)
    _check(j2t_lax.reduce(torch.from_numpy(x), 1, torch.mul, (1,)),
           lax.reduce(jnp.asarray(x), 1, lax.mul, (1,)), exact=True)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_half_precision_keeps_dtype(dtype):
    x = np.random.default_rng(4).uniform(-1, 1, size=(4, 6)).astype(np.float32)
    ours = j2t_lax.reduce(torch.from_numpy(x).to(getattr(torch, jnp.dtype(dtype).name)), 0.0, torch.add, (1,))
    theirs = lax.reduce(jnp.asarray(x, dtype), 0.0, lax.add, (1,))
    assert str(ours.dtype).removeprefix("torch.") == jnp.dtype(dtype).name
    np.testing.assert_allclose(ours.float().numpy(), np.asarray(theirs, np.float32), rtol=2e-2, atol=2e-2)


def test_nan_propagates_through_max():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    x[1, 2] = np.nan
    for jax_op, torch_op in ((lax.max, torch.maximum), (jnp.maximum, j2t_np.maximum)):
        _check(j2t_lax.reduce(torch.from_numpy(x), -np.inf, torch_op, (1,)),
               lax.reduce(jnp.asarray(x), -jnp.inf, jax_op, (1,)), exact=True)


def _argmax_jax(a, b):
    (av, ai), (bv, bi) = a, b
    pick = (av > bv) | ((av == bv) & (ai < bi))
    return jnp.where(pick, av, bv), jnp.where(pick, ai, bi)


def _argmax_torch(a, b):
    (av, ai), (bv, bi) = a, b
    pick = (av > bv) | ((av == bv) & (ai < bi))
    return torch.where(pick, av, bv), torch.where(pick, ai, bi)


@pytest.mark.parametrize("shape,dim", [((5, 9), 1), ((9, 5), 0), ((4, 1), 1), ((3, 0), 1), ((2, 3, 17), 2)])
def test_variadic_argmax_with_ties(shape, dim):
    x = np.random.default_rng(5).integers(0, 4, size=shape).astype(np.float32)
    idx = np.broadcast_to(np.expand_dims(np.arange(shape[dim], dtype=np.int32), tuple(
        d for d in range(len(shape)) if d != dim)), shape)
    ours = j2t_lax.reduce((torch.from_numpy(x), torch.from_numpy(idx.copy())), (-np.inf, 0), _argmax_torch, (dim,))
    theirs = lax.reduce((jnp.asarray(x), jnp.asarray(idx)), (-jnp.inf, 0), _argmax_jax, (dim,))
    _check(ours, theirs, exact=True)
    assert isinstance(ours, tuple)


def test_pytree_operands_and_non_commutative_order():
    """A dict pytree reaches the computation as a dict; an associative but non-commutative combine
    (compose affine maps a*x+b) must keep left-to-right order."""
    rng = np.random.default_rng(6)
    a, b = rng.uniform(0.5, 1.5, size=(2, 3, 13)).astype(np.float32)

    def compose(left, right):
        return {"a": left["a"] * right["a"], "b": left["b"] * right["a"] + right["b"]}

    ours = j2t_lax.reduce({"a": torch.from_numpy(a), "b": torch.from_numpy(b)}, {"a": 1.0, "b": 0.0}, compose, (1,))
    theirs = lax.reduce({"a": jnp.asarray(a), "b": jnp.asarray(b)}, {"a": 1.0, "b": 0.0}, compose, (1,))
    _check(ours, theirs)


def test_single_operand_tuple_matches_jax_wrapping():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    _check(j2t_lax.reduce((torch.from_numpy(x),), (0.0,), torch.add, (1,)),
           lax.reduce((jnp.asarray(x),), (0.0,), lax.add, (1,)))
    _check(j2t_lax.reduce((torch.from_numpy(x),), (0.0,), lambda l, r: (l[0] + r[0],), (1,)),
           lax.reduce((jnp.asarray(x),), (0.0,), lambda l, r: (l[0] + r[0],), (1,)))


def test_gradient_flows_through_both_paths():
    x = torch.tensor([[1.0, 3.0, 2.0], [0.5, -1.0, 4.0]], requires_grad=True)
    grad_fast, = torch.autograd.grad(j2t_lax.reduce(x, -torch.inf, torch.maximum, (1,)).sum(), x)
    grad_fold, = torch.autograd.grad(j2t_lax.reduce(x, 0.0, lambda a, b: a + b * b, (1,)).sum(), x)
    np.testing.assert_array_equal(grad_fast.numpy(), [[0, 1, 0], [0, 0, 1]])
    np.testing.assert_allclose(grad_fold.numpy(), 2 * x.detach().numpy())


@pytest.mark.parametrize("operands,inits,dims,match", [
    ((np.zeros((2, 3)),), (0.0, 0.0), (0,), "tree structure"),
    (np.zeros((2, 3)), 0.0, (2,), "out-of-bounds"),
    (np.zeros((2, 3)), 0.0, (-1,), "out-of-bounds"),
    (np.zeros((2, 3)), 0.0, (0, 0), "duplicate"),
    ((np.zeros((2, 3)), np.zeros((3, 2))), (0.0, 0.0), (0,), "same shape"),
])
def test_errors(operands, inits, dims, match):
    operands = jax.tree_util.tree_map(torch.from_numpy, operands)
    with pytest.raises(ValueError, match=match):
        j2t_lax.reduce(operands, inits, lambda a, b: a, dims)


def test_named_call_returns_the_function():
    def block(x, scale=2.0):
        return x * scale

    x = np.arange(4, dtype=np.float32)
    wrapped = j2t_transforms.named_call(block, name="block")
    np.testing.assert_array_equal(wrapped(torch.from_numpy(x), scale=3.0).numpy(),
                                  np.asarray(jax.named_call(block, name="block")(jnp.asarray(x), scale=3.0)))
    assert j2t_transforms.named_call(block) is block


@pytest.mark.parametrize("shape,dims", [((5, 7), (1,)), ((4, 8), (0, 1)), ((3, 32), (1,))])
def test_accumulator_lambdas_fold_in_jax_cpu_order(shape, dims):
    """Non-associative accumulator-style lambdas are outside JAX's contract, but on axes of up to
    32 elements XLA's CPU result is the sequential fold from init, which the runtime reproduces."""
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    cases = [(lambda a, b: a + b * b, lambda a, b: a + b * b),
             (lambda a, b: jnp.maximum(a, jnp.abs(b)), lambda a, b: torch.maximum(a, torch.abs(b))),
             (lambda a, b: a * 0.5 + b, lambda a, b: a * 0.5 + b)]
    for jax_op, torch_op in cases:
        _check(j2t_lax.reduce(torch.from_numpy(x), 0.25, torch_op, dims),
               lax.reduce(jnp.asarray(x), np.float32(0.25), jax_op, dims))
