"""Which files a run looks at, and where the project (and so the backup store) lives.

Folders that are never someone's own source are pruned while walking (version control, virtual
environments, build output, caches, the backup store itself). Paths named on the command line are
taken as given: asking for ``build/x.py`` explicitly migrates it. ``--exclude`` globs apply to
both; an unanchored glob matches any trailing part of the path, as in ``.gitignore``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

SKIPPED_DIR_NAMES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", ".eggs", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".jax2torch", "__pycache__", "node_modules",
        "site-packages", "build", "dist",
    }
)  # fmt: skip
PROJECT_MARKERS = ("pyproject.toml", "setup.py", ".git")
PYTHON_SUFFIXES = (".py",)


def find_project_root(paths: Sequence[Path]) -> Path:
    """Nearest ancestor of the common parent of ``paths`` holding a project marker.

    Without a marker the common parent itself is the root (the current folder when no path is given).
    """
    resolved = [p.resolve() for p in paths] or [Path.cwd()]
    parents = [p if p.is_dir() else p.parent for p in resolved]
    common = Path(os.path.commonpath([str(p) for p in parents]))
    for candidate in (common, *common.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return common


def _glob_targets(path: Path, root: Path) -> list[str]:
    """The strings an exclude glob is tried against: every trailing run of path parts."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = path.parts
    return ["/".join(parts[i:]) for i in range(len(parts))]


def is_excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    targets = _glob_targets(path, root)
    return any(fnmatch.fnmatchcase(t, pat.rstrip("/")) for pat in patterns for t in targets)


def _skip_dir(path: Path, name: str, never: frozenset[Path]) -> bool:
    return (
        name in SKIPPED_DIR_NAMES
        or name.endswith(".egg-info")
        or (path / "pyvenv.cfg").exists()
        or path in never
    )


def discover(
    paths: Iterable[Path],
    root: Path,
    exclude: Sequence[str] = (),
    never: Iterable[Path] = (),
    suffixes: Sequence[str] = PYTHON_SUFFIXES,
) -> list[Path]:
    """Absolute, de-duplicated, sorted files to migrate under ``paths``.

    ``never`` names folders to prune wherever they are (the backup store when ``--backup-dir``
    points inside the tree). Symbolic links are not followed while walking: a linked folder could
    loop, and writing through a linked file would replace the link with a copy.
    """
    root = root.resolve()
    never_set = frozenset(p.resolve() for p in never)
    found: set[Path] = set()
    for given in paths:
        given = given.resolve()
        if given.is_file():
            if not is_excluded(given, root, exclude):
                found.add(given)
            continue
        for dirpath, dirnames, filenames in os.walk(given):
            current = Path(dirpath)
            dirnames[:] = [
                d
                for d in dirnames
                if not (current / d).is_symlink()
                and not _skip_dir(current / d, d, never_set)
                and not is_excluded(current / d, root, exclude)
            ]
            for name in filenames:
                candidate = current / name
                if (
                    name.endswith(tuple(suffixes))
                    and not candidate.is_symlink()
                    and not is_excluded(candidate, root, exclude)
                ):
                    found.add(candidate)
    return sorted(found)


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (the current folder) when under it, else absolute; posix form."""
    base = (base or Path.cwd()).resolve()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
