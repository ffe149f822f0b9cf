"""runtime's jax.scipy.signal convolutions and jax.image resampling against JAX itself: every mode
and method, operand swaps, ranks 0 to 5, dtypes, up- and down-sampling with and without
antialiasing, gradients, and the errors JAX raises."""

import jax
import jax.numpy as jnp
import jax.scipy.signal as jss
import numpy as np
import pytest
import torch
from jax2torch_runtime import image as ji
from jax2torch_runtime import scipy as js

RNG = np.random.default_rng(11)


def _data(shape, dtype=np.float32):
    if np.issubdtype(dtype, np.integer):
        return RNG.integers(-5, 5, size=shape).astype(dtype)
    values = RNG.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        values = values + 1j * RNG.standard_normal(shape)
    return values.astype(dtype)


def _close(got: torch.Tensor, want, rtol=1e-5, atol=1e-5):
    want = np.asarray(want)
    assert tuple(got.shape) == want.shape
    assert str(got.dtype).removeprefix("torch.") == str(want.dtype)
    np.testing.assert_allclose(got.detach().float().numpy() if got.dtype == torch.bfloat16 else got.detach().numpy(),
                               want.astype(np.float32) if want.dtype == jnp.bfloat16 else want, rtol=rtol, atol=atol)


# ---- jax.scipy.signal ---------------------------------------------------------------------------

ND_SHAPES = [((), ()), ((9,), (4,)), ((3,), (8,)), ((5,), (5,)), ((6, 7), (3, 2)), ((2, 3), (5, 6)),
             ((5, 4, 6), (2, 3, 3)), ((2, 2, 3), (4, 5, 3)), ((4, 3, 5, 3), (2, 2, 3, 2)),
             ((3, 2, 3, 2, 3), (2, 2, 2, 2, 2))]
MODES = ["full", "same", "valid"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shapes", ND_SHAPES, ids=str)
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_nd_matches_jax(name, shapes, mode):
    a, b = _data(shapes[0]), _data(shapes[1])
    want = getattr(jss, name)(a, b, mode)
    _close(getattr(js.signal, name)(torch.from_numpy(a), torch.from_numpy(b), mode), want)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shapes", [((9,), (4,)), ((3, 4), (5, 6)), ((6, 5, 4), (2, 3, 2)), ((4, 4), (4, 4))], ids=str)
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_fft_method_matches_jax(name, shapes, mode):
    a, b = _data(shapes[0]), _data(shapes[1])
    want = getattr(jss, name)(a, b, mode, method="fft")
    _close(getattr(js.signal, name)(torch.from_numpy(a), torch.from_numpy(b), mode, method="fft"), want, 1e-4, 1e-4)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shapes", [((5, 6), (3, 3)), ((6, 5), (2, 4)), ((2, 3), (4, 6)), ((3, 4), (3, 4)),
                                    ((1, 5), (1, 2)), ((2, 5), (3, 7))], ids=str)
@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
def test_2d_matches_jax(name, shapes, mode):
    a, b = _data(shapes[0]), _data(shapes[1])
    want = getattr(jss, name)(a, b, mode)
    _close(getattr(js.signal, name)(torch.from_numpy(a), torch.from_numpy(b), mode), want)


@pytest.mark.parametrize("dtypes", [(np.int32, np.int32), (np.int32, np.float16), (np.bool_, np.bool_),
                                    (np.complex64, np.complex64), (np.float32, np.complex64), (np.float16, np.float16)],
                         ids=str)
@pytest.mark.parametrize("name", ["convolve", "correlate", "convolve2d", "correlate2d"])
def test_dtype_promotion_matches_jax(name, dtypes):
    a, b = _data((5, 6), dtypes[0]), _data((3, 2), dtypes[1])
    want = getattr(jss, name)(a, b, "same")
    tol = 1e-2 if np.float16 in dtypes else 1e-5
    _close(getattr(js.signal, name)(torch.from_numpy(a), torch.from_numpy(b), "same"), want, tol, tol)


def test_bfloat16_computes_in_float32_and_rounds_back():
    a, b = _data((7, 6)), _data((3, 3))
    want = jss.convolve(jnp.asarray(a, jnp.bfloat16), jnp.asarray(b, jnp.bfloat16))
    got = js.signal.convolve(torch.from_numpy(a).bfloat16(), torch.from_numpy(b).bfloat16())
    _close(got, want, 2e-2, 2e-2)


