"""jnp.mgrid/ogrid/r_/c_ and jnp.polyfit from jax2torch_runtime.numpy against real JAX: slice
forms (negative, float and complex steps, open ends), dtypes, string directives, error cases, and
polyfit's weights/full/cov outputs over degrees 0..5 with 1-D and 2-D y."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
import torch

from jax2torch_runtime import numpy as tnp


def leaves(value):
    return [leaf for v in value for leaf in leaves(v)] if isinstance(value, (list, tuple)) else [value]


def same(jax_value, torch_value, *, exact=True, rtol=1e-6, atol=1e-6):
    """Same structure, shapes and dtypes (int64 standing for JAX's int32), and values."""
    jl, tl = leaves(jax_value), leaves(torch_value)
    assert len(jl) == len(tl)
    for j, t in zip(jl, tl):
        j, t = np.asarray(j), t.numpy()
        assert j.shape == t.shape
        assert j.dtype == t.dtype or (j.dtype, t.dtype) == (np.int32, np.int64), (j.dtype, t.dtype)
        if exact:
            assert np.array_equal(j, t)
        else:
            np.testing.assert_allclose(t, j, rtol=rtol, atol=atol)


GRID_KEYS = [
    "[0:5]", "[2:7]", "[:4]", "[3:]", "[::2]", "[5:0:-1]", "[-3:4:2]", "[0:1:0.1]",
    "[0.5:3]", "[0.1:1.7:0.2]", "[1:-1:-0.25]", "[0:3, 0:2]", "[:2, :3, :4]", "[0:3,]", "[()]",
    "[-1:1:0.3, 0:4]", "[0:0]", "[4:0]", "[0:n]", "[n:0:-1, 0:n:2]",
]
COMPLEX_KEYS = ["[0:1:5j]", "[-1:1:6j]", "[0:3, 0:1:3j]", "[1:2:7j, 0:10:3]", "[0:1:1j]", "[2:2:4j]", "[0:4:4j, :4]"]


@pytest.mark.parametrize("name", ["mgrid", "ogrid"])
@pytest.mark.parametrize("key", GRID_KEYS)
def test_grid_matches_jax_exactly(name, key):
    expr = f"grid{key}"
    same(eval(expr, {"grid": getattr(jnp, name), "n": 4}), eval(expr, {"grid": getattr(tnp, name), "n": 4}))


@pytest.mark.parametrize("name", ["mgrid", "ogrid"])
@pytest.mark.parametrize("key", COMPLEX_KEYS)
def test_complex_step_is_a_linspace(name, key):
    """Same shapes and float32 dtype; values to one float32 ulp (the runtime linspace vs XLA's)."""
    expr = f"grid{key}"
    same(eval(expr, {"grid": getattr(jnp, name)}), eval(expr, {"grid": getattr(tnp, name)}), exact=False)


def test_grid_bounds_may_be_tensors():
    same(jnp.mgrid[0:jnp.int32(3), 1:4], tnp.mgrid[0:torch.tensor(3), 1:4])
    same(jnp.mgrid[0:jnp.float32(1.5):0.5], tnp.mgrid[0:torch.tensor(1.5):0.5])
    same(jnp.ogrid[0:1:jnp.complex64(3j)], tnp.ogrid[0:1:torch.tensor(3j)], exact=False)


def test_mgrid_dtypes_follow_jax():
    assert tnp.mgrid[0:3].dtype in (torch.int32, torch.int64)
    assert tnp.mgrid[0:3:0.5].dtype == torch.float32
    assert tnp.mgrid[0:3, 0:1:0.5].dtype == torch.float32
    assert tnp.mgrid[0:1:3j].dtype == torch.float32


A = np.arange(6, dtype=np.int32).reshape(2, 3)
X = np.array([1.5, -2.0, 3.25], dtype=np.float32)
H = np.array([1.0, 2.0], dtype=np.float16)

CONCAT_KEYS = [
    "[-1:5:1, 0, 0, [1, 2, 3]]", "[1, 2.5]", "[True, 2]", "[x, 1.5]", "[h, 1.5]", "[h, 3]", "[1j, 2]",
    "[x, a[0]]", "[x]", "[[1.0, 2], x]", "['0,2', [1, 2, 3], [4, 5, 6]]", "['0,2,0', [1, 2, 3], [4, 5, 6]]",
    "['0,2,-2', [1, 2, 3], [4, 5, 6]]", "['0,2,-1', [1, 2, 3], [4, 5, 6]]", "['r', [1, 2, 3], [4, 5, 6]]",
    "['c', [1, 2, 3], [4, 5, 6]]", "['r', a, a]", "['c', a, a]", "[a, a]", "['-1', a, a]", "['1', a, a]",
    "['1,3,1', x, x]", "['0,3,-1', x, x]", "['0,3,0', x, x]", "['2,3', x, x]", "['0,2,0,9', x, x]",
    "['0', x, 0:3]", "[0:4, x[:1]]", "[a, np.ones((1, 3), np.float64)]", "[x, np.float64(2.0)]",
]


@pytest.mark.parametrize("name", ["r_", "c_"])
@pytest.mark.parametrize("key", CONCAT_KEYS)
def test_concat_matches_jax(name, key):
    expr = f"obj{key}"
    try:
        expected = eval(expr, {"obj": getattr(jnp, name), "np": np, "a": A, "x": X, "h": H})
    except (TypeError, ValueError):
        pytest.skip("JAX rejects this operand combination")
    args = {"a": torch.from_numpy(A), "x": torch.from_numpy(X), "h": torch.from_numpy(H)}
    same(expected, eval(expr, {"obj": getattr(tnp, name), "np": np, **args}))


@pytest.mark.parametrize("name", ["r_", "c_"])
def test_concat_with_linspace_slice(name):
    key = "[0:1:3j, x]"
    same(eval(f"obj{key}", {"obj": getattr(jnp, name), "x": X}),
         eval(f"obj{key}", {"obj": getattr(tnp, name), "x": torch.from_numpy(X)}), exact=False)


@pytest.mark.parametrize("key", ["[1, 'r', 2]", "['a,b', 1, 2]", "['0,x', 1]"])
def test_bad_directives_raise_like_jax(key):
    with pytest.raises(ValueError):
        eval(f"jnp.r_{key}")
    with pytest.raises(ValueError):
        eval(f"tnp.r_{key}")


def test_concat_objects_have_zero_length_like_jax():
    assert len(tnp.r_) == len(jnp.r_) == 0 and len(tnp.c_) == len(jnp.c_) == 0


def _fit_data(deg, rows, columns, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2.0, 2.0, rows)).astype(np.float32)
    shape = (rows,) if columns is None else (rows, columns)
    trend = np.polyval(np.arange(1.0, deg + 2), x)
    y = rng.standard_normal(shape) + (trend if columns is None else trend[:, None])
    w = rng.uniform(0.5, 2.0, rows).astype(np.float32)
    return x, y.astype(np.float32), w


