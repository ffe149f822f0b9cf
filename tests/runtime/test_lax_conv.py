"""jax2torch_runtime.lax convolution, padding and windowed reductions against real JAX: layouts,
asymmetric and negative padding, dilations, groups, dtypes, and the skip-the-padding rule of
``reduce_window`` with non-identity init values and arbitrary computations."""

from __future__ import annotations

import operator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from jax import lax
from jax2torch_runtime import lax as tlax
from jax2torch_runtime import numpy as tnp

RNG = np.random.default_rng(0)


def arr(*shape, dtype=np.float32, ints=False):
    if ints:
        return RNG.integers(-4, 5, size=shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def t(x):
    return torch.from_numpy(np.asarray(x).copy())


def same(jax_out, torch_out, tol=1e-5):
    j = np.asarray(jax_out)
    v = torch_out.detach().numpy() if isinstance(torch_out, torch.Tensor) else np.asarray(torch_out)
    assert j.shape == v.shape, (j.shape, v.shape)
    assert str(j.dtype) == str(v.dtype), (j.dtype, v.dtype)
    np.testing.assert_allclose(v.astype(np.float64), j.astype(np.float64), rtol=tol, atol=tol)


CONV_CASES = [
    # (lhs shape, rhs shape, kwargs)
    ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(1, 1), padding="VALID")),
    ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(2, 3), padding="SAME")),
    ((2, 3, 9, 8), (4, 3, 4, 3), dict(window_strides=(2, 2), padding="SAME_LOWER")),
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(window_strides=(1, 2), padding=((2, 0), (-1, 3)))),
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(window_strides=(1, 1), padding="SAME", rhs_dilation=(2, 3))),
    ((2, 3, 5, 4), (4, 3, 3, 3), dict(window_strides=(1, 1), padding=((2, 2), (1, 2)), lhs_dilation=(2, 3))),
    ((2, 3, 5, 4), (4, 3, 2, 3), dict(window_strides=(2, 1), padding=((1, -1), (0, 1)), lhs_dilation=(3, 2),
                                      rhs_dilation=(2, 1))),
    ((2, 6, 7, 7), (4, 3, 3, 3), dict(window_strides=(1, 1), padding="VALID", feature_group_count=2)),
    ((2, 6, 7, 7), (6, 1, 3, 3), dict(window_strides=(2, 2), padding="SAME", feature_group_count=6)),
    ((6, 3, 7, 7), (4, 3, 3, 3), dict(window_strides=(1, 1), padding="VALID", batch_group_count=2)),
    ((2, 7, 8, 3), (3, 2, 3, 5), dict(window_strides=(1, 2), padding="SAME",
                                      dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ((7, 2, 8, 3), (5, 2, 3, 3), dict(window_strides=(2, 1), padding=((1, 1), (0, 2)),
                                      dimension_numbers=("HNWC", "OWIH", "CWNH"))),
    ((2, 3, 11), (4, 3, 3), dict(window_strides=(2,), padding=((1, 2),), rhs_dilation=(2,))),
    ((2, 3, 11), (4, 3, 3), dict(window_strides=(1,), padding="SAME", dimension_numbers=("NCH", "OIH", "NHC"))),
    ((1, 2, 5, 6, 4), (3, 2, 2, 3, 2), dict(window_strides=(1, 2, 1), padding="SAME", rhs_dilation=(1, 1, 2))),
    ((1, 5, 6, 4, 2), (2, 3, 2, 2, 3), dict(window_strides=(1, 1, 1), padding="VALID",
                                           dimension_numbers=("NHWDC", "HWDIO", "NHWDC"))),
    ((3, 4), (5, 4), dict(window_strides=(), padding=())),
    ((2, 3, 4, 4), (4, 3, 3, 3), dict(window_strides=(1, 1), padding=((-3, -1), (0, 0)))),
]


@pytest.mark.parametrize("lhs_shape,rhs_shape,kwargs", CONV_CASES, ids=[str(i) for i in range(len(CONV_CASES))])
def test_conv_general_dilated_matches_jax(lhs_shape, rhs_shape, kwargs):
    lhs, rhs = arr(*lhs_shape), arr(*rhs_shape)
    expected = lax.conv_general_dilated(jnp.asarray(lhs), jnp.asarray(rhs), **kwargs)
    same(expected, tlax.conv_general_dilated(t(lhs), t(rhs), **kwargs), tol=1e-4)


def test_conv_dimension_numbers_object_and_permutations():
    dn = lax.conv_dimension_numbers((2, 5, 6, 3), (3, 2, 3, 4), ("NHWC", "HWIO", "NHWC"))
    tdn = tlax.conv_dimension_numbers((2, 5, 6, 3), (3, 2, 3, 4), ("NHWC", "HWIO", "NHWC"))
    assert tuple(map(tuple, tdn)) == tuple(map(tuple, dn))
    lhs, rhs = arr(2, 5, 6, 3), arr(3, 2, 3, 4)
    same(lax.conv_general_dilated(jnp.asarray(lhs), jnp.asarray(rhs), (1, 1), "SAME", dimension_numbers=dn),
         tlax.conv_general_dilated(t(lhs), t(rhs), (1, 1), "SAME", dimension_numbers=tdn), tol=1e-4)
    assert tlax.conv_general_permutations(("NCHW", "OIHW", "NCHW")) == lax.conv_general_permutations(
        ("NCHW", "OIHW", "NCHW"))


@pytest.mark.parametrize("dtype,preferred", [(np.int32, None), (np.int8, np.int32), (np.float16, None),
                                             (np.float16, np.float32)])
def test_conv_dtypes_and_preferred_element_type(dtype, preferred):
    lhs, rhs = arr(2, 3, 6, 5, dtype=dtype, ints=True), arr(4, 3, 3, 2, dtype=dtype, ints=True)
    expected = lax.conv_general_dilated(jnp.asarray(lhs), jnp.asarray(rhs), (1, 2), "SAME",
                                        preferred_element_type=preferred)
    got = tlax.conv_general_dilated(t(lhs), t(rhs), (1, 2), "SAME",
                                    preferred_element_type=getattr(torch, np.dtype(preferred).name) if preferred else None)
    same(expected, got, tol=1e-3)


def test_conv_and_conv_with_general_padding_wrappers():
    lhs, rhs = arr(2, 3, 8, 7), arr(4, 3, 3, 2)
    same(lax.conv(jnp.asarray(lhs), jnp.asarray(rhs), (2, 1), "SAME"), tlax.conv(t(lhs), t(rhs), (2, 1), "SAME"), 1e-4)
    same(lax.conv_with_general_padding(jnp.asarray(lhs), jnp.asarray(rhs), (1, 1), ((1, 0), (2, 1)), (2, 1), (1, 2)),
         tlax.conv_with_general_padding(t(lhs), t(rhs), (1, 1), ((1, 0), (2, 1)), (2, 1), (1, 2)), 1e-4)


PATCH_CASES = [
    ((2, 3, 7, 6), (2, 3), dict(window_strides=(1, 2), padding="SAME")),
    ((2, 7, 6, 3), (3, 2), dict(window_strides=(2, 1), padding=((1, 0), (0, 2)), rhs_dilation=(1, 2),
                                dimension_numbers=("NHWC", "OIHW", "NCHW"))),
    ((2, 3, 5), (3,), dict(window_strides=(1,), padding=((1, 1),), lhs_dilation=(2,),
                           dimension_numbers=("NCH", "OIH", "NHC"))),
]


@pytest.mark.parametrize("lhs_shape,filter_shape,kwargs", PATCH_CASES, ids=[str(i) for i in range(len(PATCH_CASES))])
def test_conv_general_dilated_patches_matches_jax(lhs_shape, filter_shape, kwargs):
    lhs = arr(*lhs_shape)
    expected = lax.conv_general_dilated_patches(jnp.asarray(lhs), filter_shape, **kwargs)
    same(expected, tlax.conv_general_dilated_patches(t(lhs), filter_shape, **kwargs), tol=1e-5)


TRANSPOSE_CASES = [
    ((2, 5, 6, 3), (3, 3, 3, 4), dict(strides=(2, 2), padding="SAME")),
    ((2, 5, 6, 3), (3, 2, 3, 4), dict(strides=(2, 3), padding="VALID")),
    ((2, 5, 6, 3), (2, 2, 3, 4), dict(strides=(1, 2), padding=((1, 2), (0, 1)))),
    ((2, 5, 6, 3), (2, 3, 5, 3), dict(strides=(2, 2), padding="VALID", transpose_kernel=True)),
    ((2, 5, 6, 3), (3, 3, 4, 3), dict(strides=(2, 2), padding="SAME", transpose_kernel=True)),
    ((2, 5, 6, 3), (3, 3, 3, 4), dict(strides=(2, 1), padding=((1, 1), (0, 1)), use_consistent_padding=True)),
    ((2, 5, 6, 3), (3, 2, 3, 4), dict(strides=(2, 2), padding="SAME", rhs_dilation=(2, 1))),
    ((2, 3, 7), (4, 3, 3), dict(strides=(3,), padding="VALID", dimension_numbers=("NCH", "OIH", "NCH"))),
    ((2, 7, 3), (3, 3, 4), dict(strides=(2,), padding="SAME")),
]


@pytest.mark.parametrize("lhs_shape,rhs_shape,kwargs", TRANSPOSE_CASES, ids=[str(i) for i in range(len(TRANSPOSE_CASES))])
def test_conv_transpose_matches_jax(lhs_shape, rhs_shape, kwargs):
    lhs, rhs = arr(*lhs_shape), arr(*rhs_shape)
    expected = lax.conv_transpose(jnp.asarray(lhs), jnp.asarray(rhs), **kwargs)
    same(expected, tlax.conv_transpose(t(lhs), t(rhs), **kwargs), tol=1e-4)


def test_conv_refusals_are_clear():
    x, w = torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 2, 2)
    with pytest.raises(ValueError, match="String padding is not implemented for transposed"):
        tlax.conv_general_dilated(x, w, (1, 1), "SAME", lhs_dilation=(2, 2))
    with pytest.raises(ValueError, match="At most one"):
        tlax.conv_general_dilated(torch.zeros(2, 2, 4, 4), torch.zeros(2, 1, 2, 2), (1, 1), "VALID",
                                  feature_group_count=2, batch_group_count=2)
    with pytest.raises(NotImplementedError, match="1 to 3 spatial"):
        tlax.conv_general_dilated(torch.zeros(1, 1, 2, 2, 2, 2), torch.zeros(1, 1, 1, 1, 1, 1), (1,) * 4, "VALID")
    with pytest.raises(TypeError, match="exactly once"):
        tlax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NNHW", "OIHW", "NCHW"))


