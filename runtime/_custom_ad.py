"""``jax.custom_vjp`` and ``jax.custom_jvp`` with JAX's API, built on ``torch.autograd.Function``.

Migrated code keeps its ``f.defvjp(f_fwd, f_bwd)`` / ``f.defjvp(rule)`` lines unchanged, so the
wrappers take JAX's calling conventions: pytree arguments, outputs and residuals (JAX's leaf
order, from :mod:`jax2torch_runtime.tree`), ``nondiff_argnums`` handed to ``bwd`` / the JVP rule
first, and a ``bwd`` that returns one cotangent per differentiable argument (``None`` = zero).

Each call builds a fresh ``autograd.Function`` subclass around the flattened tensor leaves. It uses
the ``setup_context`` form with ``generate_vmap_rule = True`` so that ``torch.func.grad``,
``torch.func.vjp`` and ``torch.func.vmap`` can transform it (the functorch requirements), and saves
intermediate residuals by returning them as extra, non-differentiable outputs (functorch may only
save inputs and outputs).

Reverse mode of a ``custom_jvp`` function is the transpose of its JVP rule: the rule is linear in
the tangents, so the VJP of ``tangents -> rule(primals, tangents)[1]`` at zero tangents is what
JAX derives by transposition.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading

import torch
from jax2torch_runtime import tree

__all__ = ["custom_jvp", "custom_vjp"]


def _positional(fun, args, kwargs):
    """JAX binds keyword arguments to positions before applying a custom rule; so do we."""
    if not kwargs:
        return tuple(args)
    bound = inspect.signature(fun).bind(*args, **kwargs)
    bound.apply_defaults()
    if bound.kwargs:
        raise TypeError(f"keyword arguments {sorted(bound.kwargs)} of {fun.__name__} could not be resolved to positions")
    return bound.args


def _split(args, nondiff_argnums):
    nondiff = tuple(args[i] for i in nondiff_argnums)
    diff = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return nondiff, diff


def _merge(nondiff, diff, nondiff_argnums):
    """The full positional argument list from its non-differentiable and differentiable parts."""
    nd, d = iter(nondiff), iter(diff)
    return tuple(next(nd) if i in nondiff_argnums else next(d) for i in range(len(nondiff) + len(diff)))


def _nondiff_positions(fun, argnums, argnames) -> tuple[int, ...]:
    """``nondiff_argnums`` plus the positions of ``nondiff_argnames`` in ``fun``'s signature, sorted."""
    positions = {int(i) for i in (argnums if isinstance(argnums, (tuple, list)) else (argnums,))}
    if argnames:
        names = list(inspect.signature(fun).parameters)
        positions |= {names.index(n) for n in ((argnames,) if isinstance(argnames, str) else argnames)}
    return tuple(sorted(positions))


def _as_output(leaf):
    """Output leaves must be tensors to flow through autograd; numbers become 0-d tensors like in JAX."""
    return leaf if isinstance(leaf, torch.Tensor) else torch.as_tensor(leaf)


def _differentiable(leaf) -> bool:
    return isinstance(leaf, torch.Tensor) and (leaf.is_floating_point() or leaf.is_complex())


class _Call:
    """What one application of a custom function knows: its arguments, split into tensor leaves and the rest."""

    def __init__(self, nondiff, diff):
        self.nondiff = nondiff
        self.n_diff = len(diff)
        self.leaves, self.in_def = tree.flatten(diff)
        self.tensor_pos = [i for i, leaf in enumerate(self.leaves) if isinstance(leaf, torch.Tensor)]
        self.out_def = None

    def tensors(self):
        return [self.leaves[i] for i in self.tensor_pos]

    def diff_args(self, tensors):
        """The differentiable arguments rebuilt with ``tensors`` in place of the tensor leaves."""
        leaves = list(self.leaves)
        for i, t in zip(self.tensor_pos, tensors):
            leaves[i] = t
        return tuple(self.in_def.unflatten(leaves))

    def outputs(self, out, inputs):
        """Forward's results; an input returned as-is (or a repeated output) becomes a view, as autograd needs."""
        leaves, self.out_def = tree.flatten(out)
        outputs = []
        for leaf in leaves:
            leaf = _as_output(leaf)
            if any(leaf is t for t in (*inputs, *outputs)):
                leaf = leaf.view_as(leaf)
            outputs.append(leaf)
        return tuple(outputs)


def _cotangent(ct, primal):
    """A cotangent autograd accepts for ``primal``: None for integer inputs, numbers filled out."""
    if ct is None or not _differentiable(primal):
        return None
    if not isinstance(ct, torch.Tensor):
        return torch.full_like(primal, ct)
    return ct