def test_python_lists_are_accepted_like_jax():
    _close(js.signal.convolve([1, 2, 3, 2, 1], [1, 1, 1], "same"), jss.convolve(jnp.array([1, 2, 3, 2, 1]),
                                                                                  jnp.array([1, 1, 1]), "same"))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name,shapes", [("convolve", ((7, 5), (3, 2))), ("correlate", ((3, 4, 2), (5, 6, 2))),
                                         ("convolve2d", ((6, 4), (2, 3))), ("correlate2d", ((2, 3), (4, 5)))], ids=str)
def test_gradients_match_jax(name, shapes, mode):
    a, b = _data(shapes[0]), _data(shapes[1])
    cot = _data(np.asarray(getattr(jss, name)(a, b, mode)).shape)
    want = jax.grad(lambda x, y: jnp.sum(getattr(jss, name)(x, y, mode) * cot), argnums=(0, 1))(a, b)
    ta, tb = torch.from_numpy(a).requires_grad_(), torch.from_numpy(b).requires_grad_()
    (getattr(js.signal, name)(ta, tb, mode) * torch.from_numpy(cot)).sum().backward()
    _close(ta.grad, want[0], 1e-4, 1e-4)
    _close(tb.grad, want[1], 1e-4, 1e-4)


@pytest.mark.parametrize("call", [
    lambda s, a, b: s.convolve(a, b, "middle"),
    lambda s, a, b: s.convolve(a, b, method="winograd"),
    lambda s, a, b: s.convolve(a, b[0]),
    lambda s, a, b: s.convolve(a, b),
    lambda s, a, b: s.convolve(a[:0], b),
    lambda s, a, b: s.convolve2d(a[0], b[0]),
    lambda s, a, b: s.correlate2d(a, b, boundary="wrap"),
    lambda s, a, b: s.convolve2d(a, b, fillvalue=1.0),
], ids=["mode", "method", "rank", "no-larger-operand", "empty", "2d-rank", "boundary", "fillvalue"])
def test_errors_match_jax(call):
    a, b = _data((4, 6)), _data((5, 3))
    with pytest.raises(Exception) as want:
        call(jss, jnp.asarray(a), jnp.asarray(b))
    with pytest.raises(type(want.value)):
        call(js.signal, torch.from_numpy(a), torch.from_numpy(b))


# ---- jax.image ----------------------------------------------------------------------------------

METHODS = ["nearest", "linear", "bilinear", "cubic", "tricubic", "lanczos3", "lanczos5", "area", "cubic-pytorch"]
RESIZES = [((8,), (3,)), ((3,), (8,)), ((7,), (5,)), ((10,), (10,)), ((5, 7, 3), (9, 4, 3)), ((2, 6, 6, 3), (2, 3, 13, 3)),
           ((2, 3, 4, 5), (3, 5, 2, 7)), ((4, 9), (4, 1)), ((16, 16), (5, 5))]


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("shapes", RESIZES, ids=str)
@pytest.mark.parametrize("method", METHODS)
def test_resize_matches_jax(method, shapes, antialias):
    x = _data(shapes[0])
    want = jax.image.resize(x, shapes[1], method, antialias=antialias)
    _close(ji.resize(torch.from_numpy(x), shapes[1], method, antialias=antialias), want, 1e-5, 2e-6)


@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3"])
def test_resize_channels_and_batch_are_untouched(method):
    x = _data((2, 5, 5, 3))
    out = ji.resize(torch.from_numpy(x), (2, 5, 5, 3), method)
    np.testing.assert_allclose(out.numpy(), x, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.float16, np.complex64])
@pytest.mark.parametrize("method", ["nearest", "linear", "lanczos3"])
def test_resize_dtypes_match_jax(method, dtype):
    x = _data((6, 5), dtype) if dtype != np.uint8 else RNG.integers(0, 255, size=(6, 5)).astype(np.uint8)
    want = jax.image.resize(x, (4, 9), method)
    tol = 5e-3 if dtype == np.float16 else 1e-4
    _close(ji.resize(torch.from_numpy(x), (4, 9), method), want, tol, tol)