def test_conv_gradients_flow_to_both_operands():
    x = torch.randn(2, 3, 6, 6, requires_grad=True)
    w = torch.randn(4, 3, 3, 3, requires_grad=True)
    tlax.conv_general_dilated(x, w, (2, 2), ((1, 0), (0, 2)), lhs_dilation=(1, 2)).sum().backward()
    jx, jw = jax.grad(lambda a, b: lax.conv_general_dilated(a, b, (2, 2), ((1, 0), (0, 2)), lhs_dilation=(1, 2)).sum(),
                      argnums=(0, 1))(jnp.asarray(x.detach().numpy()), jnp.asarray(w.detach().numpy()))
    same(jx, x.grad, 1e-4)
    same(jw, w.grad, 1e-4)


SHAPE_CASES = [
    ((2, 9, 8, 3), (3, 3, 3, 5), (2, 2), "SAME", ("NHWC", "HWIO", "NHWC")),
    ((2, 9, 8, 3), (3, 2, 3, 5), (1, 3), "VALID", ("NHWC", "HWIO", "NHWC")),
    ((2, 3, 9, 8), (5, 3, 2, 2), (1, 1), ((1, 2), (0, -1)), ("NCHW", "OIHW", "NCHW")),
    ((9, 2, 3), (3, 3, 4), (2,), "SAME", ("HNC", "HIO", "NHC")),
]


