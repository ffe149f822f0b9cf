"""The backup store: journal replay, crash-consistent prefixes, undo with conflict detection."""

from __future__ import annotations

import os
import stat

import pytest

from jax2torch.backups import (
    MANIFEST, MISSING, MODIFIED, ORIGINAL, RESTORE, BackupError, RunWriter, UndoConflict, find_run,
    list_runs, plan_undo, read_run, undo_run,
)  # fmt: skip
from jax2torch.sourcefile import atomic_write, sha256


def migrate_by_hand(root, store, changes):
    """Apply ``changes`` ({rel: new bytes}) the way the runner does, recording a run."""
    writer = RunWriter(store, root)
    for rel, new in changes.items():
        path = root / rel
        mode = stat.S_IMODE(os.stat(path).st_mode)
        writer.record(rel, path.read_bytes(), sha256(new), mode)
        atomic_write(path, new, mode)
        writer.mark_done(rel)
    writer.close()
    return writer.run_id


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "a.py").write_bytes(b"import jax\r\n")
    (root / "pkg" / "b.py").write_bytes(b"\xef\xbb\xbfjnp = 1\n")
    os.chmod(root / "pkg" / "b.py", 0o750)
    return root, tmp_path / "store"


def test_run_without_changes_leaves_no_run(tree):
    root, store = tree
    writer = RunWriter(store, root)
    writer.close()
    assert writer.run_id is None and list_runs(store) == []


def test_undo_restores_bytes_and_mode(tree):
    root, store = tree
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    run_id = migrate_by_hand(root, store, {"a.py": b"import torch\r\n", "pkg/b.py": b"\xef\xbb\xbfx\n"})
    info = find_run(store, None)
    assert info.run_id == run_id and info.complete and set(info.entries) == {"a.py", "pkg/b.py"}
    assert [i.state for i in plan_undo(info)] == [RESTORE, RESTORE]
    undo_run(info)
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == before
    assert stat.S_IMODE(os.stat(root / "pkg" / "b.py").st_mode) == 0o750
    assert read_run(info.directory).undone
    with pytest.raises(BackupError, match="no run to undo"):
        find_run(store, None)


def test_undo_refuses_a_file_changed_since_unless_forced(tree):
    root, store = tree
    original = (root / "a.py").read_bytes()
    migrate_by_hand(root, store, {"a.py": b"import torch\n", "pkg/b.py": b"x\n"})
    (root / "a.py").write_bytes(b"edited by hand\n")
    info = find_run(store, None)
    with pytest.raises(UndoConflict) as conflict:
        undo_run(info)
    assert [(i.rel, i.state) for i in conflict.value.items] == [("a.py", MODIFIED)]
    assert (root / "pkg" / "b.py").read_bytes() == b"x\n", "all or nothing: nothing restored"
    undo_run(info, force=True)
    assert (root / "a.py").read_bytes() == original


def test_deleted_file_is_a_conflict(tree):
    root, store = tree
    migrate_by_hand(root, store, {"a.py": b"import torch\n"})
    (root / "a.py").unlink()
    assert [i.state for i in plan_undo(find_run(store, None))] == [MISSING]


def test_undo_picks_the_newest_pending_run_then_the_one_before(tree):
    root, store = tree
    first = migrate_by_hand(root, store, {"a.py": b"step 1\n"})
    second = migrate_by_hand(root, store, {"a.py": b"step 2\n"})
    assert [r.run_id for r in list_runs(store)] == [first, second]
    undo_run(find_run(store, None))
    assert (root / "a.py").read_bytes() == b"step 1\n"
    assert find_run(store, None).run_id == first
    undo_run(find_run(store, first))
    assert (root / "a.py").read_bytes() == b"import jax\r\n"


def test_unknown_run_id(tree):
    with pytest.raises(BackupError, match="no run 'nope'"):
        find_run(tree[1], "nope")


def test_every_journal_prefix_is_a_usable_manifest(tree):
    """Cut the manifest at every byte (a kill mid-write) and at every step of the protocol."""
    root, store = tree
    originals = {p: p.read_bytes() for p in root.rglob("*.py")}
    migrate_by_hand(root, store, {"a.py": b"new a\n", "pkg/b.py": b"new b\n"})
    info = find_run(store, None)
    journal = (info.directory / MANIFEST).read_bytes()
    for cut in range(len(journal) + 1):
        (info.directory / MANIFEST).write_bytes(journal[:cut])
        try:
            partial = read_run(info.directory)
        except BackupError:
            assert b"\n" not in journal[:cut], "only a torn header may be unreadable"
            continue
        assert set(partial.entries) <= {"a.py", "pkg/b.py"}
    # Journal cut after a.py's entry, b.py never replaced: a.py restored, b.py untouched.
    (root / "pkg" / "b.py").write_bytes(originals[root / "pkg" / "b.py"])
    lines = journal.split(b"\n")
    (info.directory / MANIFEST).write_bytes(b"\n".join(lines[:2]) + b"\n" + lines[2][:7])
    partial = read_run(info.directory)
    assert set(partial.entries) == {"a.py"} and not partial.complete
    undo_run(partial)
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == originals
    assert read_run(info.directory).undone, "undone mark survives a torn last line"


def test_entry_recorded_but_file_never_replaced_counts_as_original(tree):
    root, store = tree
    writer = RunWriter(store, root)
    writer.record("a.py", (root / "a.py").read_bytes(), sha256(b"new\n"), 0o644)
    writer.close()
    info = find_run(store, None)
    assert [i.state for i in plan_undo(info)] == [ORIGINAL]
    undo_run(info)
    assert (root / "a.py").read_bytes() == b"import jax\r\n"


def test_corrupted_backup_is_refused_before_touching_anything(tree):
    root, store = tree
    migrate_by_hand(root, store, {"a.py": b"new\n"})
    info = find_run(store, None)
    (info.directory / "files" / "a.py").write_bytes(b"garbage")
    with pytest.raises(BackupError, match="does not match"):
        undo_run(info)
    assert (root / "a.py").read_bytes() == b"new\n"


def test_run_killed_before_its_first_entry_is_passed_over(tree):
    root, store = tree
    first = migrate_by_hand(root, store, {"a.py": b"new\n"})
    empty = RunWriter(store, root)
    empty._open()
    empty.close()
    assert len(list_runs(store)) == 2
    assert find_run(store, None).run_id == first
