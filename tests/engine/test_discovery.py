"""Which files a run touches: pruned folders, excludes, explicit files, the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

from jax2torch.discovery import discover, display_path, find_project_root


def make(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def rel(files, root):
    return [f.relative_to(root.resolve()).as_posix() for f in files]


def test_walk_prunes_tooling_folders(tmp_path):
    make(
        tmp_path,
        "pkg/a.py", "pkg/sub/b.py", "pkg/notes.txt",
        ".git/hooks/x.py", ".hg/y.py", "build/lib/c.py", "dist/d.py", ".tox/py/e.py", ".nox/f.py",
        "node_modules/g.py", "pkg/__pycache__/h.py", "pkg.egg-info/i.py", "lib/site-packages/j.py",
        ".jax2torch/backups/run/files/k.py", "env/lib/l.py",
    )  # fmt: skip
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    assert rel(discover([tmp_path], tmp_path), tmp_path) == ["pkg/a.py", "pkg/sub/b.py"]


def test_exclude_globs_match_files_and_folders_anywhere(tmp_path):
    make(tmp_path, "src/keep.py", "src/legacy/old.py", "src/gen_pb2.py", "tests/t.py", "tests/deep/u.py")
    files = discover([tmp_path], tmp_path, exclude=["legacy", "*_pb2.py", "tests/*"])
    assert rel(files, tmp_path) == ["src/keep.py"]


def test_explicit_file_is_taken_even_in_a_pruned_folder_but_excludes_apply(tmp_path):
    make(tmp_path, "build/x.py", "a.py")
    assert rel(discover([tmp_path / "build" / "x.py"], tmp_path), tmp_path) == ["build/x.py"]
    assert discover([tmp_path / "a.py"], tmp_path, exclude=["a.py"]) == []


def test_backup_dir_elsewhere_in_tree_is_never_walked(tmp_path):
    make(tmp_path, "a.py", "saved/run/files/a.py")
    files = discover([tmp_path], tmp_path, never=[tmp_path / "saved"])
    assert rel(files, tmp_path) == ["a.py"]


def test_overlapping_paths_give_each_file_once_sorted(tmp_path):
    make(tmp_path, "b.py", "a/c.py")
    files = discover([tmp_path, tmp_path / "a", tmp_path / "b.py"], tmp_path)
    assert rel(files, tmp_path) == ["a/c.py", "b.py"]


def test_symlinks_are_not_followed_while_walking(tmp_path):
    make(tmp_path, "real/a.py")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "alias.py").symlink_to(tmp_path / "real" / "a.py")
    assert rel(discover([tmp_path], tmp_path), tmp_path) == ["real/a.py"]


def test_project_root_is_the_nearest_marked_ancestor(tmp_path):
    make(tmp_path, "proj/src/pkg/a.py", "proj/src/pkg/b.py")
    (tmp_path / "proj" / "pyproject.toml").write_text("[project]\n")
    pkg = tmp_path / "proj" / "src" / "pkg"
    assert find_project_root([pkg / "a.py", pkg / "b.py"]) == (tmp_path / "proj").resolve()
    (tmp_path / "proj" / "src" / ".git").mkdir()
    assert find_project_root([pkg]) == (tmp_path / "proj" / "src").resolve()


def test_project_root_without_marker_is_the_common_parent(tmp_path):
    markers = ("pyproject.toml", "setup.py", ".git")
    if any((parent / m).exists() for parent in tmp_path.resolve().parents for m in markers):
        pytest.skip("the temporary folder lies inside a project")
    make(tmp_path, "x/one/a.py", "x/two/b.py")
    found = find_project_root([tmp_path / "x" / "one" / "a.py", tmp_path / "x" / "two"])
    assert found == (tmp_path / "x").resolve()


def test_display_path_is_relative_when_possible(tmp_path):
    assert display_path(tmp_path / "a" / "b.py", tmp_path) == "a/b.py"
    assert display_path(Path("/elsewhere/c.py"), tmp_path) == "/elsewhere/c.py"