@pytest.mark.parametrize("lhs,rhs,strides,padding,dn", SHAPE_CASES)
def test_shape_helpers_match_jax(lhs, rhs, strides, padding, dn):
    assert tlax.conv_general_shape_tuple(lhs, rhs, strides, padding, dn) == tuple(
        int(d) for d in lax.conv_general_shape_tuple(lhs, rhs, strides, padding, dn))
    assert tlax.conv_transpose_shape_tuple(lhs, rhs, strides, padding, dn) == tuple(
        int(d) for d in lax.conv_transpose_shape_tuple(lhs, rhs, strides, padding, dn))


@pytest.mark.parametrize("padding", ["SAME", "SAME_LOWER", "VALID", "same"])
def test_padtype_to_pads_matches_jax(padding):
    args = ((10, 7, 5, 1), (3, 4, 5, 2), (3, 2, 1, 1))
    assert tlax.padtype_to_pads(*args, padding) == [tuple(p) for p in lax.padtype_to_pads(*args, padding)]


def test_padtype_to_pads_rejects_unknown():
    with pytest.raises(RuntimeError, match="Unrecognized padding type"):
        tlax.padtype_to_pads((4,), (2,), (1,), "FULL")


PAD_CASES = [
    [(2, 3, 0), (0, 0, 0)],
    [(0, 0, 1), (1, 2, 2)],
    [(-1, -2, 0), (1, -1, 1)],
    [(-2, 1, 2), (-3, -3, 3)],
    [(0, -5, 1), (0, 0, 0)],
]


