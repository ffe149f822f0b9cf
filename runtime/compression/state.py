"""A compressed ``state_dict``: one :class:`Compressed` per entry plus the selection report."""

from __future__ import annotations

import os
from typing import Any

import torch

from .container import FORMAT_TAG, FORMAT_VERSION, Compressed

_STATE_TAG = FORMAT_TAG + ".state_dict"


class CompressedStateDict:
    def __init__(self, entries: dict[str, Compressed], report: list[dict[str, Any]] | None = None) -> None:
        self.entries = dict(entries)
        self.report = list(report or [])

    @property
    def nbytes(self) -> int:
        return sum(e.nbytes for e in self.entries.values())

    @property
    def original_nbytes(self) -> int:
        return sum(e.original_nbytes for e in self.entries.values())

    @property
    def ratio(self) -> float:
        return self.original_nbytes / max(self.nbytes, 1)

    def decompress(self) -> dict[str, torch.Tensor]:
        return {name: e.decompress() for name, e in self.entries.items()}

    def strategy_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.entries.values():
            counts[e.kind] = counts.get(e.kind, 0) + 1
        return counts

    def state(self) -> dict[str, Any]:
        return {"format": _STATE_TAG, "version": FORMAT_VERSION,
                "entries": {n: e.state() for n, e in self.entries.items()}, "report": self.report}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "CompressedStateDict":
        if not isinstance(state, dict) or state.get("format") != _STATE_TAG:
            raise ValueError("not a jax2torch compressed state_dict (missing format tag)")
        return cls({n: Compressed.from_state(s) for n, s in state["entries"].items()}, state["report"])

    def save(self, path: str | os.PathLike) -> None:
        torch.save(self.state(), path)

    @classmethod
    def load(cls, path: str | os.PathLike, map_location: Any = None) -> "CompressedStateDict":
        return cls.from_state(torch.load(path, map_location=map_location, weights_only=True))
