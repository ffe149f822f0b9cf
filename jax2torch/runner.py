"""Runs a migrator over files, in worker processes when it pays, and writes in the main process.

Workers only compute (read, decode, migrate, encode) and send back a ``FileResult``; every write,
backup and journal line happens here in the parent, one file at a time, in the order backups.py
describes. A worker ignores SIGINT, so Ctrl-C reaches the parent alone: it stops handing out
files, keeps every file it already wrote, and returns what it has with ``interrupted`` set.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from jax2torch.backups import RunWriter
from jax2torch.discovery import display_path
from jax2torch.findings import Finding
from jax2torch.sourcefile import DecodeError, atomic_write, read_source, sha256

#: Below this many files a pool costs more (fork + rule table load per worker) than it saves.
POOL_MIN_FILES = 8

UNCHANGED, CHANGED, FAILED, SKIPPED = "unchanged", "changed", "failed", "skipped"


class MigrationLike(Protocol):
    text: str
    findings: list[Finding]


class MigratorLike(Protocol):
    def migrate_text(self, text: str, path: str) -> MigrationLike: ...


@dataclass
class FileResult:
    """What happened to one file. ``before``/``after`` and the texts are kept only while the file
    is being written or diffed, then dropped, so a large run does not hold every source twice."""

    path: Path
    display: str
    status: str
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""
    mode: int | None = None
    before: bytes | None = None
    after: bytes | None = None
    old_text: str | None = None
    new_text: str | None = None
    diff: str | None = None  # a ready-made diff (a notebook's, cell by cell) instead of old/new text

    def drop_payload(self) -> None:
        self.before = self.after = self.old_text = self.new_text = self.diff = None


@dataclass
class RunOutcome:
    results: list[FileResult]
    interrupted: bool = False


def migrate_file(migrator: MigratorLike, path: Path, display: str) -> FileResult:
    """Compute the migrated bytes of one file; never writes. Any failure becomes a ``failed``
    result with a reason, so one bad file never stops the run."""
    from jax2torch.engine import SourceError

    if path.suffix == ".ipynb":
        from jax2torch.notebooks import migrate_notebook_file

        return migrate_notebook_file(migrator, path, display)
    try:
        source = read_source(path)
        if source.is_generated:
            return FileResult(path, display, SKIPPED, reason="marked @generated")
        migrated = migrator.migrate_text(source.text, display)
        findings = list(migrated.findings)
        if migrated.text == source.text:
            return FileResult(path, display, UNCHANGED, findings)
        after = source.encode(migrated.text)
    except (DecodeError, SourceError) as exc:
        return FileResult(path, display, FAILED, reason=exc.reason)
    except Exception as exc:  # an engine bug must not cost the user the rest of the run
        detail = traceback.format_exc(limit=-3).strip()
        return FileResult(path, display, FAILED, reason=f"internal error: {exc!r}\n{detail}")
    if after == source.raw:
        return FileResult(path, display, UNCHANGED, findings)
    return FileResult(
        path, display, CHANGED, findings, mode=source.mode, before=source.raw, after=after,
        old_text=source.text, new_text=migrated.text,
    )  # fmt: skip


@dataclass(frozen=True)
class EngineFactory:
    """Builds the real migrator; picklable, so each worker loads the rule table once, itself."""

    rule_files: tuple[str, ...]
    options: object

    def __call__(self) -> MigratorLike:
        from jax2torch.engine import Migrator
        from jax2torch.ruletable import load_rule_table

        return Migrator(load_rule_table(extra_files=self.rule_files), self.options)


_worker_migrator: MigratorLike | None = None


def _init_worker(factory: Callable[[], MigratorLike]) -> None:
    global _worker_migrator
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_migrator = factory()


def _work(item: tuple[Path, str]) -> FileResult:
    return migrate_file(_worker_migrator, *item)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, so the run's own bookkeeping (file written, journal
    marked, result counted) is never split; SIGKILL cannot be held, and the journal covers that."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and previous is signal.default_int_handler:
        raise KeyboardInterrupt
    if caught and callable(previous):
        previous(signal.SIGINT, None)


def iter_results(
    files: Sequence[Path], factory: Callable[[], MigratorLike], jobs: int, base: Path | None = None
) -> Iterator[FileResult]:
    """Results in the order of ``files``; in-process for one job or a handful of files."""
    items = [(path, display_path(path, base)) for path in files]
    if jobs <= 1 or len(items) < POOL_MIN_FILES:
        migrator = factory()
        for item in items:
            yield migrate_file(migrator, *item)
        return
    executor = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(factory,))
    try:
        # Workers are forked while the files are submitted; a Ctrl-C then would hit a worker
        # before its initializer ignores SIGINT and break the pool, so hold it until all exist.
        with _sigint_deferred():
            results = executor.map(_work, items)
        yield from results
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def relative_to_root(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.relative_to(path.anchor).as_posix()


def write_result(result: FileResult, root: Path, backup: RunWriter | None) -> None:
    """Back up, journal and atomically replace one changed file (see backups.py for the order).

    The file is re-read first: if someone saved it while the run was computing, their bytes win
    and the file is reported as failed rather than overwritten.
    """
    try:
        current = result.path.read_bytes()
    except OSError as exc:
        current = f"unreadable: {exc}".encode()
    if current != result.before:
        result.status, result.reason = FAILED, "changed on disk during the run; left as it is"
        return
    rel = relative_to_root(result.path, root)
    try:
        if backup is not None:
            backup.record(rel, result.before, sha256(result.after), result.mode)
        atomic_write(result.path, result.after, result.mode)
    except OSError as exc:
        result.status, result.reason = FAILED, f"cannot write: {exc.strerror or exc}"
        return
    if backup is not None:
        backup.mark_done(rel)


def run(
    files: Sequence[Path],
    factory: Callable[[], MigratorLike],
    *,
    jobs: int,
    root: Path,
    write: bool,
    backup: RunWriter | None = None,
    on_result: Callable[[FileResult], None] = lambda result: None,
) -> RunOutcome:
    """Migrate ``files``; write changed ones when ``write``; report each result to ``on_result``
    (while its payload is still there, for diffs) before dropping the payload."""
    outcome = RunOutcome([])
    try:
        for result in iter_results(files, factory, jobs):
            with _sigint_deferred():
                if write and result.status == CHANGED:
                    write_result(result, root, backup)
                outcome.results.append(result)
            on_result(result)
            result.drop_payload()
    except KeyboardInterrupt:
        outcome.interrupted = True
    return outcome