@pytest.mark.parametrize("config", PAD_CASES, ids=[str(i) for i in range(len(PAD_CASES))])
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_pad_matches_jax(config, dtype):
    x = arr(4, 3, dtype=dtype, ints=True)
    same(lax.pad(jnp.asarray(x), dtype(-7), config), tlax.pad(t(x), -7, config))


def test_pad_empty_and_negative_errors():
    same(lax.pad(jnp.zeros((0, 2)), 1.0, [(1, 1, 3), (0, 0, 0)]), tlax.pad(torch.zeros(0, 2), 1.0, [(1, 1, 3), (0, 0, 0)]))
    with pytest.raises(ValueError, match="negative dimension"):
        tlax.pad(torch.zeros(3), 0.0, [(-2, -2, 0)])


WINDOW_CASES = [
    # (shape, init, jax computation, torch computation, kwargs)
    ((2, 7, 8, 3), -np.inf, lax.max, torch.maximum, dict(window_dimensions=(1, 3, 3, 1), window_strides=(1, 2, 2, 1),
                                                          padding="SAME")),
    ((2, 7, 8, 3), 0.0, lax.add, torch.add, dict(window_dimensions=(1, 2, 3, 1), window_strides=(1, 2, 1, 1),
                                                  padding="VALID")),
    ((7, 8), 2.5, lax.add, torch.add, dict(window_dimensions=(3, 2), window_strides=(2, 1), padding=((1, 2), (2, 0)))),
    ((7, 8), 1.0, lax.mul, torch.mul, dict(window_dimensions=(2, 2), window_strides=(1, 1), padding="SAME_LOWER")),
    ((7, 8), np.inf, lax.min, torch.minimum, dict(window_dimensions=(3, 3), window_strides=(1, 2),
                                                   padding=((1, 1), (1, 1)), window_dilation=(2, 1))),
    ((5, 4), 0.5, lax.max, torch.maximum, dict(window_dimensions=(2, 2), padding=((1, 0), (0, 1)),
                                                base_dilation=(2, 3))),
    ((9,), 10.0, lax.add, operator.add, dict(window_dimensions=(3,), window_strides=(2,), padding=((2, 2),),
                                             base_dilation=(2,), window_dilation=(2,))),
    ((6, 5), 1.0, lambda a, b: a + 2 * b, lambda a, b: a + 2 * b, dict(window_dimensions=(2, 3), window_strides=(1, 1), padding="SAME")),
    ((6, 5), 0.0, lambda a, b: jnp.maximum(a, jnp.abs(b)), lambda a, b: torch.maximum(a, torch.abs(b)),
     dict(window_dimensions=(3, 2), window_strides=(2, 2), padding=((1, 1), (0, 1)), base_dilation=(1, 2))),
    ((6, 5), 0.0, lax.add, torch.add, dict(window_dimensions=(9, 2), padding="VALID")),
    ((6, 5), -np.inf, jnp.logaddexp, torch.logaddexp, dict(window_dimensions=(2, 3), window_strides=(1, 1),
                                                          padding="SAME")),
    ((6, 5), 0.3, jnp.maximum, tnp.maximum,
     dict(window_dimensions=(2, 2), window_strides=(2, 1), padding=((1, 1), (1, 0)))),
]


