"""Pytrees with JAX's conventions, for ``jax.tree.*`` / ``jax.tree_util.*``.

JAX flattens dicts in *sorted key* order and treats ``None`` as an empty subtree; lists, tuples,
namedtuples, dicts and OrderedDicts (insertion order) are nodes, and so are classes registered with
:func:`register_pytree_node` (and its ``_class`` / ``_with_keys`` / ``register_dataclass`` forms);
everything else is a leaf. The leaf order decides what ``leaves`` returns and how ``unflatten``
refills a structure, so it is reproduced exactly here rather than borrowed from
``torch.utils._pytree`` (insertion order). Registered classes are also registered with
``torch.utils._pytree``, so ``torch.func.grad``/``vmap`` accept them as they accept dicts.
"""

from __future__ import annotations

import collections
import functools

__all__ = ["map", "leaves", "structure", "flatten", "unflatten", "reduce", "all", "map_with_path", "ravel_pytree",
           "flatten_with_path", "leaves_with_path", "keystr", "transpose", "DictKey", "SequenceKey", "GetAttrKey",
           "Partial", "register_pytree_node", "register_pytree_node_class", "register_pytree_with_keys",
           "register_dataclass", "FlattenedIndexKey"]

_builtin_all = all
_builtin_map = map


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


#: type -> (flatten(x) -> (children, aux), unflatten(aux, children), flatten_with_keys or None)
_REGISTRY: dict = {}


def register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func=None):
    """``jax.tree_util.register_pytree_node``: ``flatten_func(x) -> (children, aux_data)`` and
    ``unflatten_func(aux_data, children) -> x``; instances become nodes of every ``j2t.tree``
    function (and of ``torch.func`` transforms, through ``torch.utils._pytree``)."""
    _REGISTRY[nodetype] = (flatten_func, unflatten_func, flatten_with_keys_func)
    _register_with_torch(nodetype, flatten_func, unflatten_func)
    return nodetype


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func, flatten_func=None):
    """``jax.tree_util.register_pytree_with_keys``: ``flatten_with_keys(x) -> ([(key, child)], aux)``."""
    if flatten_func is None:
        def flatten_func(x):
            pairs, aux = flatten_with_keys(x)
            return [child for _, child in pairs], aux
    return register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls):
    """``jax.tree_util.register_pytree_node_class``: the class's ``tree_flatten`` method and
    ``tree_unflatten`` classmethod; returns the class (usable as a decorator)."""
    return register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)


def register_dataclass(nodetype=None, data_fields=None, meta_fields=None, drop_fields=()):
    """``jax.tree_util.register_dataclass``: data fields are children, meta fields (by default those
    with ``field(metadata=dict(static=True))``) are static. Usable as a decorator, bare or partial."""
    import dataclasses

    if nodetype is None:
        return functools.partial(register_dataclass, data_fields=data_fields, meta_fields=meta_fields,
                                 drop_fields=drop_fields)
    if data_fields is None or meta_fields is None:
        fields = [f for f in dataclasses.fields(nodetype) if f.init and f.name not in drop_fields]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)] if meta_fields is None else meta_fields
        data_fields = [f.name for f in fields if f.name not in meta_fields] if data_fields is None else data_fields
    data_fields, meta_fields = list(data_fields), list(meta_fields)

    def flatten_with_keys(x):
        return [(GetAttrKey(n), getattr(x, n)) for n in data_fields], tuple(getattr(x, m) for m in meta_fields)

    def unflatten(aux, children):
        return nodetype(**dict(zip(meta_fields, aux)), **dict(zip(data_fields, children)))

    return register_pytree_with_keys(nodetype, flatten_with_keys, unflatten)


def _register_with_torch(nodetype, flatten_func, unflatten_func) -> None:
    try:
        from torch.utils import _pytree
    except ImportError:  # pragma: no cover - torch is the runtime's one dependency
        return
    if nodetype in getattr(_pytree, "SUPPORTED_NODES", {}) or (issubclass(nodetype, tuple) and hasattr(nodetype, "_fields")):
        return  # already a node for torch (namedtuples are, field by field)
    def torch_flatten(x):
        children, aux = flatten_func(x)
        return list(children), aux

    _pytree.register_pytree_node(
        nodetype, torch_flatten, lambda values, aux: unflatten_func(aux, list(values)),
        serialized_type_name=f"{nodetype.__module__}.{nodetype.__qualname__}")


def _registered(x):
    """(children, rebuild, aux) for an instance of a registered class, or None."""
    entry = _REGISTRY.get(type(x))
    if entry is None:
        return None
    kids, aux = entry[0](x)
    kids = list(kids)
    return kids, lambda c: entry[1](aux, list(c)), aux


