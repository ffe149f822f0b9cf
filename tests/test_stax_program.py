"""A real JAX layer library migrated whole: ``jax/example_libraries/stax.py`` through the engine.

The migrated module is loaded as a fresh module and CNNs built from its layers (convolutions in
two layouts, transposed convolution, max/avg/sum pooling, Relu, Flatten, Dense, LogSoftmax) are
compared with the same networks built from the original stax under JAX: the init-time shape
arithmetic (``conv_general_shape_tuple``, ``padtype_to_pads``, ``reduce_window_shape_tuple``...)
and the forward pass on the same parameters. The parameters come from the *migrated* init
functions (``j2t.nn.glorot_normal``...) and are converted to JAX arrays; the JAX networks are
built with zero initialisers because JAX compiles its truncated normal once per kernel shape
(seconds each on CI), and only their output shapes are used.

The migrated file must be free of JAX: no error findings, no ``jax`` import left, and it runs
as written.
"""

from __future__ import annotations

import types

import jax
import jax.example_libraries.stax as jstax
import numpy as np
import pytest
import torch

from jax2torch.engine import Migrator
from jax2torch.ruletable import load_rule_table
from verify import IMPORT_JAX_RE

@pytest.fixture(scope="module")
def tstax():
    with open(jstax.__file__, encoding="utf-8") as fh:
        source = fh.read()
    result = Migrator(load_rule_table()).migrate_text(source, "stax.py")
    errors = sorted(f"{f.line}: {f.code} {f.message}" for f in result.findings if f.severity.value == "error")
    assert not errors, "untranslated names in stax:\n" + "\n".join(errors)
    assert not IMPORT_JAX_RE.search(result.text), result.text
    module = types.ModuleType("migrated_stax")
    exec(compile(result.text, "<migrated stax>", "exec"), module.__dict__)
    return module


def to_jax(tree):
    return jax.tree_util.tree_map(lambda t: jax.numpy.asarray(t.detach().numpy()), tree)


def build(stax, kind, **init):
    """One of three small networks; ``init`` (W_init/b_init) goes to every layer with weights."""
    if kind == "nhwc_cnn":
        return stax.serial(
            stax.Conv(8, (3, 3), padding="SAME", **init), stax.Relu,
            stax.MaxPool((2, 2), strides=(2, 2)),
            stax.Conv(12, (3, 2), strides=(2, 1), padding=((1, 0), (2, 1)), **init), stax.Relu,
            stax.AvgPool((2, 2), strides=(1, 1), padding="SAME"),
            stax.SumPool((2, 1), padding="VALID"),
            stax.Flatten, stax.Dense(10, **init), stax.LogSoftmax)
    if kind == "nchw_cnn":
        return stax.serial(
            stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 6, (3, 3), padding="SAME", **init), stax.Tanh,
            stax.MaxPool((3, 3), strides=(2, 2), padding="SAME", spec="NCHW"),
            stax.AvgPool((2, 2), strides=(2, 2), padding="SAME", spec="NCHW"),
            stax.Flatten, stax.Dense(5, **init), stax.Softmax)
    return stax.serial(  # decoder: transposed convolutions back up to an image
        stax.ConvTranspose(6, (3, 3), strides=(2, 2), padding="SAME", **init), stax.Relu,
        stax.ConvTranspose(3, (2, 3), strides=(2, 1), padding="VALID", **init), stax.Sigmoid)


def jax_and_torch(tstax, kind, seed):
    """Both networks' apply functions, JAX's output shape and the migrated init's parameters."""
    shape = INPUT_SHAPES[kind]
    jinit, japply = build(jstax, kind, W_init=jax.nn.initializers.zeros, b_init=jax.nn.initializers.zeros)
    tinit, tapply = build(tstax, kind)
    jshape, _ = jinit(jax.random.PRNGKey(seed), shape)
    tshape, tparams = tinit(tstax.j2t.random.PRNGKey(seed), shape)
    assert tuple(int(d) for d in tshape) == tuple(int(d) for d in jshape)
    return japply, tapply, tuple(int(d) for d in jshape), tparams


INPUT_SHAPES = {"nhwc_cnn": (2, 12, 10, 3), "nchw_cnn": (2, 3, 11, 9), "decoder": (2, 4, 5, 7)}


@pytest.mark.parametrize("kind", sorted(INPUT_SHAPES))
def test_migrated_stax_network_matches_jax(tstax, kind):
    japply, tapply, out_shape, tparams = jax_and_torch(tstax, kind, seed=0)
    x = np.random.default_rng(1).standard_normal(INPUT_SHAPES[kind]).astype(np.float32)
    expected = np.asarray(japply(to_jax(tparams), jax.numpy.asarray(x)))
    got = tapply(tparams, torch.from_numpy(x))
    assert tuple(got.shape) == expected.shape == out_shape
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-4, atol=1e-5)


def test_migrated_stax_trains_with_autograd(tstax):
    """The migrated layers are differentiable torch code: the first kernel's gradient matches jax.grad."""
    japply, tapply, _, tparams = jax_and_torch(tstax, "nhwc_cnn", seed=3)
    x = np.random.default_rng(2).standard_normal(INPUT_SHAPES["nhwc_cnn"]).astype(np.float32)
    jgrad = jax.grad(lambda p: japply(p, jax.numpy.asarray(x))[:, 3].sum())(to_jax(tparams))
    tparams = jax.tree_util.tree_map(lambda t: t.detach().requires_grad_(True), tparams)
    tapply(tparams, torch.from_numpy(x))[:, 3].sum().backward()
    np.testing.assert_allclose(tparams[0][0].grad.numpy(), np.asarray(jgrad[0][0]), rtol=1e-3, atol=1e-5)
