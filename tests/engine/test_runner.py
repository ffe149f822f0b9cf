"""The runner with a stand-in migrator: statuses, writes only in the parent, pool == in-process."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from jax2torch.backups import find_run, plan_undo
from jax2torch.runner import CHANGED, FAILED, POOL_MIN_FILES, SKIPPED, UNCHANGED, migrate_file, run
from jax2torch.backups import RunWriter


@dataclass
class Migrated:
    text: str
    findings: list = field(default_factory=list)


class RenameMigrator:
    """Stands in for the engine: ``jnp.`` becomes ``torch.``; ``BOOM`` is an engine bug."""

    def migrate_text(self, text: str, path: str) -> Migrated:
        if "BOOM" in text:
            raise RuntimeError("engine bug")
        return Migrated(text.replace("jnp.", "torch."))


class InterruptingMigrator(RenameMigrator):
    def __init__(self, after: int) -> None:
        self.left = after

    def migrate_text(self, text, path):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return super().migrate_text(text, path)


def write(root: Path, files: dict[str, bytes]) -> list[Path]:
    paths = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return sorted(paths)


def test_statuses(tmp_path):
    cases = {
        "same.py": b"x = 1\n",
        "change.py": b"\xef\xbb\xbfx = jnp.sum(a)\r\n",
        "nul.py": b"x = jnp.sum(a)\x00\n",
        "gen.py": b"# @generated\nx = jnp.sum(a)\n",
        "bug.py": b"BOOM = 1\n",
    }
    write(tmp_path, cases)
    migrator = RenameMigrator()
    got = {name: migrate_file(migrator, tmp_path / name, name) for name in cases}
    assert {n: r.status for n, r in got.items()} == {
        "same.py": UNCHANGED, "change.py": CHANGED, "nul.py": FAILED, "gen.py": SKIPPED, "bug.py": FAILED}
    assert got["change.py"].after == b"\xef\xbb\xbfx = torch.sum(a)\r\n"
    assert got["change.py"].before == cases["change.py"]
    assert "NUL byte" in got["nul.py"].reason
    assert got["bug.py"].reason.startswith("internal error: RuntimeError('engine bug')")
    assert got["same.py"].after is None


def test_run_writes_changed_files_only_and_journals_them(tmp_path):
    files = write(tmp_path, {"a.py": b"y = jnp.exp(x)\n", "b.py": b"y = 2\n", "c.py": b"y = jnp.abs(x)\n"})
    untouched = os.stat(tmp_path / "b.py").st_mtime_ns
    store = tmp_path / ".jax2torch" / "backups"
    writer = RunWriter(store, tmp_path)
    seen = []
    outcome = run(files, RenameMigrator, jobs=1, root=tmp_path, write=True, backup=writer,
                  on_result=lambda r: seen.append((r.display, r.new_text)))  # fmt: skip
    writer.close()
    assert [r.status for r in outcome.results] == [CHANGED, UNCHANGED, CHANGED]
    assert seen[0][1] == "y = torch.exp(x)\n", "on_result sees the payload before it is dropped"
    assert outcome.results[0].new_text is None
    assert (tmp_path / "a.py").read_bytes() == b"y = torch.exp(x)\n"
    assert os.stat(tmp_path / "b.py").st_mtime_ns == untouched
    info = find_run(store, None)
    assert info.complete and sorted(info.entries) == ["a.py", "c.py"]


def test_dry_run_writes_nothing(tmp_path):
    files = write(tmp_path, {"a.py": b"y = jnp.exp(x)\n"})
    outcome = run(files, RenameMigrator, jobs=1, root=tmp_path, write=False)
    assert outcome.results[0].status == CHANGED
    assert files[0].read_bytes() == b"y = jnp.exp(x)\n"


def test_file_saved_by_someone_during_the_run_is_not_overwritten(tmp_path):
    files = write(tmp_path, {"a.py": b"y = jnp.exp(x)\n"})

    class EditorRace(RenameMigrator):
        def migrate_text(self, text, path):
            files[0].write_bytes(b"user's edit\n")
            return super().migrate_text(text, path)

    outcome = run(files, EditorRace, jobs=1, root=tmp_path, write=True)
    assert outcome.results[0].status == FAILED
    assert "changed on disk" in outcome.results[0].reason
    assert files[0].read_bytes() == b"user's edit\n"


def test_interrupt_keeps_finished_files_and_stops(tmp_path):
    files = write(tmp_path, {f"m{i}.py": b"v = jnp.exp(x)\n" for i in range(5)})
    store = tmp_path / "store"
    writer = RunWriter(store, tmp_path)
    outcome = run(files, lambda: InterruptingMigrator(after=2), jobs=1, root=tmp_path, write=True, backup=writer)
    writer.close()
    assert outcome.interrupted and len(outcome.results) == 2
    assert [f.read_bytes() for f in files] == [b"v = torch.exp(x)\n"] * 2 + [b"v = jnp.exp(x)\n"] * 3
    assert sorted(i.rel for i in plan_undo(find_run(store, None))) == ["m0.py", "m1.py"]


@pytest.mark.parametrize("count", [POOL_MIN_FILES - 1, POOL_MIN_FILES + 5])
def test_pool_and_in_process_agree(tmp_path, count):
    def tree(root):
        return write(root, {f"p/m{i}.py": (b"v = jnp.exp(x)\n" if i % 3 else b"v = 1\n") for i in range(count)}
                     | {"p/bad.py": b"\xff\n", "p/gen.py": b"# @generated\njnp.x\n"})  # fmt: skip

    serial = run(tree(tmp_path / "one"), RenameMigrator, jobs=1, root=tmp_path / "one", write=True)
    parallel = run(tree(tmp_path / "two"), RenameMigrator, jobs=2, root=tmp_path / "two", write=True)

    def summary(outcome, root):
        return [(r.display, r.status, r.reason) for r in outcome.results], {
            p.relative_to(root): p.read_bytes() for p in root.rglob("*.py")}  # fmt: skip

    assert summary(serial, tmp_path / "one")[1] == summary(parallel, tmp_path / "two")[1]
    assert [(s, r) for _, s, r in summary(serial, tmp_path / "one")[0]] == [
        (s, r) for _, s, r in summary(parallel, tmp_path / "two")[0]]  # fmt: skip
