"""A tiny JAX MLP regression: jax.random init, value_and_grad, a jitted SGD step, pytrees."""

import jax
import jax.numpy as jnp


def init_params(key, sizes):
    params = []
    keys = jax.random.split(key, len(sizes) - 1)
    for k, m, n in zip(keys, sizes[:-1], sizes[1:]):
        wk, bk = jax.random.split(k)
        params.append({"w": jax.random.normal(wk, (m, n)) * m ** -0.5, "b": jnp.zeros((n,))})
    return params


def predict(params, x):
    for layer in params[:-1]:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    last = params[-1]
    return x @ last["w"] + last["b"]


def loss(params, x, y):
    return jnp.mean((predict(params, x) - y) ** 2)


@jax.jit
def step(params, x, y):
    value, grads = jax.value_and_grad(loss)(params, x, y)
    params = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)
    return params, value


def main(steps=20):
    key = jax.random.PRNGKey(0)
    pkey, xkey = jax.random.split(key)
    params = init_params(pkey, [3, 16, 1])
    x = jax.random.uniform(xkey, (64, 3))
    y = jnp.sum(jnp.sin(x), axis=1, keepdims=True)
    losses = []
    for _ in range(steps):
        params, value = step(params, x, y)
        losses.append(value)
    return jnp.stack(losses), params


if __name__ == "__main__":
    losses, _ = main()
    print("loss:", losses[0], "->", losses[-1])
