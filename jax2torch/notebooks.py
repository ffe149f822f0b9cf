"""Jupyter notebooks: the code cells migrated as one module, everything else kept byte for byte.

A notebook's cells share one namespace (``import jax.numpy as jnp`` in the first cell serves the
tenth), so the code cells are joined into one module with a marker comment between them, migrated
once with :meth:`Migrator.migrate_text`, and split back at the markers. IPython syntax the parser
cannot read (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``) is swapped for a placeholder ``pass``
line first and put back after; a cell that starts with a ``%%`` cell magic is not Python and is
left out. Markdown and raw cells, outputs, metadata and cell ids are never touched.

The JSON is written back with the notebook's own layout (indent, key order, ASCII escaping,
trailing newline), which is checked up front by re-serialising the untouched notebook: one whose
layout cannot be reproduced is reported and left alone, as is one that is not valid JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from jax2torch.findings import Finding
from jax2torch.reports import unified_diff
from jax2torch.runner import CHANGED, FAILED, UNCHANGED, FileResult

MARKER = "# <jax2torch cell {}>"
MARKER_RE = re.compile(r"^# <jax2torch cell (\d+)>$")
PLACEHOLDER = "{}pass  # <jax2torch ipython {}>"
PLACEHOLDER_RE = re.compile(r"^(\s*)pass  # <jax2torch ipython (\d+)>$")
IPYTHON_LINE_RE = re.compile(r"^\s*([%!?]|\w+\s*=\s*[%!])|\?\s*$")


class NotebookError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Layout:
    """How ``json.dumps`` must be called to give back the file's own bytes."""

    indent: int | str | None
    ensure_ascii: bool
    newline: bool

    def dump(self, data) -> str:
        return json.dumps(data, indent=self.indent, ensure_ascii=self.ensure_ascii) + ("\n" if self.newline else "")


def detect_layout(text: str, data) -> Layout:
    second = text.split("\n", 2)[1] if text.count("\n") >= 1 else ""
    ws = second[: len(second) - len(second.lstrip())]
    indent = None if "\n" not in text.rstrip("\n") else (ws if "\t" in ws else len(ws))
    for ensure_ascii in (False, True):
        layout = Layout(indent, ensure_ascii, text.endswith("\n"))
        if layout.dump(data) == text:
            return layout
    raise NotebookError("cannot keep its JSON layout (not as Jupyter/nbformat writes it); left as it is")


def load_notebook(raw: bytes) -> tuple[dict, Layout]:
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8: byte {raw[exc.start]:#04x} at offset {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a notebook: no 'cells' list")
    return data, detect_layout(text, data)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _set_source(cell: dict, text: str) -> None:
    """Store ``text`` in the cell's own form: a list of lines (nbformat on disk) or one string."""
    cell["source"] = text.splitlines(keepends=True) if isinstance(cell.get("source"), list) else text


def _is_python(data: dict) -> bool:
    meta = data.get("metadata", {})
    language = meta.get("language_info", {}).get("name") or meta.get("kernelspec", {}).get("language")
    return language in (None, "python")


def code_cells(data: dict) -> list[tuple[int, str]]:
    """``(index in cells, source)`` of the cells to migrate: code, not a ``%%`` cell magic."""
    return [(i, _source(c)) for i, c in enumerate(data["cells"])
            if isinstance(c, dict) and c.get("cell_type") == "code" and not _source(c).lstrip().startswith("%%")]  # fmt: skip


def _mask(text: str, masked: list[str]) -> str:
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if IPYTHON_LINE_RE.search(line):
            indent = line[: len(line) - len(line.lstrip())]
            lines[n] = PLACEHOLDER.format(indent, len(masked))
            masked.append(line)
    return "\n".join(lines)


def _unmask(text: str, masked: list[str]) -> str:
    return "\n".join(
        masked[int(m.group(2))] if (m := PLACEHOLDER_RE.match(line)) else line for line in text.split("\n")
    )  # fmt: skip


def migrate_cells(migrator, cells: list[tuple[int, str]], display: str):
    """Migrate the cells as one module; return ``{index: new source}`` and findings per cell."""
    masked: list[str] = []
    parts, starts = [], []
    line = 1
    for index, source in cells:
        body = _mask(source, masked)
        parts.append(MARKER.format(index) + "\n" + body + ("" if body.endswith("\n") or not body else "\n"))
        starts.append((line + 1, index))
        line += parts[-1].count("\n")
    joined = "".join(parts)
    result = migrator.migrate_text(joined, display)
    new_sources = _split(result.text, cells) if result.text != joined else {i: s for i, s in cells}
    for index, source in cells:
        new = _unmask(new_sources[index], masked)
        new_sources[index] = new if source.endswith("\n") or not new.endswith("\n") else new[:-1]
    return new_sources, [_in_cell(f, starts) for f in result.findings]


def _split(text: str, cells: list[tuple[int, str]]) -> dict[int, str]:
    order, chunks, current = [], {}, None
    for line in text.splitlines(keepends=True):
        match = MARKER_RE.match(line.rstrip("\r\n"))
        if match:
            current = int(match.group(1))
            order.append(current)
            chunks[current] = []
        elif current is None:
            chunks.setdefault(-1, []).append(line)  # imports the engine put above the first marker
        else:
            chunks[current].append(line)
    if order != [i for i, _ in cells]:
        raise NotebookError("internal error: cell boundaries were lost while migrating; left as it is")
    if -1 in chunks:
        chunks[order[0]] = chunks.pop(-1) + chunks[order[0]]
    return {i: "".join(lines) for i, lines in chunks.items()}


def _in_cell(finding: Finding, starts: list[tuple[int, int]]) -> Finding:
    first, index = starts[0]
    for start, i in starts:
        if start <= finding.line:
            first, index = start, i
    return replace(finding, line=max(finding.line - first + 1, 1), cell=index)


def cell_diff(old: dict[int, str], new: dict[int, str], display: str) -> str:
    return "".join(unified_diff(old[i], new[i], f"{display}[cell {i}]") for i in sorted(old) if old[i] != new[i])


def migrate_notebook_file(migrator, path: Path, display: str) -> FileResult:
    """The runner's ``migrate_file`` for ``.ipynb``: compute, never write; failures are reported."""
    from jax2torch.engine import SourceError

    try:
        raw = path.read_bytes()
        mode = path.stat().st_mode & 0o7777
        data, layout = load_notebook(raw)
        cells = code_cells(data) if _is_python(data) else []
        if not cells:
            return FileResult(path, display, UNCHANGED)
        new_sources, findings = migrate_cells(migrator, cells, display)
    except OSError as exc:
        return FileResult(path, display, FAILED, reason=f"cannot read: {exc.strerror or exc}")
    except (NotebookError, SourceError) as exc:
        return FileResult(path, display, FAILED, reason=exc.reason)
    old_sources = dict(cells)
    if new_sources == old_sources:
        return FileResult(path, display, UNCHANGED, findings)
    for index, text in new_sources.items():
        _set_source(data["cells"][index], text)
    after = layout.dump(data).encode("utf-8")
    return FileResult(path, display, CHANGED, findings, mode=mode, before=raw, after=after,
                      diff=cell_diff(old_sources, new_sources, display))  # fmt: skip