def _children(x):
    """(children, rebuild) for a node, or None for a leaf."""
    registered = _registered(x)
    if registered is not None:
        return registered[:2]
    if x is None:
        return [], lambda _: None
    if isinstance(x, Partial):
        return _partial_children(x)
    if isinstance(x, collections.OrderedDict):
        keys = list(x)
        return [x[k] for k in keys], lambda c: collections.OrderedDict(zip(keys, c))
    if isinstance(x, dict):
        keys = sorted(x)
        return [x[k] for k in keys], lambda c: type(x)(zip(keys, c)) if type(x) is not dict else dict(zip(keys, c))
    if _is_namedtuple(x):
        return list(x), lambda c: type(x)(*c)
    if isinstance(x, (list, tuple)):
        return list(x), lambda c: type(x)(c)
    return None


class PyTreeDef:
    """The structure of a pytree (its nodes), comparable with ``==``."""

    def __init__(self, rebuild, kids, n_leaves, key):
        self._rebuild, self._kids, self.num_leaves, self._key = rebuild, kids, n_leaves, key

    def __eq__(self, other):
        return isinstance(other, PyTreeDef) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __repr__(self):
        return f"PyTreeDef({self._key})"

    def unflatten(self, leaves_):
        it = iter(leaves_)
        return self._fill(it)

    def _fill(self, it):
        if self._kids is None:
            return next(it)
        return self._rebuild([k._fill(it) for k in self._kids])


def _flatten(x, is_leaf):
    if is_leaf is not None and is_leaf(x):
        return [x], PyTreeDef(None, None, 1, "*")
    registered = _registered(x)
    node = registered[:2] if registered is not None else _children(x)
    if node is None:
        return [x], PyTreeDef(None, None, 1, "*")
    kids, rebuild = node
    out, defs = [], []
    for k in kids:
        leaves_, d = _flatten(k, is_leaf)
        out += leaves_
        defs.append(d)
    if registered is not None:
        key = (type(x).__qualname__, _hashable(registered[2]), tuple(d._key for d in defs))
        return out, PyTreeDef(rebuild, defs, len(out), key)
    key = (type(x).__name__, tuple(sorted(x)) if isinstance(x, dict) and not isinstance(x, collections.OrderedDict)
           else tuple(x) if isinstance(x, collections.OrderedDict) else len(kids), tuple(d._key for d in defs))
    return out, PyTreeDef(rebuild, defs, len(out), key)


def _hashable(aux):
    try:
        hash(aux)
    except TypeError:
        return repr(aux)
    return aux


def flatten(tree, is_leaf=None):
    """``(leaves, treedef)`` in JAX's order."""
    return _flatten(tree, is_leaf)


def leaves(tree, is_leaf=None):
    return _flatten(tree, is_leaf)[0]


def structure(tree, is_leaf=None):
    return _flatten(tree, is_leaf)[1]


def unflatten(treedef: PyTreeDef, leaves_):
    return treedef.unflatten(leaves_)


def map(f, tree, *rest, is_leaf=None):  # noqa: A001 - mirrors jax.tree.map
    """``jax.tree.map``: ``rest`` must have ``tree``'s structure (as a prefix of their own)."""
    flat, treedef = _flatten(tree, is_leaf)
    others = [treedef_leaves_like(treedef, r) for r in rest]
    return treedef.unflatten([f(*xs) for xs in zip(flat, *others)])


def treedef_leaves_like(treedef: PyTreeDef, tree):
    flat, other = _flatten(tree, lambda x: False)
    if other != treedef:
        # allow the other tree to be deeper (a prefix match): flatten it up to treedef's leaves
        return _prefix_leaves(treedef, tree)
    return flat


def _prefix_leaves(treedef, tree):
    if treedef._kids is None:
        return [tree]
    node = _children(tree)
    if node is None or len(node[0]) != len(treedef._kids):
        raise ValueError(f"pytree structures differ: {treedef} vs {structure(tree)}")
    return [leaf for k, c in zip(treedef._kids, node[0]) for leaf in _prefix_leaves(k, c)]


def reduce(f, tree, initializer=None, is_leaf=None):
    flat = leaves(tree, is_leaf)
    return functools.reduce(f, flat) if initializer is None else functools.reduce(f, flat, initializer)


def all(tree, is_leaf=None):  # noqa: A001 - mirrors jax.tree.all
    return _builtin_all(bool(x) for x in leaves(tree, is_leaf))


class _PathKey:
    """One entry of a key path; equal and hashed by type and value, as JAX's key classes are."""

    __slots__ = ()
    _field = ""

    def _value(self):
        return getattr(self, self._field)

    def __repr__(self):
        return f"{type(self).__name__}({self._field}={self._value()!r})"

    def __eq__(self, other):
        return type(other) is type(self) and self._value() == other._value()

    def __hash__(self):
        return hash((type(self).__name__, self._value()))


class DictKey(_PathKey):
    """A dict entry in a key path (``jax.tree_util.DictKey``): prints as ``['a']``."""

    __slots__ = ("key",)
    _field = "key"

    def __init__(self, key):
        self.key = key

    def __str__(self):
        return f"[{self.key!r}]"


class SequenceKey(_PathKey):
    """A list/tuple position in a key path (``jax.tree_util.SequenceKey``): prints as ``[0]``."""

    __slots__ = ("idx",)
    _field = "idx"

    def __init__(self, idx: int):
        self.idx = idx

    def __str__(self):
        return f"[{self.idx!r}]"


