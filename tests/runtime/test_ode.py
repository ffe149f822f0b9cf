"""runtime.ode.odeint against jax.experimental.ode.odeint.

In float64 the two solvers take the same steps, so the outputs agree to rounding (1e-9 of the
solution's scale over hundreds of steps). In float32 XLA's ``pow`` and norm round differently
from torch's in the last bit, which can flip an accept/reject decision near an error ratio of 1;
there the agreement is bounded by the solver tolerance instead. Gradients are compared with
``jax.grad`` through JAX's adjoint ODE.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from jax.experimental.ode import odeint as jax_odeint
from jax2torch_runtime.ode import odeint

# name -> (jax dynamics, torch dynamics, y0, t_end, extra args)
SYSTEMS = {
    "decay": (lambda y, t: -0.5 * y, lambda y, t: -0.5 * y, [1.0, -2.0, 3.0], 4.0, ()),
    "oscillator": (lambda y, t, w: jnp.stack([y[1], -w ** 2 * y[0]]),
                   lambda y, t, w: torch.stack([y[1], -w ** 2 * y[0]]), [1.0, 0.3], 6.0, (2.0,)),
    "forced": (lambda y, t: -y * jnp.cos(t) + jnp.sin(3.0 * t),
               lambda y, t: -y * torch.cos(t) + torch.sin(3.0 * t), [1.0, 0.0, -1.0], 5.0, ()),
    "van_der_pol": (lambda y, t, mu: jnp.stack([y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]]),
                    lambda y, t, mu: torch.stack([y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]]), [2.0, 0.0], 20.0,
                    (20.0,)),
    "stiff_linear": (lambda y, t, a: a @ y, lambda y, t, a: a @ y, [1.0, 1.0], 1.0,
                     ([[-1.0, 0.0], [99.0, -100.0]],)),
}
TOLERANCES = [1.4e-8, 1e-6, 1e-3]


def _solve_both(name, dtype, rtol, n_times=9, **kw):
    jf, tf, y0, t_end, args = SYSTEMS[name]
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    y0 = np.asarray(y0, np_dtype)
    ts = np.linspace(0.0, t_end, n_times).astype(np_dtype)
    jargs = tuple(jnp.asarray(np.asarray(a, np_dtype)) for a in args)
    targs = tuple(torch.tensor(np.asarray(a, np_dtype)) for a in args)
    want = np.asarray(jax_odeint(jf, jnp.asarray(y0), jnp.asarray(ts), *jargs, rtol=rtol, atol=rtol, **kw))
    got = odeint(tf, torch.from_numpy(y0), torch.from_numpy(ts), *targs, rtol=rtol, atol=rtol, **kw)
    return want, got


NONSTIFF = sorted(set(SYSTEMS) - {"stiff_linear"})


@pytest.mark.parametrize("rtol", TOLERANCES)
@pytest.mark.parametrize("name", NONSTIFF)
def test_float64_takes_jaxs_steps(name, rtol):
    with jax.enable_x64(True):
        want, got = _solve_both(name, torch.float64, rtol)
    assert got.dtype == torch.float64 and got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-10 * np.abs(want).max())


@pytest.mark.parametrize("rtol", [1e-6, 1e-3])
@pytest.mark.parametrize("name", NONSTIFF)
def test_float32_within_solver_tolerance(name, rtol):
    want, got = _solve_both(name, torch.float32, rtol)
    assert got.dtype == torch.float32 and got.shape == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=max(rtol, 1e-5) * np.abs(want).max())


@pytest.mark.parametrize("name", NONSTIFF)
def test_float32_default_tolerance(name):
    """rtol=atol=1.4e-8 is below float32's epsilon: both solvers step on rounding noise."""
    want, got = _solve_both(name, torch.float32, 1.4e-8)
    np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=2e-5 * np.abs(want).max())


@pytest.mark.parametrize("rtol", TOLERANCES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_stiff_system_as_accurate_as_jax(dtype, rtol):
    """At the stability limit the error ratio hovers around 1, so the last-bit differences flip
    accept/reject decisions even in float64: both solutions stay within the tolerance of exp(-t)."""
    with jax.enable_x64(dtype == torch.float64):
        want, got = _solve_both("stiff_linear", dtype, rtol)
    exact = np.exp(-np.linspace(0.0, 1.0, 9))[:, None]
    floor = 2e-6 if dtype == torch.float32 else 1e-7
    assert np.abs(got.numpy() - exact).max() <= 4 * rtol + floor
    assert np.abs(got.numpy() - want).max() <= 5 * rtol + floor


def test_first_row_is_y0_exactly():
    want, got = _solve_both("oscillator", torch.float32, 1e-6)
    assert np.array_equal(got.numpy()[0], want[0])


@pytest.mark.parametrize("kw", [{"hmax": 0.05}, {"mxstep": 3}, {"mxstep": 1, "hmax": 0.01}])
def test_hmax_and_mxstep_follow_jax(kw):
    """``mxstep`` is not an error in JAX: the last dense output is extrapolated to the target (a
    quartic far outside its step, which magnifies rounding, hence the looser ``rtol``)."""
    with jax.enable_x64(True):
        want, got = _solve_both("oscillator", torch.float64, 1e-6, **kw)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-7, atol=1e-12)


