"""``custom_vjp`` / ``custom_jvp``: the same functions written for JAX and for the runtime, derivatives compared.

Each case defines the function twice (jax.numpy and torch spellings of the same maths) and checks
values and derivatives under every torch entry point migrated code uses: torch.autograd.grad,
torch.func.grad, vjp, jvp, vmap of grad, and second derivatives.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from jax2torch_runtime.transforms import custom_jvp, custom_vjp

X = np.array([-3.0, -0.5, 0.0, 0.7, 2.0, 40.0], dtype=np.float32)


def close(torch_value, jax_value, tol=2e-5):
    """float32 on both sides (JAX's default; the process-wide x64 flag is not touched)."""
    np.testing.assert_allclose(np.asarray(torch_value.detach()), np.asarray(jax_value), rtol=tol, atol=tol)


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float32))


# -- custom_jvp: stable log1pexp (JAX docs) ------------------------------------------------------

def _log1pexp_pair():
    @jax.custom_jvp
    def jf(x):
        return jnp.log(1.0 + jnp.exp(x))

    @jf.defjvp
    def _(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return jf(x), (1.0 - 1.0 / (1.0 + jnp.exp(x))) * x_dot

    @custom_jvp
    def tf(x):
        return torch.log(1.0 + torch.exp(x))

    @tf.defjvp
    def _(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return tf(x), (1.0 - 1.0 / (1.0 + torch.exp(x))) * x_dot

    return jf, tf


def test_custom_jvp_reverse_forward_and_batched_match_jax():
    jf, tf = _log1pexp_pair()
    x = np.array([0.0, 2.0, 100.0, 800.0])  # exp overflows at 800: the naive derivative is nan there
    expected = jax.vmap(jax.grad(jf))(x)
    assert np.isfinite(expected).all()
    close(torch.func.vmap(torch.func.grad(tf))(t(x)), expected)
    close(torch.func.grad(lambda a: tf(a).sum())(t(x)), expected)
    leaf = t(x).requires_grad_()
    close(torch.autograd.grad(tf(leaf).sum(), leaf)[0], expected)
    out, tangent = torch.func.jvp(tf, (t(x),), (t(x),))
    j_out, j_tangent = jax.jvp(jf, (x,), (x,))
    close(out, j_out)
    close(tangent, j_tangent)


def test_custom_jvp_second_derivative_matches_jax():
    jf, tf = _log1pexp_pair()
    for x in (-1.0, 0.3, 5.0):
        close(torch.func.grad(torch.func.grad(tf))(t(x)), jax.grad(jax.grad(jf))(x))
        leaf = t(x).requires_grad_()
        (g,) = torch.autograd.grad(tf(leaf), leaf, create_graph=True)
        close(torch.autograd.grad(g, leaf)[0], jax.grad(jax.grad(jf))(x))


# -- custom_jvp: a convention at a singular point (safe norm) ------------------------------------

def test_custom_jvp_safe_norm_at_zero():
    def rule(norm, np_):
        def jvp(primals, tangents):
            (x,), (t_,) = primals, tangents
            n = norm(x)
            safe = np_.where(n == 0.0, 1.0, n)
            return n, np_.where(n == 0.0, 0.0, np_.sum(x * t_) / safe)
        return jvp

    jnorm = jax.custom_jvp(lambda x: jnp.sqrt(jnp.sum(x * x)))
    jnorm.defjvp(rule(jnorm, jnp))
    tnorm = custom_jvp(lambda x: torch.sqrt(torch.sum(x * x)))
    tnorm.defjvp(rule(tnorm, torch))
    for x in (np.zeros(3), np.array([3.0, -4.0, 0.0])):
        close(torch.func.grad(tnorm)(t(x)), jax.grad(jnorm)(x))
    assert torch.isnan(torch.func.grad(lambda x: torch.sqrt(torch.sum(x * x)))(t(np.zeros(3)))).all()  # without the rule


def test_custom_jvp_defjvps_and_keyword_arguments():
    jf = jax.custom_jvp(lambda x, y: jnp.sin(x) * y)
    jf.defjvps(lambda x_dot, ans, x, y: jnp.cos(x) * x_dot * y, lambda y_dot, ans, x, y: jnp.sin(x) * y_dot)
    tf = custom_jvp(lambda x, y: torch.sin(x) * y)
    tf.defjvps(lambda x_dot, ans, x, y: torch.cos(x) * x_dot * y, lambda y_dot, ans, x, y: torch.sin(x) * y_dot)
    y = np.linspace(-1.0, 1.0, X.size)
    grads = torch.func.grad(lambda a, b: tf(a, y=b).sum(), argnums=(0, 1))(t(X), t(y))
    for got, want in zip(grads, jax.grad(lambda a, b: jf(a, y=b).sum(), argnums=(0, 1))(X, y)):
        close(got, want)
    close(torch.func.jvp(tf, (t(X), t(y)), (t(y), t(X)))[1], jax.jvp(jf, (X, y), (y, X))[1])


def test_custom_jvp_straight_through_with_nondiff_argnums():
    def make(custom, np_):
        f = custom(lambda k, x: np_.round(x * k) / k, nondiff_argnums=(0,))
        f.defjvp(lambda k, primals, tangents: (f(k, *primals), tangents[0]))
        return f

    jf, tf = make(jax.custom_jvp, jnp), make(custom_jvp, torch)
    close(torch.func.grad(lambda a: (tf(4.0, a) * a).sum())(t(X)), jax.grad(lambda a: (jf(4.0, a) * a).sum())(X))


# -- custom_vjp ----------------------------------------------------------------------------------

def _sin_times_pair():
    def make(custom, np_):
        @custom
        def f(x, y):
            return np_.sin(x) * y

        def fwd(x, y):
            return f(x, y), (np_.cos(x), np_.sin(x), y)

        def bwd(res, g):
            cos_x, sin_x, y = res
            return cos_x * g * y, sin_x * g

        f.defvjp(fwd, bwd)
        return f

    return make(jax.custom_vjp, jnp), make(custom_vjp, torch)


def test_custom_vjp_gradients_match_jax_under_every_reverse_entry_point():
    jf, tf = _sin_times_pair()
    y = np.linspace(0.5, 2.0, X.size)
    want = jax.grad(lambda a, b: jf(a, b).sum(), argnums=(0, 1))(X, y)
    got = torch.func.grad(lambda a, b: tf(a, b).sum(), argnums=(0, 1))(t(X), t(y))
    for g, w in zip(got, want):
        close(g, w)
    leaves = t(X).requires_grad_(), t(y).requires_grad_()
    for g, w in zip(torch.autograd.grad(tf(*leaves).sum(), leaves), want):
        close(g, w)
    for g, w in zip(torch.func.vmap(torch.func.grad(tf, argnums=(0, 1)))(t(X), t(y)),
                    jax.vmap(jax.grad(jf, argnums=(0, 1)))(X, y)):
        close(g, w)
    out, vjp_fn = torch.func.vjp(tf, t(X), t(y))
    j_out, j_vjp = jax.vjp(jf, X, y)
    close(out, j_out)
    for g, w in zip(vjp_fn(t(y)), j_vjp(y)):
        close(g, w)


def test_custom_vjp_second_derivative_differentiates_bwd_and_residuals():
    jf, tf = _sin_times_pair()
    for x in (0.3, -1.2):
        close(torch.func.grad(torch.func.grad(tf))(t(x), t(2.0)), jax.grad(jax.grad(jf))(x, 2.0))
        close(torch.func.grad(torch.func.grad(tf, argnums=1), argnums=0)(t(x), t(2.0)),
              jax.grad(jax.grad(jf, argnums=1), argnums=0)(x, 2.0))


def test_custom_vjp_forward_mode_raises_like_jax():
    jf, tf = _sin_times_pair()
    with pytest.raises(TypeError):
        jax.jvp(lambda a: jf(a, 2.0), (1.0,), (1.0,))
    with pytest.raises(NotImplementedError):
        torch.func.jvp(lambda a: tf(a, t(2.0)), (t(1.0),), (t(1.0),))


@pytest.mark.parametrize("spelling", ["argnums", "argnames"])
def test_clip_gradient_nondiff_arguments_go_to_bwd_first(spelling):
    def make(custom, np_):
        options = {"nondiff_argnums": (0, 1)} if spelling == "argnums" else {"nondiff_argnames": ("lo", "hi")}

        @functools.partial(custom, **options)
        def clip_gradient(lo, hi, x):
            return x

        clip_gradient.defvjp(lambda lo, hi, x: (x, None), lambda lo, hi, _, g: (np_.clip(g, lo, hi),))
        return clip_gradient

    jf, tf = make(jax.custom_vjp, jnp), make(custom_vjp, torch)
    w = np.linspace(-2.0, 2.0, X.size)
    close(torch.func.grad(lambda a: (tf(-0.5, 0.75, a) * t(w)).sum())(t(X)),
          jax.grad(lambda a: (jf(-0.5, 0.75, a) * w).sum())(X))


def test_custom_vjp_pytree_arguments_outputs_residuals_and_none_cotangents():
    def make(custom, np_):
        @custom
        def layer(params, x):
            h = params["w"] * x + params["b"]
            return {"h": h, "aux": (np_.tanh(h), x * 2.0)}

        def fwd(params, x):
            out = layer(params, x)
            return out, {"p": params, "x": x, "tanh": out["aux"][0]}

        def bwd(res, g):
            x, th = res["x"], res["tanh"]
            dh = g["h"] + g["aux"][0] * (1.0 - th ** 2)
            return {"w": dh * x, "b": None}, None  # zero cotangents: a whole argument and one leaf

        layer.defvjp(fwd, bwd)
        return layer

    jl, tl = make(jax.custom_vjp, jnp), make(custom_vjp, torch)

    def loss(layer, sum_):
        return lambda p, x: sum_(layer(p, x)["h"] ** 2) + sum_(layer(p, x)["aux"][0]) + sum_(layer(p, x)["aux"][1])

    p = {"w": np.linspace(0.1, 1.0, X.size), "b": np.full(X.size, 0.3)}
    want = jax.grad(loss(jl, jnp.sum), argnums=(0, 1))(p, X)
    got = torch.func.grad(loss(tl, torch.sum), argnums=(0, 1))({k: t(v) for k, v in p.items()}, t(X))
    close(got[0]["w"], want[0]["w"])
    close(got[0]["b"], want[0]["b"])
    close(got[1], want[1])


def test_implicit_fixed_point_from_the_jax_docs():
    def make(custom, np_, vjp, while_loop):
        @functools.partial(custom, nondiff_argnums=(0,))
        def fixed_point(f, a, x_guess):
            return while_loop(lambda c: np_.abs(c[0] - c[1]) > 1e-6, lambda c: (c[1], f(a, c[1])), (x_guess, f(a, x_guess)))[1]

        def fwd(f, a, x_init):
            x_star = fixed_point(f, a, x_init)
            return x_star, (a, x_star)

        def rev_iter(f, packed, u):
            a, x_star, x_star_bar = packed
            _, vjp_x = vjp(lambda x: f(a, x), x_star)
            return x_star_bar + vjp_x(u)[0]

        def bwd(f, res, x_star_bar):
            a, x_star = res
            _, vjp_a = vjp(lambda a: f(a, x_star), a)
            (a_bar,) = vjp_a(fixed_point(functools.partial(rev_iter, f), (a, x_star, x_star_bar), x_star_bar))
            return a_bar, np_.zeros_like(x_star)

        fixed_point.defvjp(fwd, bwd)
        return lambda a: fixed_point(lambda a, x: 0.5 * (x + a / x), a, a)

    def py_while(cond, body, carry):
        while cond(carry):
            carry = body(carry)
        return carry

    j_sqrt = make(jax.custom_vjp, jnp, jax.vjp, jax.lax.while_loop)
    t_sqrt = make(custom_vjp, torch, torch.func.vjp, py_while)
    for a in (2.0, 9.0):
        close(torch.func.grad(t_sqrt)(t(a)), jax.grad(j_sqrt)(a))
        leaf = t(a).requires_grad_()
        close(torch.autograd.grad(t_sqrt(leaf), leaf)[0], 0.5 / np.sqrt(a))


def test_rule_misuse_is_reported():
    bad = custom_vjp(lambda x, y: x * y)
    bad.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: (g * res[1],))  # one cotangent for two arguments
    with pytest.raises(TypeError, match="tuple of 2 cotangents"):
        torch.func.grad(bad)(t(1.0), t(2.0))
    with pytest.raises(AttributeError, match="defvjp"):
        custom_vjp(torch.sin)(t(1.0))
    with pytest.raises(TypeError, match="nondiff_argnums"):
        custom_jvp(lambda k, x: x, nondiff_argnums=(0,)).defjvps(None, None)
    with pytest.raises(NotImplementedError):
        custom_jvp(torch.sin).defjvp(lambda p, t_: p, symbolic_zeros=True)


def test_integer_arguments_and_numbers_get_no_cotangent():
    f = custom_vjp(lambda x, idx, scale: x[idx] * scale)
    f.defvjp(lambda x, idx, scale: (x[idx] * scale, (idx, x)),
             lambda res, g: (torch.zeros_like(res[1]).index_add(0, res[0], g * 2.0), None, None))
    x = t(X)
    idx = torch.tensor([0, 2, 2])
    got = torch.func.grad(lambda a: f(a, idx, 3.0).sum())(x)
    assert got.tolist() == [2.0, 0.0, 4.0, 0.0, 0.0, 0.0]
