"""runtime.tree key paths, keystr, transpose and Partial against jax.tree_util on the same trees."""

from collections import OrderedDict, namedtuple

import jax
import pytest

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