def _both(x, y, deg, **kwargs):
    expected = jnp.polyfit(x, y, deg, **kwargs)
    torch_kwargs = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    return expected, tnp.polyfit(torch.from_numpy(x), torch.from_numpy(y), deg, **torch_kwargs)


@pytest.mark.parametrize("deg", range(6))
@pytest.mark.parametrize("columns", [None, 3])
@pytest.mark.parametrize("options", [{}, {"weighted": True}, {"full": True}, {"cov": True},
                                     {"cov": "unscaled"}, {"rcond": 1e-3}, {"weighted": True, "cov": True}])
def test_polyfit_matches_jax(deg, columns, options):
    x, y, w = _fit_data(deg, 20, columns, seed=deg)
    kwargs = {k: v for k, v in options.items() if k != "weighted"}
    if options.get("weighted"):
        kwargs["w"] = w
    expected, got = _both(x, y, deg, **kwargs)
    # The covariance is an inverse of a Gram matrix: relative error grows with its conditioning.
    rtol = 1e-3 if options.get("cov") else 1e-4
    same(expected, got, exact=False, rtol=rtol, atol=1e-5)


def test_polyfit_recovers_exact_polynomial():
    x = np.linspace(-1, 1, 9).astype(np.float32)
    y = np.polyval([2.0, -1.0, 0.5], x).astype(np.float32)
    np.testing.assert_allclose(tnp.polyfit(torch.from_numpy(x), torch.from_numpy(y), 2).numpy(),
                               [2.0, -1.0, 0.5], rtol=1e-5, atol=1e-5)


def test_polyfit_rank_deficient_and_negative_rcond():
    x = np.array([0.0, 0.0, 1.0, 1.0], dtype=np.float32)
    y = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    for rcond in (None, -1.0, 0.5):
        expected, got = _both(x, y, 3, rcond=rcond, full=True)
        same(expected, got, exact=False, rtol=1e-4, atol=1e-5)


def test_polyfit_takes_numpy_and_integer_y():
    x = np.arange(6, dtype=np.float32)
    y = np.array([1, 3, 2, 5, 4, 6], dtype=np.int32)
    same(jnp.polyfit(x, y, 1), tnp.polyfit(x, y, 1), exact=False, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda m, x: m.polyfit(x, x, -1),
    lambda m, x: m.polyfit(x[None], x[None], 1),
    lambda m, x: m.polyfit(x, x[:3], 1),
    lambda m, x: m.polyfit(x, x, 1, w=x[:2]),
    lambda m, x: m.polyfit(x[:2], x[:2], 1, cov=True),
])
def test_polyfit_rejects_what_jax_rejects(call):
    x = np.linspace(0, 1, 5).astype(np.float32)
    with pytest.raises((TypeError, ValueError)):
        call(jnp, x)
    with pytest.raises((TypeError, ValueError)):
        call(tnp, torch.from_numpy(x))
