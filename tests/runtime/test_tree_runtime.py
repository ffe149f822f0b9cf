"""runtime.tree key paths, keystr, transpose, Partial and registered classes against jax.tree_util on the same trees."""

from collections import OrderedDict, namedtuple

import jax
import numpy as np
import pytest
import torch

import jax2torch_runtime.tree as jt

Point = namedtuple("Point", "u v")

TREES = [
    {"b": [1, (2, 3)], "a": None, "c": {"x": 4}},
    [Point(1, {"z": 2, "y": 3}), (4,)],
    OrderedDict([("z", 1), ("a", [2, 3])]),
    (None, [], {"k": (5, None)}),
]


@pytest.mark.parametrize("tree", TREES)
def test_paths_and_keystr_match_jax(tree):
    ours = jt.leaves_with_path(tree)
    theirs = jax.tree_util.tree_leaves_with_path(tree)
    assert [leaf for _, leaf in ours] == [leaf for _, leaf in theirs]
    assert [jt.keystr(p) for p, _ in ours] == [jax.tree_util.keystr(p) for p, _ in theirs]
    assert [jt.keystr(p, simple=True, separator=".") for p, _ in ours] == [
        jax.tree_util.keystr(p, simple=True, separator=".") for p, _ in theirs]
    assert [repr(p) for p, _ in ours] == [repr(p) for p, _ in theirs]


def test_key_classes_compare_and_hash_by_value():
    assert jt.DictKey("a") == jt.DictKey("a") != jt.DictKey("b")
    assert jt.SequenceKey(1) != jt.DictKey(1)
    assert len({jt.GetAttrKey("w"), jt.GetAttrKey("w"), jt.SequenceKey(0)}) == 2


def test_map_with_path_passes_paths_and_other_trees():
    tree = {"w": 1, "b": [2, 3]}
    got = jt.map_with_path(lambda p, a, b: (jt.keystr(p), a + b), tree, tree)
    want = jax.tree_util.tree_map_with_path(lambda p, a, b: (jax.tree_util.keystr(p), a + b), tree, tree)
    assert got == want


def test_transpose_matches_jax_with_and_without_inner_structure():
    value = [(1, 2, 3), (4, 5, 6)]
    outer, inner = jt.structure([0, 0]), jt.structure((0, 0, 0))
    want = jax.tree.transpose(jax.tree.structure([0, 0]), jax.tree.structure((0, 0, 0)), value)
    assert jt.transpose(outer, inner, value) == want
    assert jt.transpose(outer, None, value) == want


def test_partial_children_are_its_bound_arguments():
    ours = jt.Partial(lambda a, b, c=0: a * b + c, 2, c=5)
    theirs = jax.tree_util.Partial(lambda a, b, c=0: a * b + c, 2, c=5)
    assert jt.leaves(ours) == jax.tree.leaves(theirs)
    doubled = jt.map(lambda v: v * 10, ours)
    assert doubled(3) == jax.tree.map(lambda v: v * 10, theirs)(3) == 110


def _registered_tree(register_node, register_class, register_dataclass, ones):
    """The same tree of three registered classes, built with JAX's or the runtime's registry."""
    import dataclasses
    import functools

    class Point:
        def __init__(self, x, y, name):
            self.x, self.y, self.name = x, y, name

    register_node(Point, lambda p: ((p.x, p.y), p.name), lambda aux, c: Point(c[0], c[1], aux))

    @register_class
    class Box:
        def __init__(self, lo, hi):
            self.lo, self.hi = lo, hi

        def tree_flatten(self):
            return (self.hi, self.lo), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(children[1], children[0])

    @functools.partial(register_dataclass, data_fields=["w", "b"], meta_fields=["act"])
    @dataclasses.dataclass
    class Layer:
        w: object
        b: object
        act: str

    return {"p": Point(ones(2), ones(3) * 0, "a"), "box": Box(ones(1) * 2, ones(1) * 3),
            "layers": [Layer(ones(2) * 4, ones(1) * 5, "relu")]}


def test_registered_classes_flatten_like_jax_and_pass_through_torch_func():
    import jax
    import jax.numpy as jnp

    jax_tree = _registered_tree(jax.tree_util.register_pytree_node, jax.tree_util.register_pytree_node_class,
                                jax.tree_util.register_dataclass, jnp.ones)
    torch_tree = _registered_tree(jt.register_pytree_node, jt.register_pytree_node_class,
                                  jt.register_dataclass, torch.ones)
    assert [np.asarray(a).tolist() for a in jax.tree_util.tree_leaves(jax_tree)] == \
        [b.tolist() for b in jt.leaves(torch_tree)]
    assert [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(jax_tree)[0]] == \
        [jt.keystr(p) for p, _ in jt.flatten_with_path(torch_tree)[0]]
    doubled = jt.map(lambda v: v * 2, torch_tree)
    assert doubled["p"].name == "a" and doubled["layers"][0].act == "relu"
    assert jt.structure(doubled) == jt.structure(torch_tree)
    grads = torch.func.grad(lambda t: sum((leaf ** 2).sum() for leaf in jt.leaves(t)))(torch_tree)
    assert type(grads["p"]).__name__ == "Point" and torch.equal(grads["layers"][0].w, torch.full((2,), 8.0))
