"""The backup store: originals of every file a run changed, and the undo that puts them back.

Layout: ``<store>/<run-id>/manifest.jsonl`` plus ``<store>/<run-id>/files/<relative path>``.
The manifest is an append-only journal of JSON records, one a line, so every prefix of it is a
valid manifest: a run killed at any instant leaves a store that undo can read. For each file the
order is: copy the original into the store, append its entry (hashes before and after, mode),
replace the file atomically, append ``done``. Undo trusts hashes, not the ``done`` marks: a file
whose bytes hash to "after" is restored, one that hashes to "before" was never replaced, and
anything else was changed by someone since, so undo refuses it unless forced.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from jax2torch.sourcefile import atomic_write, sha256

MANIFEST = "manifest.jsonl"
FILES = "files"
DEFAULT_STORE = Path(".jax2torch") / "backups"


class BackupError(Exception):
    """The store is missing, unreadable, or has no run by that name."""


@dataclass
class Entry:
    path: str
    before: str
    after: str
    mode: int
    done: bool = False


@dataclass
class RunInfo:
    run_id: str
    time: str
    root: Path
    directory: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    undone: bool = False

    @property
    def complete(self) -> bool:
        return all(entry.done for entry in self.entries.values())


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class RunWriter:
    """Records one run. The run folder is created at the first change, so no-op runs leave none."""

    def __init__(self, store: Path, root: Path) -> None:
        self.store = store
        self.root = root
        self.run_id: str | None = None
        self._journal = None

    def _open(self) -> None:
        self.store.mkdir(parents=True, exist_ok=True)
        while True:
            run_id = time.strftime("%Y%m%d-%H%M%S-") + f"{time.time_ns() // 1000 % 1_000_000:06d}"
            try:
                (self.store / run_id).mkdir()
                break
            except FileExistsError:
                continue
        self.run_id = run_id
        self._journal = open(self.store / run_id / MANIFEST, "a", encoding="utf-8")
        self._append({"kind": "run", "run_id": run_id, "time": _now(), "root": str(self.root)})

    def _append(self, record: dict, durable: bool = True) -> None:
        self._journal.write(json.dumps(record, sort_keys=True) + "\n")
        self._journal.flush()
        if durable:
            os.fsync(self._journal.fileno())

    def record(self, rel: str, original: bytes, after_sha: str, mode: int) -> None:
        """Save ``original`` and journal the change; call before replacing the file."""
        if self._journal is None:
            self._open()
        target = self.store / self.run_id / FILES / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, original, mode)
        self._append(
            {"kind": "entry", "path": rel, "before": sha256(original), "after": after_sha, "mode": mode}
        )

    def mark_done(self, rel: str) -> None:
        """Informational (undo decides by hashes), so it is not worth an fsync per file."""
        self._append({"kind": "done", "path": rel}, durable=False)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()


def read_run(directory: Path) -> RunInfo:
    """Replay a run's journal; an unfinished last line (process killed mid-write) is ignored."""
    try:
        lines = (directory / MANIFEST).read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise BackupError(f"{directory}: cannot read manifest: {exc.strerror or exc}") from None
    info: RunInfo | None = None
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = record.get("kind")
        if kind == "run":
            info = RunInfo(record["run_id"], record["time"], Path(record["root"]), directory)
        elif info is None:
            break
        elif kind == "entry":
            info.entries[record["path"]] = Entry(
                record["path"], record["before"], record["after"], record["mode"]
            )
        elif kind == "done" and record["path"] in info.entries:
            info.entries[record["path"]].done = True
        elif kind == "undone":
            info.undone = True
    if info is None:
        raise BackupError(f"{directory}: manifest has no run header")
    return info


def list_runs(store: Path) -> list[RunInfo]:
    """Runs in the store, oldest first (run ids sort by time)."""
    if not store.is_dir():
        return []
    runs = []
    for directory in sorted(store.iterdir()):
        if (directory / MANIFEST).is_file():
            try:
                runs.append(read_run(directory))
            except BackupError:
                continue
    return runs


def find_run(store: Path, run_id: str | None) -> RunInfo:
    """The named run, or the newest one not yet undone (a run killed before its first entry has
    nothing to restore and is passed over)."""
    if run_id is not None:
        if not (store / run_id / MANIFEST).is_file():
            raise BackupError(f"no run {run_id!r} in {store}")
        return read_run(store / run_id)
    pending = [run for run in list_runs(store) if not run.undone and run.entries]
    if not pending:
        raise BackupError(f"no run to undo in {store}")
    return pending[-1]


RESTORE, ORIGINAL, MODIFIED, MISSING = "restore", "original", "modified", "missing"


@dataclass(frozen=True)
class UndoItem:
    """One file of a run and what undo finds there: ``restore`` (still as the run left it),
    ``original`` (the run never replaced it, or it was restored already), ``modified`` or
    ``missing`` (someone changed or deleted it since: a conflict)."""

    rel: str
    path: Path
    state: str

    @property
    def conflict(self) -> bool:
        return self.state in (MODIFIED, MISSING)


class UndoConflict(Exception):
    def __init__(self, items: list[UndoItem]) -> None:
        super().__init__(f"{len(items)} file(s) changed since the run")
        self.items = items


def plan_undo(run: RunInfo) -> list[UndoItem]:
    items = []
    for rel, entry in sorted(run.entries.items()):
        path = run.root / rel
        try:
            current = sha256(path.read_bytes())
        except FileNotFoundError:
            items.append(UndoItem(rel, path, MISSING))
            continue
        state = RESTORE if current == entry.after else ORIGINAL if current == entry.before else MODIFIED
        items.append(UndoItem(rel, path, state))
    return items


def _backup_bytes(run: RunInfo, entry: Entry) -> bytes:
    data = (run.directory / FILES / entry.path).read_bytes()
    if sha256(data) != entry.before:
        raise BackupError(f"{run.directory / FILES / entry.path}: backup does not match its recorded hash")
    return data


def undo_run(run: RunInfo, force: bool = False) -> list[UndoItem]:
    """Put back every file of ``run``; all or nothing on conflicts unless ``force``.

    Every backup is checked against its hash before any file is touched. Each restore is an atomic
    replace, and files already original are skipped, so an interrupted undo can simply be re-run.
    """
    plan = plan_undo(run)
    conflicts = [item for item in plan if item.conflict]
    if conflicts and not force:
        raise UndoConflict(conflicts)
    todo = [item for item in plan if item.state != ORIGINAL]
    originals = {item.rel: _backup_bytes(run, run.entries[item.rel]) for item in todo}
    for item in todo:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(item.path, originals[item.rel], run.entries[item.rel].mode)
    manifest = run.directory / MANIFEST
    torn = not manifest.read_bytes().endswith(b"\n")  # a run killed mid-line: start a fresh one
    with open(manifest, "a", encoding="utf-8") as journal:
        journal.write(("\n" if torn else "") + json.dumps({"kind": "undone", "time": _now()}) + "\n")
    run.undone = True
    return plan
