"""Project settings: ``[tool.jax2torch]`` in the nearest ``pyproject.toml``, as ruff reads ``[tool.ruff]``.

The search starts at the common folder of the paths given on the command line and walks up; the
first ``pyproject.toml`` with a ``[tool.jax2torch]`` table wins (one without it is passed over, as
ruff does). Relative paths in the table are relative to that file's folder. Command-line flags
replace the value of the same key; nothing is merged, so what a flag says is what runs.

Every key is checked before a run starts: an unknown key, a value of the wrong type or an
unreadable file is a :class:`ConfigError` naming the file and the key (the CLI exits 2).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

JIT_MODES = ("drop", "compile")
#: key -> (kind, help). Kinds: "list" of strings, "path", "paths" (a string or a list), "jit".
KEYS = {
    "exclude": ("list", "globs of files/folders to skip"),
    "select": ("list", "rule-code prefixes to apply"),
    "ignore": ("list", "rule-code prefixes to skip"),
    "jit": ("jit", "what jax.jit becomes: drop | compile"),
    "backup-dir": ("path", "where originals are kept"),
    "extra-rules": ("paths", "user rule files (same format as the bundled table)"),
    "report": ("paths", "report file(s) written after each run (.json / .md)"),
}


class ConfigError(ValueError):
    """A ``[tool.jax2torch]`` table that cannot be used; the message names the file and key."""

    def __init__(self, path: Path, key: str, reason: str):
        super().__init__(f"{path}: [tool.jax2torch] {key}: {reason}" if key else f"{path}: {reason}")
        self.path, self.key = path, key


@dataclass(frozen=True)
class ProjectConfig:
    """The checked settings of one project; ``path`` is None when no table was found."""

    path: Path | None = None
    values: dict = field(default_factory=dict)

    def get(self, key: str, cli_value=None):
        """The command-line value when given (non-empty), else the configured one, else None."""
        if cli_value not in (None, (), []):
            return cli_value
        return self.values.get(key)


def find_pyproject(paths: Sequence[Path]) -> tuple[Path, dict] | None:
    """The nearest ``pyproject.toml`` (upwards from the paths' common folder) with our table."""
    resolved = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    parents = [p if p.is_dir() else p.parent for p in resolved]
    start = Path(os.path.commonpath([str(p) for p in parents]))
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(candidate, "", f"not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(candidate, "", f"cannot read: {exc.strerror or exc}") from None
        table = data.get("tool", {}).get("jax2torch")
        if table is not None:
            return candidate, table
    return None


def load_config(paths: Sequence[Path]) -> ProjectConfig:
    found = find_pyproject(paths)
    if found is None:
        return ProjectConfig()
    path, table = found
    if not isinstance(table, dict):
        raise ConfigError(path, "", "[tool.jax2torch] must be a table")
    return ProjectConfig(path, {key: _check(path, key, value) for key, value in table.items()})


def _check(path: Path, key: str, value):
    if key not in KEYS:
        known = ", ".join(sorted(KEYS))
        raise ConfigError(path, key, f"unknown key (known keys: {known})")
    kind = KEYS[key][0]
    base = path.parent
    if kind == "jit":
        if value not in JIT_MODES:
            raise ConfigError(path, key, f"must be one of {', '.join(map(repr, JIT_MODES))}, got {value!r}")
        return value
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise ConfigError(path, key, f"must be a path string, got {value!r}")
        return (base / value).resolve()
    if kind == "paths" and isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(path, key, f"must be a list of strings, got {value!r}")
    if kind == "list":
        return tuple(value)
    resolved = tuple((base / v).resolve() for v in value)
    if key == "extra-rules":
        for given, full in zip(value, resolved):
            if not full.is_file():
                raise ConfigError(path, key, f"rule file {given!r} does not exist")
    return resolved


def watched_roots(table) -> tuple[str, ...]:
    """Top-level packages the engine must resolve: ``jax`` plus any a user rule file maps
    (a team's own ``jaxkit.tropical`` helpers), so their imports are followed like JAX's."""
    return tuple(sorted({"jax"} | {rule.jax.split(".")[0] for rule in table.rules if rule.jax}))