def test_pytree_state_and_pytree_args():
    ts = np.linspace(0.0, 2.0, 5).astype(np.float32)
    w = np.array([[0.0, 1.0], [-1.0, -0.1]], np.float32)
    y0 = {"v": np.array([0.5, -0.2], np.float32), "a": np.float32(1.0), "m": np.ones((2, 2), np.float32)}

    def dynamics(lib):
        def f(y, t, params):
            return {"v": params["w"] @ y["v"], "a": -params["k"][0] * y["a"], "m": -y["m"] * t}
        return f

    def as_jax(tree):
        return jax.tree.map(jnp.asarray, tree)

    params = {"w": w, "k": (np.float32(0.7),)}
    want = jax_odeint(dynamics(jnp), as_jax(y0), jnp.asarray(ts), as_jax(params), rtol=1e-6, atol=1e-6)
    tparams = {"w": torch.from_numpy(w), "k": (torch.tensor(0.7),)}
    got = odeint(dynamics(torch), {k: torch.as_tensor(v) for k, v in y0.items()}, torch.from_numpy(ts), tparams,
                 rtol=1e-6, atol=1e-6)
    assert set(got) == set(want)
    for key in want:
        assert got[key].shape == want[key].shape and got[key].dtype == torch.float32
        np.testing.assert_allclose(got[key].numpy(), np.asarray(want[key]), rtol=1e-5, atol=1e-6)


def test_tuple_state_and_complex_state():
    ts = np.linspace(0.0, 3.0, 7).astype(np.float32)
    want = jax_odeint(lambda y, t: (y[1], -y[0]), (jnp.float32(1.0), jnp.float32(0.0)), jnp.asarray(ts), rtol=1e-6)
    got = odeint(lambda y, t: (y[1], -y[0]), (torch.tensor(1.0), torch.tensor(0.0)), torch.from_numpy(ts), rtol=1e-6)
    assert isinstance(got, tuple) and got[0].shape == (7,)
    for w, g in zip(want, got):
        np.testing.assert_allclose(g.numpy(), np.asarray(w), atol=1e-5)
    z0 = np.array([1.0 + 0.5j, -0.3j], np.complex64)
    want = jax_odeint(lambda z, t: 1j * 2.0 * z - 0.1 * z, jnp.asarray(z0), jnp.asarray(ts), rtol=1e-6, atol=1e-6)
    got = odeint(lambda z, t: 1j * 2.0 * z - 0.1 * z, torch.from_numpy(z0), torch.from_numpy(ts), rtol=1e-6,
                 atol=1e-6)
    assert got.dtype == torch.complex64
    np.testing.assert_allclose(got.numpy(), np.asarray(want), atol=1e-5)


def _loss_pair():
    def jax_loss(w, y0, ts):
        ys = jax_odeint(lambda y, t, w: jnp.stack([y[1], -w * y[0] - 0.2 * y[1] * t]), y0, ts, w, rtol=1e-10,
                        atol=1e-10)
        return jnp.sum(ys[:, 0] ** 2) + jnp.sum(jnp.sin(ys[:, 1]))

    def torch_loss(w, y0, ts):
        ys = odeint(lambda y, t, w: torch.stack([y[1], -w * y[0] - 0.2 * y[1] * t]), y0, ts, w, rtol=1e-10,
                    atol=1e-10)
        return torch.sum(ys[:, 0] ** 2) + torch.sum(torch.sin(ys[:, 1]))

    return jax_loss, torch_loss


def test_gradients_match_jax_adjoint_float64():
    """Parameter, initial state and every output time, against ``jax.grad`` of the adjoint."""
    jax_loss, torch_loss = _loss_pair()
    w, y0, ts = 1.7, np.array([1.0, -0.5]), np.array([0.0, 0.4, 1.1, 2.0, 3.5])
    with jax.enable_x64(True):
        want = jax.grad(jax_loss, argnums=(0, 1, 2))(jnp.float64(w), jnp.asarray(y0), jnp.asarray(ts))
        want = [np.asarray(g) for g in want]
    inputs = [torch.tensor(w, dtype=torch.float64, requires_grad=True),
              torch.tensor(y0, requires_grad=True), torch.tensor(ts, requires_grad=True)]
    got = torch.autograd.grad(torch_loss(*inputs), inputs)
    for g, wnt in zip(got, want):
        np.testing.assert_allclose(g.numpy(), wnt, rtol=1e-7, atol=1e-8)


def test_gradient_float32_default_tolerance():
    def jax_loss(k):
        return jnp.sum(jax_odeint(lambda y, t, k: -k * y + jnp.sin(t), jnp.array([1.0, 2.0]),
                                  jnp.linspace(0.0, 3.0, 6), k) ** 2)

    k = torch.tensor(0.7, requires_grad=True)
    loss = torch.sum(odeint(lambda y, t, k: -k * y + torch.sin(t), torch.tensor([1.0, 2.0]),
                            torch.linspace(0.0, 3.0, 6), k) ** 2)
    (got,) = torch.autograd.grad(loss, k)
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.item(), float(jax.grad(jax_loss)(0.7)), rtol=1e-4)


def test_errors_match_jax():
    with pytest.raises(TypeError, match="t must be an array of floats"):
        odeint(lambda y, t: -y, torch.ones(2), torch.arange(3))
    with pytest.raises(TypeError, match="must be arrays or scalars"):
        odeint(lambda y, t, s: -y, torch.ones(2), torch.linspace(0.0, 1.0, 3), "scale")