def test_resize_accepts_jax_and_runtime_enums():
    x = _data((5, 6))
    want = jax.image.resize(x, (8, 3), jax.image.ResizeMethod.LANCZOS5)
    _close(ji.resize(torch.from_numpy(x), (8, 3), ji.ResizeMethod.LANCZOS5), want)
    _close(ji.resize(torch.from_numpy(x), (8, 3), jax.image.ResizeMethod.LANCZOS5), want)
    assert [m.name for m in ji.ResizeMethod] == [m.name for m in jax.image.ResizeMethod]


def test_resize_to_zero_size():
    x = _data((4, 5))
    _close(ji.resize(torch.from_numpy(x), (0, 5), "linear"), jax.image.resize(x, (0, 5), "linear"))


@pytest.mark.parametrize("method,antialias", [("linear", True), ("cubic", False), ("lanczos3", True), ("area", True),
                                              ("cubic-pytorch", False)])
@pytest.mark.parametrize("out_shape", [(3, 4), (11, 9)], ids=str)
def test_resize_gradient_matches_jax(method, antialias, out_shape):
    x, cot = _data((6, 5)), _data(out_shape)
    want = jax.grad(lambda v: jnp.sum(jax.image.resize(v, out_shape, method, antialias=antialias) * cot))(x)
    tx = torch.from_numpy(x).requires_grad_()
    (ji.resize(tx, out_shape, method, antialias=antialias) * torch.from_numpy(cot)).sum().backward()
    _close(tx.grad, want, 1e-4, 1e-5)


SCALE_TRANSLATE = [  # (input shape, output shape, spatial dims, scale, translation)
    ((5, 4), (7, 9), (0, 1), [1.5, 2.0], [0.5, -1.0]),
    ((2, 6, 4), (2, 3, 3), (1, 2), [0.5, 0.75], [0.0, 0.25]),
    ((8, 3), (8, 3), (0,), [1.0], [2.5]),
    ((3, 6, 2), (5, 6, 2), (-3,), [1.7], [-0.3]),
    ((9,), (4,), (0,), [0.3], [0.4]),
]


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3", "lanczos5", "area", "cubic-pytorch"])
@pytest.mark.parametrize("case", SCALE_TRANSLATE, ids=str)
def test_scale_and_translate_matches_jax(case, method, antialias):
    in_shape, out_shape, dims, scale, translation = case
    x = _data(in_shape)
    want = jax.image.scale_and_translate(x, out_shape, dims, jnp.array(scale), jnp.array(translation), method,
                                         antialias=antialias)
    got = ji.scale_and_translate(torch.from_numpy(x), out_shape, dims, torch.tensor(scale), torch.tensor(translation),
                                 method, antialias=antialias)
    _close(got, want, 1e-5, 2e-6)


def test_scale_and_translate_gradients_reach_scale_and_translation():
    x, cot = _data((6, 5)), _data((8, 4))
    scale, translation = np.array([1.3, 0.8], np.float32), np.array([0.2, -0.4], np.float32)

    def loss(v, s, t):
        return jnp.sum(jax.image.scale_and_translate(v, (8, 4), (0, 1), s, t, "cubic") * cot)

    want = jax.grad(loss, argnums=(0, 1, 2))(x, scale, translation)
    tx, ts, tt = (torch.from_numpy(a).requires_grad_() for a in (x, scale, translation))
    (ji.scale_and_translate(tx, (8, 4), (0, 1), ts, tt, "cubic") * torch.from_numpy(cot)).sum().backward()
    for got, ref in zip((tx.grad, ts.grad, tt.grad), want):
        _close(got, ref, 1e-4, 1e-4)


@pytest.mark.parametrize("call", [
    lambda m, x: m.resize(x, (3,), "linear"),
    lambda m, x: m.resize(x, (3, 3), "bogus"),
    lambda m, x: m.scale_and_translate(x, (3, 3), (0,), jnp.array([1.0]), jnp.array([0.0]), "nearest"),
], ids=["shape-rank", "method", "nearest-scale-and-translate"])
def test_image_errors_match_jax(call):
    x = _data((4, 4))
    with pytest.raises(ValueError):
        call(jax.image, jnp.asarray(x))
    with pytest.raises(ValueError):
        call(ji, torch.from_numpy(x))
