"""Findings: what the engine noticed, as plain records. Rendering happens at the edge (reports.py)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass


class Severity(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """One thing a rule did or could not do, at one place.

    ``fixed`` is True when the construct was rewritten; False means it was left as it is
    (an error finding always comes with a ``# TODO(jax2torch): CODE`` comment on its line).
    ``suppressed`` marks findings silenced by a ``# jax2torch: ignore`` comment.
    ``cell`` is the notebook cell index (0-based) for findings in ``.ipynb`` files.
    """

    code: str
    path: str
    line: int
    col: int
    severity: Severity
    message: str
    fixed: bool
    suppressed: bool = False
    cell: int | None = None

    @property
    def needs_attention(self) -> bool:
        return not self.suppressed and (not self.fixed or self.severity is not Severity.INFO)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        return cls(**{**data, "severity": Severity(data["severity"])})
