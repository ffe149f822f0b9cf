"""Keys, split, fold_in and bits: bit-exact against jax.random."""

import numpy as np
import pytest
import torch

import jax
import jax2torch_runtime.random as R
from _random_util import as_np, assert_same_bits

SEEDS = [0, 1, 42, 2**31 - 1, 2**31, 2**32 - 1, 2**32 + 7, -1, -5, 123456789]


@pytest.mark.parametrize("seed", SEEDS)
def test_prngkey_and_key_match_jax(seed):
    assert_same_bits(R.PRNGKey(seed), jax.random.PRNGKey(seed))
    assert_same_bits(R.key_data(R.key(seed)), jax.random.key_data(jax.random.key(seed)))
    assert R.PRNGKey(seed).dtype == torch.uint32


def test_seed_from_tensor():
    assert_same_bits(R.PRNGKey(torch.tensor(-3, dtype=torch.int32)), jax.random.PRNGKey(np.int32(-3)))


@pytest.mark.parametrize("seed", SEEDS[:6])
@pytest.mark.parametrize("num", [1, 2, 3, 7, (2, 3), (0,), (4, 1, 2)])
def test_split_matches(seed, num):
    assert_same_bits(R.split(R.PRNGKey(seed), num), jax.random.split(jax.random.PRNGKey(seed), num))


def test_split_default_and_typed_keys():
    typed = jax.random.split(jax.random.key(5))
    ours = R.split(R.key(5))
    assert_same_bits(ours, jax.random.key_data(typed))
    assert_same_bits(R.wrap_key_data(ours[1]), jax.random.key_data(jax.random.wrap_key_data(jax.random.key_data(typed)[1])))


@pytest.mark.parametrize("data", [0, 1, 17, 2**31, 2**32 - 1])
def test_fold_in(data):
    for seed in (0, 9, 2**32 - 1):
        assert_same_bits(R.fold_in(R.PRNGKey(seed), data), jax.random.fold_in(jax.random.PRNGKey(seed), data))
    assert_same_bits(R.fold_in(R.PRNGKey(3), torch.tensor(data % 2**31)), jax.random.fold_in(jax.random.PRNGKey(3), data % 2**31))


@pytest.mark.parametrize("shape", [(), (0,), (1,), (5,), (3, 4), (2, 0, 3), (2, 3, 5, 7)])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32"])
def test_bits(shape, dtype):
    for seed in (0, 11, 2**32 - 1):
        ours = R.bits(R.PRNGKey(seed), shape, dtype)
        theirs = jax.random.bits(jax.random.PRNGKey(seed), shape, dtype)
        assert_same_bits(ours, theirs)


def test_key_rejects_batches_and_bad_data():
    keys = R.split(R.PRNGKey(0), 3)
    with pytest.raises(ValueError):
        R.normal(keys)
    with pytest.raises(TypeError):
        R.split(torch.zeros(3, dtype=torch.uint32))
    with pytest.raises(TypeError):
        R.uniform(torch.zeros(2))
    assert R.key_data(keys).shape == (3, 2)


def test_numpy_and_jax_keys_are_accepted():
    jk = jax.random.PRNGKey(77)
    assert_same_bits(R.split(np.asarray(jk)), jax.random.split(jk))
    assert_same_bits(R.split(jk), jax.random.split(jk))


def test_output_follows_key_device_meta():
    key = R.PRNGKey(0).to("meta")
    assert R.split(key).device.type == "meta"
    assert R.uniform(key, (3,)).device.type == "meta"


def test_x64_seeds_and_bits_in_subprocess():
    import subprocess
    import sys

    code = (
        "import jax, numpy as np, torch\n"
        "jax.config.update('jax_enable_x64', True)\n"
        "import jax2torch_runtime.random as R\n"
        "R.enable_x64(True)\n"
        "for s in (2**40 + 3, -7, 2**63 - 1):\n"
        "    assert (R.PRNGKey(s).numpy() == np.asarray(jax.random.PRNGKey(s))).all(), s\n"
        "k = jax.random.PRNGKey(5)\n"
        "assert (R.bits(R.PRNGKey(5), (9,)).numpy() == np.asarray(jax.random.bits(k, (9,)))).all()\n"
        "u = R.uniform(R.PRNGKey(5), (1000,), minval=-2.5, maxval=7.0)\n"
        "assert u.dtype == torch.float64\n"
        "assert (u.numpy() == np.asarray(jax.random.uniform(k, (1000,), minval=-2.5, maxval=7.0))).all()\n"
        "r = R.randint(R.PRNGKey(5), (1000,), -2**40, 2**50)\n"
        "assert (r.numpy() == np.asarray(jax.random.randint(k, (1000,), -2**40, 2**50))).all()\n"
        "n = R.normal(R.PRNGKey(5), (20000,)).numpy(); jn = np.asarray(jax.random.normal(k, (20000,)))\n"
        "assert np.allclose(n, jn, rtol=1e-11, atol=1e-12)\n"
        "print('exact64', (n == jn).mean())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exact64" in out.stdout
