"""Whole programs, vmap and compile: the migrated torch code gives JAX's arrays."""

import numpy as np
import pytest
import torch

import jax
import jax.numpy as jnp
import jax2torch_runtime.random as R
from _random_util import assert_same_bits


@pytest.fixture(autouse=True)
def eager_only(monkeypatch):
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "0")


def jax_program(seed):
    key = jax.random.key(seed)
    out = []
    for step in range(5):
        key, k_init, k_drop, k_idx = jax.random.split(key, 4)
        w = jax.random.normal(k_init, (8, 4)) * 0.1
        mask = jax.random.bernoulli(k_drop, 0.8, (8, 4))
        idx = jax.random.randint(k_idx, (3,), 0, 8)
        noise = jax.random.uniform(jax.random.fold_in(key, step), (4,), minval=-1.0, maxval=1.0)
        out.append(jnp.where(mask, w, 0.0)[idx] + noise)
    perm = jax.random.permutation(key, 10)
    cat = jax.random.categorical(key, jnp.log(jnp.arange(1.0, 6.0)), shape=(7,))
    return jnp.stack(out), perm, cat


def torch_program(seed):
    key = R.key(seed)
    out = []
    for step in range(5):
        key, k_init, k_drop, k_idx = R.split(key, 4)
        w = R.normal(k_init, (8, 4)) * 0.1
        mask = R.bernoulli(k_drop, 0.8, (8, 4))
        idx = R.randint(k_idx, (3,), 0, 8)
        noise = R.uniform(R.fold_in(key, step), (4,), minval=-1.0, maxval=1.0)
        out.append(torch.where(mask, w, 0.0)[idx.long()] + noise)
    perm = R.permutation(key, 10)
    cat = R.categorical(key, torch.log(torch.arange(1.0, 6.0)), shape=(7,))
    return torch.stack(out), perm, cat


@pytest.mark.parametrize("seed", [0, 1, 1234])
def test_whole_program_identical(seed):
    for ours, theirs in zip(torch_program(seed), jax_program(seed)):
        assert_same_bits(ours, theirs)


def test_vmap_split_and_normal_match_jax_vmap():
    keys = R.split(R.PRNGKey(7), 6)
    jkeys = jax.random.split(jax.random.PRNGKey(7), 6)
    assert_same_bits(torch.func.vmap(R.split)(keys), jax.vmap(jax.random.split)(jkeys))
    assert_same_bits(torch.func.vmap(lambda k: R.normal(k, (3, 2)))(keys),
                     jax.vmap(lambda k: jax.random.normal(k, (3, 2)))(jkeys))
    assert_same_bits(torch.func.vmap(lambda k: R.uniform(k, (5,), minval=-2.0, maxval=3.0))(keys),
                     jax.vmap(lambda k: jax.random.uniform(k, (5,), minval=-2.0, maxval=3.0))(jkeys))
    assert_same_bits(torch.func.vmap(lambda k: R.fold_in(k, 3))(keys), jax.vmap(lambda k: jax.random.fold_in(k, 3))(jkeys))


def test_keys_pass_through_pytrees():
    import torch.utils._pytree as pytree

    state = {"key": R.PRNGKey(3), "params": [torch.zeros(2)]}
    leaves, spec = pytree.tree_flatten(state)
    back = pytree.tree_unflatten(leaves, spec)
    assert torch.equal(R.split(back["key"]), R.split(state["key"]))


@pytest.mark.slow
def test_torch_compile_of_user_code_is_exact():
    def step(key):
        key, sub = R.split(key)
        return key, R.normal(sub, (1000,)) + R.uniform(key, (1000,))

    compiled = torch.compile(step, fullgraph=True)
    k1, v1 = compiled(R.PRNGKey(5))
    k2, v2 = step(R.PRNGKey(5))
    assert torch.equal(k1, k2) and torch.equal(v1.view(torch.int32), v2.view(torch.int32))
    jk, jsub = jax.random.split(jax.random.PRNGKey(5))
    assert_same_bits(v1, jax.random.normal(jsub, (1000,)) + jax.random.uniform(jk, (1000,)))


@pytest.mark.slow
def test_fused_normal_kernel_is_exact(monkeypatch):
    monkeypatch.setenv("JAX2TORCH_RANDOM_COMPILE", "1")
    ours = R.normal(R.PRNGKey(99), (300, 1000))
    assert_same_bits(ours, jax.random.normal(jax.random.PRNGKey(99), (300, 1000)))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_keys_give_cpu_bits():
    key = R.PRNGKey(11)
    for fn in (lambda k: R.split(k, 5), lambda k: R.uniform(k, (4096,)), lambda k: R.normal(k, (1 << 17,)),
               lambda k: R.randint(k, (999,), -7, 1000)):
        cpu, gpu = fn(key), fn(key.cuda())
        assert gpu.device.type == "cuda"
        assert torch.equal(cpu.view(torch.int32) if cpu.dtype == torch.float32 else cpu, (gpu.cpu().view(torch.int32) if gpu.dtype == torch.float32 else gpu.cpu()))
