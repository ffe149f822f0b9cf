"""The base of every compressed object: plain tensors plus plain metadata.

Why a single base: every encoding (quantized codes, sparse values + indices, IEEE 754 planes, ...)
must report its true storage size and survive ``torch.save``/``torch.load(weights_only=True)``.
Keeping the state as ``{name: Tensor}`` plus JSON-like metadata means no Python code is ever
pickled, and ``load`` can rebuild the right class from the ``kind`` string through a registry.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import torch

FORMAT_TAG = "jax2torch.compressed"
FORMAT_VERSION = 1
_REGISTRY: dict[str, type["Compressed"]] = {}
_PLAIN = (int, float, str, bool, type(None))


def dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` -> ``"float32"``: dtypes are stored as strings so metadata stays plain."""
    return str(dtype).removeprefix("torch.")


def dtype_from_name(name: str) -> torch.dtype:
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise ValueError(f"unknown dtype name {name!r} in compressed metadata")
    return dtype


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_plain(item, where)
    elif not isinstance(value, _PLAIN):
        raise TypeError(f"metadata {where} must be int/float/str/bool/None or lists of them, got {type(value).__name__}")


class Compressed:
    """A compressed tensor: ``data`` (tensors) + ``meta`` (plain values); subclasses add ``decompress``.

    Entries of ``data`` and ``meta`` are readable as attributes (``q.codes``, ``q.bits``).
    """

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            _REGISTRY[cls.kind] = cls

    def __init__(self, data: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
        for key, value in data.items():
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"data[{key!r}] must be a tensor, got {type(value).__name__}")
        for key, value in meta.items():
            _check_plain(value, repr(key))
        self.data = dict(data)
        self.meta = dict(meta)

    def __getattr__(self, name: str) -> Any:
        if name in ("data", "meta"):
            raise AttributeError(name)
        if name in self.data:
            return self.data[name]
        if name in self.meta:
            return self.meta[name]
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")

    @property
    def shape(self) -> torch.Size:
        return torch.Size(self.meta["shape"])

    @property
    def dtype(self) -> torch.dtype:
        return dtype_from_name(self.meta["dtype"])

    @property
    def numel(self) -> int:
        return self.shape.numel()

    @property
    def nbytes(self) -> int:
        """Bytes of tensor payload (metadata is a few scalars and is not counted)."""
        return sum(t.numel() * t.element_size() for t in self.data.values())

    @property
    def original_nbytes(self) -> int:
        return self.numel * torch.empty((), dtype=self.dtype).element_size()

    @property
    def ratio(self) -> float:
        """Original size / compressed size (higher is better)."""
        return self.original_nbytes / max(self.nbytes, 1)

    def decompress(self) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement decompress()")

    def to(self, device: torch.device | str) -> "Compressed":
        return type(self)({k: v.to(device) for k, v in self.data.items()}, self.meta)

    def state(self) -> dict[str, Any]:
        """Plain-dict form, safe for ``torch.load(weights_only=True)``."""
        return {"format": FORMAT_TAG, "version": FORMAT_VERSION, "kind": self.kind,
                "data": self.data, "meta": self.meta}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "Compressed":
        if not isinstance(state, dict) or state.get("format") != FORMAT_TAG:
            raise ValueError("not a jax2torch compressed object (missing format tag)")
        if state.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported compressed format version {state.get('version')!r}")
        kind = state["kind"]
        if kind not in _REGISTRY:
            raise ValueError(f"unknown compressed kind {kind!r}; known: {sorted(_REGISTRY)}")
        return _REGISTRY[kind](state["data"], state["meta"])

    def save(self, path: str | os.PathLike) -> None:
        torch.save(self.state(), path)

    @classmethod
    def load(cls, path: str | os.PathLike, map_location: Any = None) -> "Compressed":
        return cls.from_state(torch.load(path, map_location=map_location, weights_only=True))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(shape={tuple(self.shape)}, dtype={self.meta['dtype']}, "
                f"nbytes={self.nbytes}, ratio={self.ratio:.2f})")


def decompress(obj: Compressed) -> torch.Tensor:
    """Functional form of ``obj.decompress()``."""
    if not isinstance(obj, Compressed):
        raise TypeError(f"expected a Compressed object, got {type(obj).__name__}")
    return obj.decompress()