def _cotangent_leaves(treedef, ct):
    """Leaves of a cotangent laid out like ``treedef``; ``None`` anywhere stands for zeros below it."""
    if ct is None:
        return [None] * treedef.num_leaves
    if treedef._kids is None:
        return [ct]
    node = tree._children(ct)
    kids = treedef._kids
    if node is None or len(node[0]) != len(kids):
        raise ValueError(f"custom_vjp bwd returned a cotangent shaped {tree.structure(ct)}, expected {treedef}")
    return [leaf for k, c in zip(kids, node[0]) for leaf in _cotangent_leaves(k, c)]


class custom_vjp:
    """``jax.custom_vjp``: ``f.defvjp(fwd, bwd)`` sets the reverse-mode rule of ``f``.

    ``fwd(*args) -> (out, residuals)``; ``bwd(*nondiff_args, residuals, g) -> tuple`` with one
    cotangent (a pytree like the argument, or ``None`` for zero) per differentiable argument.
    Forward mode (``torch.func.jvp``) raises, as ``jax.jvp`` does on a ``custom_vjp`` function.
    """

    def __init__(self, fun, nondiff_argnums=(), nondiff_argnames=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = _nondiff_positions(fun, nondiff_argnums, nondiff_argnames)
        self.fwd = self.bwd = None
        self._inside_fwd = threading.local()

    @contextlib.contextmanager
    def primal_only(self):
        """While ``fwd`` runs, ``f(...)`` inside it is a plain evaluation (``fwd`` usually calls ``f``)."""
        self._inside_fwd.depth = getattr(self._inside_fwd, "depth", 0) + 1
        try:
            yield
        finally:
            self._inside_fwd.depth -= 1

    def defvjp(self, fwd, bwd, symbolic_zeros=False):
        if symbolic_zeros:
            raise NotImplementedError("custom_vjp symbolic_zeros=True is not supported by jax2torch_runtime")
        self.fwd, self.bwd = fwd, bwd
        self._node = _vjp_node(self)

    def __get__(self, obj, objtype=None):  # a decorated method binds like a function
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if self.fwd is None:
            raise AttributeError(f"no VJP defined for custom_vjp function {self.__name__} using defvjp")
        args = _positional(self.fun, args, kwargs)
        nondiff, diff = _split(args, self.nondiff_argnums)
        call = _Call(nondiff, diff)
        if getattr(self._inside_fwd, "depth", 0) or not call.tensor_pos:
            return self.fun(*args)
        with self.primal_only():
            out, res = self.fwd(*args)
        outputs = call.outputs(out, ())
        route = _Route(call, res, len(outputs))
        results = self._node.apply(route, *call.tensors(), *route.res_tensors(), *outputs)
        return call.out_def.unflatten(list(results))


class _Route:
    """One ``custom_vjp`` application: the call, and the residual pytree with its tensor leaves marked."""

    def __init__(self, call: _Call, res, n_out: int):
        self.call, self.n_out = call, n_out
        self.res_leaves, self.res_def = tree.flatten(res)
        self.res_pos = [i for i, leaf in enumerate(self.res_leaves) if isinstance(leaf, torch.Tensor)]

    def res_tensors(self):
        return [self.res_leaves[i] for i in self.res_pos]

    def residuals(self, tensors):
        leaves = list(self.res_leaves)
        for i, t in zip(self.res_pos, tensors):
            leaves[i] = t
        return self.res_def.unflatten(leaves)


def _vjp_node(owner: custom_vjp):
    """An autograd node from (primal tensors, residual tensors, fwd's outputs) to the outputs.

    ``fwd`` ran outside it with autograd on, so the residuals stay functions of the inputs and a
    second derivative differentiates through ``bwd`` and ``fwd`` as in JAX; the node itself lets
    the outputs' gradient reach the inputs only through ``bwd``.
    """

    class CustomVJP(torch.autograd.Function):
        generate_vmap_rule = True

        @staticmethod
        def forward(route, *tensors):
            return tuple(t.view_as(t) for t in tensors[len(tensors) - route.n_out:])

        @staticmethod
        def setup_context(ctx, inputs, output):
            route, tensors = inputs[0], inputs[1:]
            ctx.route = route
            ctx.save_for_backward(*tensors[:len(tensors) - route.n_out])

        @staticmethod
        def backward(ctx, *grads):
            route, saved = ctx.route, ctx.saved_tensors
            call = route.call
            n_in = len(call.tensor_pos)
            cts = owner.bwd(*call.nondiff, route.residuals(saved[n_in:]), call.out_def.unflatten(list(grads)))
            if not isinstance(cts, (tuple, list)) or len(cts) != call.n_diff:
                raise TypeError(f"custom_vjp bwd of {owner.__name__} must return a tuple of {call.n_diff} cotangents "
                                f"(one per differentiable argument), got {type(cts).__name__}"
                                + (f" of length {len(cts)}" if isinstance(cts, (tuple, list)) else ""))
            flat = _cotangent_leaves(call.in_def, tuple(cts))
            return (None, *(_cotangent(flat[i], p) for i, p in zip(call.tensor_pos, saved[:n_in])),
                    *[None] * (len(route.res_pos) + route.n_out))

    CustomVJP.__name__ = CustomVJP.__qualname__ = f"CustomVJP_{owner.__name__}"
    return CustomVJP


class custom_jvp:
    """``jax.custom_jvp``: ``f.defjvp(rule)`` with ``rule(*nondiff_args, primals, tangents) -> (out, tangent_out)``.

    Forward mode (``torch.func.jvp``) applies the rule; reverse mode (``torch.autograd.grad``,
    ``torch.func.grad``/``vjp``) transposes it, which assumes, as JAX does, that the tangent
    output is linear in the tangents.
    """

    def __init__(self, fun, nondiff_argnums=(), nondiff_argnames=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = _nondiff_positions(fun, nondiff_argnums, nondiff_argnames)
        self.jvp = None

    def defjvp(self, jvp, symbolic_zeros=False):
        if symbolic_zeros:
            raise NotImplementedError("custom_jvp symbolic_zeros=True is not supported by jax2torch_runtime")
        self.jvp = jvp
        self._node = _jvp_node(self)
        return jvp

    def defjvps(self, *jvps):
        """One ``jvp_i(tangent_i, primal_out, *primals)`` per argument (``None``: no contribution), summed."""
        if self.nondiff_argnums:
            raise TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.")

        def rule(primals, tangents):
            out = self.fun(*primals)
            parts = [fn(t, out, *primals) for fn, t in zip(jvps, tangents) if fn is not None]
            if not parts:
                return out, tree.map(torch.zeros_like, out)
            return out, functools.reduce(lambda a, b: tree.map(torch.add, a, b), parts)

        self.defjvp(rule)

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise AttributeError(f"no JVP defined for custom_jvp function {self.__name__} using defjvp")
        args = _positional(self.fun, args, kwargs)
        nondiff, diff = _split(args, self.nondiff_argnums)
        call = _Call(nondiff, diff)
        if not call.tensor_pos:
            return self.fun(*args)
        results = self._node.apply(call, *call.tensors())
        return call.out_def.unflatten(list(results))


def _jvp_node(owner: custom_jvp):
    """The autograd node of a ``custom_jvp`` function: forward is ``fun``, jvp the rule, backward its transpose."""
    argnums, fun, rule = owner.nondiff_argnums, owner.fun, owner.jvp

    def tangent_out(call, tensors, tangent_tensors):
        """The rule's tangent output, as flat tensors laid out like forward's outputs."""
        tangents = [0.0 if isinstance(leaf, (int, float, complex)) else leaf for leaf in call.leaves]
        for i, t in zip(call.tensor_pos, tangent_tensors):
            tangents[i] = t
        _, t_out = rule(*call.nondiff, call.diff_args(tensors), tuple(call.in_def.unflatten(tangents)))
        return tuple(_as_output(leaf) for leaf in tree.treedef_leaves_like(call.out_def, t_out))

    class CustomJVP(torch.autograd.Function):
        generate_vmap_rule = True

        @staticmethod
        def forward(call, *tensors):
            return call.outputs(fun(*_merge(call.nondiff, call.diff_args(tensors), argnums)), tensors)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.call = inputs[0]
            ctx.save_for_backward(*inputs[1:])
            ctx.save_for_forward(*inputs[1:])

        @staticmethod
        def backward(ctx, *grads):
            call, tensors = ctx.call, ctx.saved_tensors
            live = [i for i, t in enumerate(tensors) if _differentiable(t)]
            zeros = [torch.zeros_like(t) for t in tensors]

            def linear(*live_tangents):
                tangent_tensors = list(zeros)
                for i, t in zip(live, live_tangents):
                    tangent_tensors[i] = t
                return tangent_out(call, tensors, tangent_tensors)

            _, transpose = torch.func.vjp(linear, *(zeros[i] for i in live))
            cts = dict(zip(live, transpose(tuple(grads))))
            return (None, *(cts.get(i) for i in range(len(tensors))))

        @staticmethod
        def jvp(ctx, _call_tangent, *tangents):
            tensors = ctx.saved_tensors
            filled = [torch.zeros_like(p) if t is None else t for p, t in zip(tensors, tangents)]
            return tangent_out(ctx.call, tensors, filled)

    CustomJVP.__name__ = CustomJVP.__qualname__ = f"CustomJVP_{owner.__name__}"
    return CustomJVP