class GetAttrKey(_PathKey):
    """A namedtuple field (or attribute) in a key path (``jax.tree_util.GetAttrKey``): ``.name``."""

    __slots__ = ("name",)
    _field = "name"

    def __init__(self, name: str):
        self.name = name

    def __str__(self):
        return f".{self.name}"


class FlattenedIndexKey(_PathKey):
    """A child of a registered class without keys (``jax.tree_util.FlattenedIndexKey``)."""

    __slots__ = ("key",)
    _field = "key"

    def __init__(self, key: int):
        self.key = key

    def __str__(self):
        return f"[<flat index {self.key}>]"


def _simple(entry) -> str:
    return str(entry.key if isinstance(entry, (DictKey, FlattenedIndexKey)) else entry.idx if isinstance(entry, SequenceKey)
               else entry.name if isinstance(entry, GetAttrKey) else entry)


def keystr(keys, *, simple=False, separator="/") -> str:
    """``jax.tree_util.keystr``: ``['a'][0].b``, or the bare names joined by ``separator``."""
    return separator.join(_simple(k) for k in keys) if simple else "".join(str(k) for k in keys)


def _paths(tree, is_leaf):
    """Key paths of the leaves, in leaf order (DictKey / SequenceKey / GetAttrKey as in JAX)."""
    paths = []

    def walk(x, path):
        node = None if (is_leaf is not None and is_leaf(x)) else _children(x)
        if node is None:
            paths.append(path)
            return
        entry = _REGISTRY.get(type(x))
        if entry is not None:
            keyed = entry[2](x)[0] if entry[2] is not None else list(enumerate(node[0]))
            for i, (k, c) in enumerate(keyed):
                walk(c, path + ((FlattenedIndexKey(k) if entry[2] is None else k),))
        elif isinstance(x, dict):
            keys = list(x) if isinstance(x, collections.OrderedDict) else sorted(x)
            for k in keys:
                walk(x[k], path + (DictKey(k),))
        elif _is_namedtuple(x):
            for name in x._fields:
                walk(getattr(x, name), path + (GetAttrKey(name),))
        else:
            for i, c in enumerate(node[0]):
                walk(c, path + (SequenceKey(i),))

    walk(tree, ())
    return paths


def flatten_with_path(tree, is_leaf=None):
    """``jax.tree.flatten_with_path``: ``([(path, leaf), ...], treedef)``."""
    flat, treedef = _flatten(tree, is_leaf)
    return list(zip(_paths(tree, is_leaf), flat)), treedef


def leaves_with_path(tree, is_leaf=None):
    """``jax.tree.leaves_with_path``: ``[(path, leaf), ...]`` in JAX's leaf order."""
    return flatten_with_path(tree, is_leaf)[0]


def map_with_path(f, tree, *rest, is_leaf=None):
    """``jax.tree.map_with_path``: ``f(path, leaf, *others)`` with JAX key paths."""
    flat, treedef = _flatten(tree, is_leaf)
    others = [treedef_leaves_like(treedef, r) for r in rest]
    return treedef.unflatten([f(p, *xs) for p, *xs in zip(_paths(tree, is_leaf), flat, *others)])


def transpose(outer_treedef: PyTreeDef, inner_treedef, pytree_to_transpose):
    """``jax.tree.transpose``: turn an outer tree of inner trees into an inner tree of outer
    trees (``inner_treedef`` None: inferred from the first subtree)."""
    subtrees = treedef_leaves_like(outer_treedef, pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = structure(subtrees[0])
    columns = [treedef_leaves_like(inner_treedef, sub) for sub in subtrees]
    return inner_treedef.unflatten([outer_treedef.unflatten(list(col)) for col in zip(*columns)])


class Partial(functools.partial):
    """``jax.tree_util.Partial``: a ``functools.partial`` whose bound arguments are the pytree
    children (the function itself is static), so tree functions reach the bound tensors."""


def _partial_children(p: Partial):
    return [p.args, p.keywords], lambda c: Partial(p.func, *c[0], **c[1])


def ravel_pytree(tree):
    """``jax.flatten_util.ravel_pytree``: (1-D tensor of all leaves, function rebuilding the tree).

    Leaves are concatenated in JAX's order and promoted to one dtype, as JAX does.
    """
    import torch

    flat, treedef = _flatten(tree, None)
    tensors = [torch.as_tensor(leaf) for leaf in flat]
    dtype = functools.reduce(torch.promote_types, [t.dtype for t in tensors]) if tensors else torch.float32
    shapes = [t.shape for t in tensors]
    sizes = [t.numel() for t in tensors]
    dtypes = [t.dtype for t in tensors]
    vector = torch.cat([t.reshape(-1).to(dtype) for t in tensors]) if tensors else torch.zeros(0, dtype=dtype)

    def unravel(v):
        parts = torch.split(v, sizes) if sizes else []
        return treedef.unflatten([p.reshape(s).to(d) for p, s, d in zip(parts, shapes, dtypes)])

    return vector, unravel
