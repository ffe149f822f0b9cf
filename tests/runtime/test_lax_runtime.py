"""jax2torch_runtime.lax against real JAX where the rule examples do not reach: pytree shapes,
reverse scans, clamping corners, empty loops and gradients through the eager control flow."""

from __future__ import annotations

from collections import namedtuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from jax import lax

from jax2torch_runtime import lax as tlax

Pair = namedtuple("Pair", "a b")


def t(x):
    return torch.from_numpy(np.asarray(x).copy())


def close(jax_tree, torch_tree):
    jl, js = jax.tree_util.tree_flatten(jax_tree)
    tl = [leaf for leaf in jax.tree_util.tree_leaves(
        jax.tree_util.tree_map(lambda v: np.asarray(v), torch_tree, is_leaf=lambda v: isinstance(v, torch.Tensor)))]
    assert len(jl) == len(tl)
    for j, v in zip(jl, tl):
        np.testing.assert_allclose(np.asarray(v), np.asarray(j), rtol=1e-5, atol=1e-6)


def test_scan_namedtuple_carry_and_nested_outputs_reverse():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((5, 3)).astype(np.float32)

    def make(np_):
        def step(c, x):
            c = Pair(c.a + x, c.b * 2)
            return c, {"y": (c.a.sum(), None), "z": [x * c.b]}
        return step

    jc, jy = lax.scan(make(jnp), Pair(jnp.zeros(3), jnp.float32(1)), jnp.asarray(xs), reverse=True)
    tc, ty = tlax.scan(make(torch), Pair(torch.zeros(3), torch.tensor(1.0)), t(xs), reverse=True)
    assert isinstance(tc, Pair) and ty["y"][1] is None
    close((jc, jy), (tc, ty))


def test_scan_zero_length_keeps_carry_and_gives_empty_outputs_like_jax():
    def step(np_):
        return lambda c, x: (c + x, {"sq": x * x, "s": np_.sum(x)})

    jc, jy = lax.scan(step(jnp), jnp.ones(2), jnp.zeros((0, 2)))
    tc, ty = tlax.scan(step(torch), torch.ones(2), torch.zeros(0, 2))
    assert torch.equal(tc, torch.ones(2))
    assert tuple(ty["sq"].shape) == jy["sq"].shape and tuple(ty["s"].shape) == jy["s"].shape


def test_scan_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        tlax.scan(lambda c, x: (c, x), 0, (torch.zeros(3), torch.zeros(4)))


def test_fori_loop_empty_range_returns_init():
    assert tlax.fori_loop(5, 2, lambda i, v: v + 1, 7) == 7


@pytest.mark.parametrize("index", [-4, 0, 1, 2, 9])
def test_switch_clamps_like_jax(index):
    branches = [lambda v: v, lambda v: v * 2, lambda v: v - 10]
    assert float(tlax.switch(index, branches, torch.tensor(3.0))) == float(lax.switch(index, branches, 3.0))


@pytest.mark.parametrize("start", [-9, -3, -1, 0, 2, 5, 40])
def test_dynamic_slice_and_update_clamp_like_jax(start):
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    j = lax.dynamic_slice(jnp.asarray(x), (start, start), (2, 3))
    assert np.array_equal(tlax.dynamic_slice(t(x), (start, start), (2, 3)).numpy(), np.asarray(j))
    upd = -np.ones((2, 3), np.float32)
    j = lax.dynamic_update_slice(jnp.asarray(x), jnp.asarray(upd), (start, start))
    out = tlax.dynamic_update_slice(t(x), t(upd), (torch.tensor(start), start))
    assert np.array_equal(out.numpy(), np.asarray(j))


def test_dynamic_update_slice_leaves_input_unchanged():
    x = torch.zeros(4)
    tlax.dynamic_update_slice(x, torch.ones(2), (1,))
    assert torch.equal(x, torch.zeros(4))


def test_stop_gradient_blocks_only_the_wrapped_path():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x + tlax.stop_gradient({"v": x * x})["v"]
    y.backward()
    assert float(x.grad) == 6.0


def test_gradients_flow_through_scan_like_jax():
    w = np.array([0.5, -1.0, 2.0], np.float32)

    def loss(np_, w):
        def step(c, x):
            return c * w + x, c.sum()
        c, ys = (lax.scan if np_ is jnp else tlax.scan)(step, w * 0 + 1, np_.stack([w, w * 2]))
        return (c ** 2).sum() + ys.sum()

    jg = jax.grad(lambda w: loss(jnp, w))(jnp.asarray(w))
    tw = t(w).requires_grad_()
    loss(torch, tw).backward()
    np.testing.assert_allclose(tw.grad.numpy(), np.asarray(jg), rtol=1e-5)


@pytest.mark.parametrize("method", [0, 1])
def test_round_matches_jax_on_halves(method):
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997, -0.49999997, 3.7], np.float32)
    j = lax.round(jnp.asarray(x), lax.RoundingMethod(method))
    assert np.array_equal(tlax.round(t(x), method).numpy(), np.asarray(j))


def test_sort_multiple_keys_matches_jax():
    rng = np.random.default_rng(1)
    a, b, c = rng.integers(0, 3, 20), rng.integers(0, 3, 20), rng.standard_normal(20).astype(np.float32)
    j = lax.sort((jnp.asarray(a), jnp.asarray(b), jnp.asarray(c)), num_keys=2)
    out = tlax.sort((t(a), t(b), t(c)), num_keys=2)
    for jj, tt in zip(j, out):
        assert np.array_equal(np.asarray(jj), tt.numpy())


def test_div_truncates_integers_toward_zero():
    x, y = np.array([-7, 7, -8, 9], np.int32), np.array([2, -2, 3, 4], np.int32)
    assert np.array_equal(tlax.div(t(x), t(y)).numpy(), np.asarray(lax.div(jnp.asarray(x), jnp.asarray(y))))
