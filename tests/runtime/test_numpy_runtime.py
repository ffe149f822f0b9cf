"""jax2torch_runtime.numpy and .nn against real JAX on the corners the rule examples skip:
NumPy float64 data, copies, scalars on either side, repeated/negative axes, empty and
out-of-range inputs."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
import torch
from jax import nn as jnn
from jax.scipy import special

from jax2torch_runtime import nn as tnn
from jax2torch_runtime import numpy as tnp
from jax2torch_runtime import transforms


def same(jax_value, torch_value, exact=False):
    j, t = np.asarray(jax_value), torch_value.detach().numpy()
    assert j.shape == t.shape
    if exact:
        assert np.array_equal(j, t)
    else:
        np.testing.assert_allclose(t, j, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("data", [np.linspace(0, 1, 5), [1.5, 2.5], [[1, 2], [3, 4]], 3.0, np.arange(4, dtype=np.int64)])
def test_array_dtype_follows_jax_without_x64(data):
    j, t = jnp.array(data), tnp.array(data)
    assert str(j.dtype) == str(t.dtype).replace("torch.", "") or (j.dtype == jnp.int32 and t.dtype == torch.int64)
    same(j, t)


def test_array_copies_tensors_and_asarray_does_not():
    x = torch.zeros(3)
    assert tnp.array(x).data_ptr() != x.data_ptr()
    assert tnp.asarray(x) is x


def test_array_stacks_lists_of_tensors_with_promotion():
    out = tnp.array([torch.ones(2, dtype=torch.int32), torch.full((2,), 0.5)])
    assert out.dtype == torch.float32 and out.tolist() == [[1.0, 1.0], [0.5, 0.5]]


@pytest.mark.parametrize("a,b", [(0, "x"), ("x", 0.5), ("x", "x"), (2, 3)])
def test_maximum_minimum_take_scalars_on_either_side(a, b):
    x = np.array([-1.0, 0.25, 2.0], np.float32)
    ja, jb = (jnp.asarray(x) if v == "x" else v for v in (a, b))
    ta, tb = (torch.from_numpy(x) if v == "x" else v for v in (a, b))
    same(jnp.maximum(ja, jb), tnp.maximum(ta, tb))
    same(jnp.minimum(ja, jb), tnp.minimum(ta, tb))


def test_maximum_propagates_nan_like_jax():
    x = np.array([np.nan, 1.0], np.float32)
    same(jnp.maximum(x, 0.0), tnp.maximum(torch.from_numpy(x), 0.0))


@pytest.mark.parametrize("axis", [0, -1, (0, 1), (-1, 0), (1, 3)])
def test_expand_dims_matches_jax(axis):
    x = np.ones((2, 3), np.float32)
    assert tuple(tnp.expand_dims(torch.from_numpy(x), axis).shape) == jnp.expand_dims(x, axis).shape


def test_expand_dims_rejects_repeated_axes():
    with pytest.raises(ValueError):
        tnp.expand_dims(torch.ones(2), (0, -3))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 2, 3), (4, 3, 5)), ((), (3,))])
def test_dot_matches_jax_for_every_rank(sa, sb):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa).astype(np.float32), rng.standard_normal(sb).astype(np.float32)
    same(jnp.dot(a, b), tnp.dot(torch.from_numpy(np.array(a)), torch.from_numpy(b)))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumulative_and_flip_and_sort_axis_none(axis):
    x = np.array([[3, -1, 2], [0, 5, -4]], np.int32)
    t = torch.from_numpy(x)
    same(jnp.cumsum(x, axis=axis), tnp.cumsum(t, axis=axis), exact=True)
    same(jnp.flip(x, axis=axis), tnp.flip(t, axis=axis), exact=True)
    same(jnp.sort(x, axis=axis), tnp.sort(t, axis=axis), exact=True)


def test_transpose_of_a_vector_and_of_a_scalar():
    same(jnp.transpose(jnp.arange(3)), tnp.transpose(torch.arange(3)), exact=True)
    same(jnp.transpose(jnp.float32(2)), tnp.transpose(torch.tensor(2.0)), exact=True)


def test_one_hot_out_of_range_and_negative_labels_give_zero_rows():
    labels = np.array([0, 3, -1, 7], np.int32)
    same(jnn.one_hot(labels, 4), tnn.one_hot(torch.from_numpy(labels), 4), exact=True)
    assert tnn.one_hot(torch.from_numpy(labels), 4).dtype == torch.float32


def test_one_hot_axis_in_the_middle():
    labels = np.array([[0, 2], [1, 1]], np.int32)
    same(jnn.one_hot(labels, 3, axis=1), tnn.one_hot(torch.from_numpy(labels), 3, axis=1), exact=True)


@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
def test_logsumexp_with_infinities_and_weights(axis):
    x = np.array([[-np.inf, 0.0], [-np.inf, -np.inf]], np.float32)
    b = np.array([[1.0, 2.0], [0.5, 1.0]], np.float32)
    same(special.logsumexp(x, axis=axis), tnn.logsumexp(torch.from_numpy(x), axis=axis))
    same(special.logsumexp(x, axis=axis, b=b), tnn.logsumexp(torch.from_numpy(x), axis=axis, b=torch.from_numpy(b)))


def test_logsumexp_of_an_empty_axis_is_minus_inf():
    same(special.logsumexp(np.zeros((0,), np.float32)), tnn.logsumexp(torch.zeros(0)))


def test_softmax_over_all_axes_matches_scipy_special():
    x = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    same(special.softmax(x), tnn.softmax(torch.from_numpy(x), axis=None))
    same(jnn.log_softmax(x, axis=(0, 1)), tnn.log_softmax(torch.from_numpy(x), axis=(0, 1)))


# ---- pad / take / unique / quantiles / nan reductions / interp / convolve ----------------------

RNG = np.random.default_rng(3)
PAD_X = RNG.standard_normal((3, 4)).astype(np.float32)
PAD_INT = RNG.integers(-5, 5, (3, 4)).astype(np.int32)


@pytest.mark.parametrize("mode,kw", [("constant", {"constant_values": ((1, 2), (3, 4))}), ("edge", {}), ("wrap", {}),
                                     ("reflect", {}), ("symmetric", {}), ("linear_ramp", {"end_values": (1, -2)}),
                                     ("maximum", {}), ("minimum", {"stat_length": 2}), ("mean", {"stat_length": (1, 3)}),
                                     ("median", {}), ("empty", {})])
@pytest.mark.parametrize("width", [((1, 2), (3, 7)), 2, ((9, 1), (0, 11)), (0,)])
def test_pad_every_mode_and_width_form(mode, kw, width):
    for data in (PAD_X, PAD_INT):
        same(jnp.pad(data, width, mode, **kw), tnp.pad(torch.from_numpy(data), width, mode, **kw))


def test_pad_rejects_what_it_cannot_reproduce():
    with pytest.raises(NotImplementedError):
        tnp.pad(torch.ones(3), 1, "reflect", reflect_type="odd")
    with pytest.raises(ValueError):
        tnp.pad(torch.ones(3), -1)
    with pytest.raises(ValueError):
        tnp.pad(torch.ones(0), 1, "edge")


@pytest.mark.parametrize("mode", [None, "fill", "clip", "wrap"])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_])
def test_take_out_of_range_conventions(mode, dtype):
    data = (RNG.standard_normal((4, 5)) * 3).astype(dtype)
    idx = np.array([[-9, -5, -1], [0, 4, 7]])
    for axis in (None, 0, 1, -1):
        got = tnp.take(torch.from_numpy(data), torch.from_numpy(idx), axis=axis, mode=mode)
        np.testing.assert_array_equal(got.numpy(), np.asarray(jnp.take(data, idx, axis=axis, mode=mode)))


@pytest.mark.parametrize("size,fill", [(None, None), (3, None), (12, None), (12, -7)])
def test_unique_matches_jax_including_size_padding(size, fill):
    data = RNG.integers(0, 6, (3, 4)).astype(np.int32)
    kw = dict(return_index=True, return_inverse=True, return_counts=True, size=size, fill_value=fill)
    for j, t in zip(jnp.unique(data, **kw), tnp.unique(torch.from_numpy(data), **kw)):
        same(j, t, exact=True)


def test_unique_merges_nans_and_handles_axis():
    data = np.array([1.0, np.nan, 2.0, np.nan, 1.0], np.float32)
    for j, t in zip(jnp.unique(data, return_counts=True), tnp.unique(torch.from_numpy(data), return_counts=True)):
        np.testing.assert_array_equal(np.asarray(j), t.numpy())
    rows = np.array([[1, 2], [1, 2], [0, 5], [1, 0]], np.int32)
    for j, t in zip(jnp.unique(rows, axis=0, return_index=True, return_inverse=True, return_counts=True),
                    tnp.unique(torch.from_numpy(rows), axis=0, return_index=True, return_inverse=True, return_counts=True)):
        same(j, t, exact=True)


def _with_nans(shape):
    x = RNG.standard_normal(shape).astype(np.float32)
    x[0, 0] = np.nan
    x[1] = np.nan
    return x


@pytest.mark.parametrize("name", ["nanmax", "nanmin", "nanargmax", "nanargmin", "nanprod", "nanvar", "nanstd",
                                  "nancumsum", "nancumprod", "nanmedian"])
def test_nan_reductions_including_all_nan_slices(name):
    x = _with_nans((3, 4))
    for axis in (None, 0, 1):
        j, t = getattr(jnp, name)(x, axis=axis), getattr(tnp, name)(torch.from_numpy(x), axis=axis)
        np.testing.assert_allclose(t.numpy(), np.asarray(j), rtol=1e-5, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_methods_axes_and_keepdims(method):
    x = RNG.standard_normal((4, 6, 2)).astype(np.float32)
    q = np.array([0.1, 0.5, 0.75], np.float32)
    for axis, keep in ((None, False), (1, True), ((0, 2), True), ((0, 2), False)):
        same(jnp.quantile(x, q, axis=axis, method=method, keepdims=keep),
             tnp.quantile(torch.from_numpy(x), torch.from_numpy(q), axis=axis, method=method, keepdims=keep))
    ints = RNG.integers(0, 9, (4, 6)).astype(np.int32)  # even count: 'nearest' ties go to the lower value
    same(jnp.percentile(ints, 50, axis=0, method=method), tnp.percentile(torch.from_numpy(ints), 50, axis=0, method=method))


def test_percentile_scales_q_like_xla():
    x = np.concatenate([np.arange(21.0), [np.nan] * 3]).astype(np.float32)
    for q in (20.0, 35.0, 60.0):
        same(jnp.nanpercentile(x, q, method="lower"), tnp.nanpercentile(torch.from_numpy(x), q, method="lower"), exact=True)


@pytest.mark.parametrize("kw", [{}, {"left": -1.0, "right": 5.0}, {"left": "extrapolate", "right": "extrapolate"}, {"period": 1.5}])
def test_interp_options(kw):
    xp = np.sort(RNG.standard_normal(7)).astype(np.float32)
    xp[3] = xp[2]  # a repeated abscissa: JAX's zero-width guard
    fp, x = RNG.standard_normal(7).astype(np.float32), (RNG.standard_normal(20) * 2).astype(np.float32)
    same(jnp.interp(x, xp, fp, **kw), tnp.interp(*map(torch.from_numpy, (x, xp, fp)), **kw))


@pytest.mark.parametrize("op", ["convolve", "correlate"])
@pytest.mark.parametrize("la,lb", [(5, 3), (3, 6), (4, 4), (1, 5)])
def test_convolve_correlate_all_modes_and_operand_orders(op, la, lb):
    a, b = RNG.standard_normal(la).astype(np.float32), RNG.standard_normal(lb).astype(np.float32)
    for mode in ("full", "same", "valid"):
        same(getattr(jnp, op)(a, b, mode=mode), getattr(tnp, op)(torch.from_numpy(a), torch.from_numpy(b), mode=mode))


def test_histogram_float_data_and_explicit_edges():
    x = RNG.standard_normal(200).astype(np.float32)
    for kw in ({}, {"bins": 7, "range": (-1.0, 1.0)}, {"bins": np.array([-2.0, 0.0, 0.3, 3.0], np.float32), "density": True}):
        tkw = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        for j, t in zip(jnp.histogram(x, **kw), tnp.histogram(torch.from_numpy(x), **tkw)):
            same(j, t)


# ---- set operations, insert/delete, partition, vectorize (rows J2T1700-J2T1721) -----------------

def _set_inputs(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 8, size=rng.integers(1, 7)).astype(np.int32)
    b = rng.integers(0, 8, size=rng.integers(1, 7)).astype(np.int32)
    return a, b


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("size", [None, 1, 4, 9])
@pytest.mark.parametrize("name", ["intersect1d", "union1d", "setdiff1d", "setxor1d"])
def test_set_operations_match_jax_with_and_without_size(name, size, seed):
    a, b = _set_inputs(seed)
    kwargs = {} if size is None else {"size": size}
    same(getattr(jnp, name)(a, b, **kwargs), getattr(tnp, name)(torch.from_numpy(a), torch.from_numpy(b), **kwargs), exact=True)
    if size is not None:
        kwargs["fill_value"] = -3
        same(getattr(jnp, name)(a, b, **kwargs), getattr(tnp, name)(torch.from_numpy(a), torch.from_numpy(b), **kwargs), exact=True)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("size", [None, 2, 9])
def test_intersect1d_indices_match_jax(seed, size):
    a, b = _set_inputs(seed)
    kwargs = {} if size is None else {"size": size}
    got = tnp.intersect1d(torch.from_numpy(a), torch.from_numpy(b), return_indices=True, **kwargs)
    for j, t in zip(jnp.intersect1d(a, b, return_indices=True, **kwargs), got):
        same(j, t, exact=True)


def test_union1d_of_empty_inputs_with_size_needs_fill_value_like_jax():
    empty = torch.zeros(0, dtype=torch.int32)
    with pytest.raises(ValueError, match="fill_value"):
        tnp.union1d(empty, empty, size=3)
    assert tnp.union1d(empty, empty, size=3, fill_value=4).tolist() == [4, 4, 4]


@pytest.mark.parametrize("obj", [0, 4, -1, -4, 9, [3, 1, 1, -1], [0, 4]])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_insert_matches_jax(obj, axis):
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    count = len(obj) if isinstance(obj, list) else 2
    if axis is None:
        values = np.arange(count, dtype=np.float32) + 100
    elif isinstance(obj, list):  # one slice per index along the axis
        values = np.arange(count * 4 if axis == 0 else count * 3, dtype=np.float32).reshape((count, 4) if axis == 0 else (3, count))
    else:  # a scalar index: JAX moves the values' first axis to `axis`
        values = np.arange(count * 4 if axis == 0 else count * 3, dtype=np.float32).reshape((count, 4) if axis == 0 else (count, 3))
    index = np.asarray(obj) if isinstance(obj, list) else obj
    if isinstance(obj, list) and max(obj) > (x.size if axis is None else x.shape[axis]):
        pytest.skip("index past the end")
    got = tnp.insert(torch.from_numpy(x), torch.as_tensor(index) if isinstance(obj, list) else obj,
                     torch.from_numpy(values), axis=axis)
    same(jnp.insert(x, index, values, axis=axis), got, exact=True)


@pytest.mark.parametrize("obj", [0, -1, [0, 2, 2, -1], slice(None, None, 2), slice(-2, None)])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_delete_matches_jax(obj, axis):
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    index = np.asarray(obj) if isinstance(obj, list) else obj
    got = tnp.delete(torch.from_numpy(x), torch.as_tensor(index) if isinstance(obj, list) else obj, axis=axis)
    same(jnp.delete(x, index, axis=axis), got, exact=True)


def test_delete_rejects_an_out_of_range_scalar_and_a_wrong_mask():
    x = torch.arange(4)
    with pytest.raises(IndexError):
        tnp.delete(x, 4)
    with pytest.raises(ValueError, match="boolean"):
        tnp.delete(x, torch.tensor([True, False]))


@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.uint8])
@pytest.mark.parametrize("seed", range(10))
def test_partition_and_argpartition_match_jax_exactly(dtype, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 6, size=rng.integers(1, 4)))
    x = rng.integers(0, 4, size=shape).astype(dtype)  # many duplicates
    axis = int(rng.integers(-len(shape), len(shape)))
    kth = int(rng.integers(-shape[axis], shape[axis]))
    t = torch.from_numpy(x)
    same(jnp.partition(x, kth, axis=axis), tnp.partition(t, kth, axis=axis), exact=True)
    same(jnp.argpartition(x, kth, axis=axis), tnp.argpartition(t, kth, axis=axis), exact=True)


def test_partition_rejects_out_of_range_kth():
    with pytest.raises(ValueError, match="kth"):
        tnp.partition(torch.arange(3), 3)


@pytest.mark.parametrize(("signature", "shapes"), [
    (None, [(4, 1), (3,)]),
    ("(n),(n)->()", [(2, 1, 3), (5, 3)]),
    ("(m,n),(n)->(m)", [(1, 2, 3), (4, 1, 3)]),
    ("(n)->(n),()", [(3, 1, 4)]),
])
def test_vectorize_matches_jax_broadcasting(signature, shapes):
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    funcs = {
        None: lambda a, b: a * b + 1,
        "(n),(n)->()": lambda a, b: (a * b).sum(),
        "(m,n),(n)->(m)": lambda m, v: m @ v,
        "(n)->(n),()": lambda a: (a - a.mean(), a.max()),
    }
    f = funcs[signature]
    j = jnp.vectorize(f, signature=signature)(*args)
    t = tnp.vectorize(f, signature=signature)(*map(torch.from_numpy, args))
    for jv, tv in zip(j if isinstance(j, tuple) else (j,), t if isinstance(t, tuple) else (t,)):
        same(jv, tv)


def test_vectorize_checks_core_sizes_and_signature():
    f = tnp.vectorize(lambda a, b: (a * b).sum(), signature="(n),(n)->()")
    with pytest.raises(ValueError, match="core dimension"):
        f(torch.ones(2, 3), torch.ones(4))
    with pytest.raises(ValueError, match="signature"):
        tnp.vectorize(abs, signature="(n->()")(torch.ones(2))


def test_result_type_keeps_python_scalars_weak():
    assert tnp.result_type(torch.zeros(2, dtype=torch.int8), 3) == torch.int8
    assert tnp.result_type(torch.zeros(2, dtype=torch.int8), 3.0) == torch.float32
    assert tnp.result_type(torch.float16, torch.bfloat16, torch.uint8) == torch.float32
    assert tnp.result_type(torch.zeros(2, dtype=torch.float16), 1j) == torch.complex64
    assert tnp.result_type(2.0) == torch.float32


def test_asarray_copies_numpy_data_like_jax():
    """A reused NumPy batch buffer must not show later writes through a converted tensor."""
    buffer = np.zeros(3, np.float32)
    buffer[:] = [1, 2, 3]
    first = tnp.asarray(buffer)
    device_first = transforms.device_put(buffer)
    buffer[:] = [7, 8, 9]
    assert first.tolist() == [1, 2, 3] and device_first.tolist() == [1, 2, 3]
    assert tnp.asarray(np.ones(2)).dtype == torch.float32  # x64 off: float64 data -> float32
    t = torch.ones(2)
    assert tnp.asarray(t) is t  # a tensor is already an array: no copy, as in JAX