@pytest.mark.parametrize("shape,init,jfn,tfn,kwargs", WINDOW_CASES, ids=[str(i) for i in range(len(WINDOW_CASES))])
def test_reduce_window_matches_jax(shape, init, jfn, tfn, kwargs):
    x = arr(*shape)
    expected = lax.reduce_window(jnp.asarray(x), np.float32(init), jfn, **kwargs)
    same(expected, tlax.reduce_window(t(x), init, tfn, **kwargs), tol=1e-5)


@pytest.mark.parametrize("jfn,tfn,init", [(lax.add, torch.add, 0), (lax.max, torch.maximum, -2**31),
                                          (lax.mul, torch.mul, 1), (lax.min, torch.minimum, 3)])
def test_reduce_window_integer_dtype_kept(jfn, tfn, init):
    x = arr(5, 6, dtype=np.int32, ints=True)
    kwargs = dict(window_dimensions=(2, 3), window_strides=(1, 2), padding="SAME")
    same(lax.reduce_window(jnp.asarray(x), np.int32(init), jfn, **kwargs), tlax.reduce_window(t(x), init, tfn, **kwargs))


def test_reduce_window_fast_path_agrees_with_the_generic_fold():
    """The unfold path (recognised torch functions) and the per-offset fold give the same numbers."""
    x = t(arr(7, 6))
    kwargs = dict(window_dimensions=(3, 2), window_strides=(2, 1), padding=((2, 1), (0, 3)),
                  base_dilation=(2, 1), window_dilation=(1, 2))
    for fast, init in ((torch.add, 1.5), (torch.mul, -2.0), (torch.maximum, 0.0), (torch.minimum, 0.0),
                       (torch.logaddexp, 0.0)):
        generic = tlax.reduce_window(x, init, lambda a, b, f=fast: f(a, b), **kwargs)
        torch.testing.assert_close(tlax.reduce_window(x, init, fast, **kwargs), generic)


def test_reduce_window_variadic_tuple_operands():
    x, y = arr(6, 5), arr(6, 5)

    def jcomp(a, b):
        return a[0] + b[0], jnp.maximum(a[1], b[1])

    def tcomp(a, b):
        return a[0] + b[0], torch.maximum(a[1], b[1])

    kwargs = dict(window_dimensions=(2, 2), window_strides=(2, 1), padding="SAME")
    jout = lax.reduce_window((jnp.asarray(x), jnp.asarray(y)), (np.float32(0), np.float32(-np.inf)), jcomp, **kwargs)
    tout = tlax.reduce_window((t(x), t(y)), (0.0, -np.inf), tcomp, **kwargs)
    assert isinstance(tout, tuple) and len(tout) == 2
    same(jout[0], tout[0])
    same(jout[1], tout[1])


def test_reduce_window_shape_tuple_matches_jax():
    args = ((2, 9, 8, 3), (1, 3, 2, 1), (1, 2, 3, 1), ((0, 0), (1, 2), (0, 1), (0, 0)), (1, 2, 1, 1), (1, 1, 2, 1))
    assert tlax.reduce_window_shape_tuple(*args) == tuple(int(d) for d in lax.reduce_window_shape_tuple(*args))


def test_reduce_window_max_pool_gradient_matches_jax():
    x = arr(1, 6, 6, 2)
    kwargs = dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 2, 2, 1), padding="VALID")
    jg = jax.grad(lambda v: lax.reduce_window(v, -jnp.inf, lax.max, **kwargs).sum())(jnp.asarray(x))
    tx = t(x).requires_grad_(True)
    tlax.reduce_window(tx, -np.inf, torch.maximum, **kwargs).sum().backward()
    same(jg, tx.grad)
