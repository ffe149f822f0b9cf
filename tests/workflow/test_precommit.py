"""The shipped ``.pre-commit-hooks.yaml``, run by the real ``pre-commit try-repo`` in a temp git repo.

pre-commit installs this repository into a fresh virtualenv (``language: python``). To keep the
test offline and fast (about 8 s instead of 30+ s a pip resolve takes), the install is told not
to fetch build tools or dependencies (``PIP_NO_BUILD_ISOLATION=false``, ``PIP_NO_DEPS=1``) and finds
libcst/click/rich through ``PYTHONPATH``; the hook code itself is the copy pre-commit installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from workflow_helpers import JAX

REPO = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

pytestmark = pytest.mark.skipif(
    not PRE_COMMIT.exists() or shutil.which("git") is None or not (REPO / ".git").exists(),
    reason="needs pre-commit, git and this repository as a git checkout",
)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "user-repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_NO_BUILD_ISOLATION": "false",
        "PIP_NO_DEPS": "1",
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "NO_COLOR": "1",
    }

    def try_repo(*args):
        return subprocess.run([str(PRE_COMMIT), "try-repo", str(REPO), *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    return root, try_repo


def stage(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).write_text(text)
    subprocess.run(["git", "add", *files], cwd=root, check=True)


def test_check_fails_while_jax_remains_then_migrate_rewrites_and_both_pass(repo):
    root, try_repo = repo
    stage(root, {"model.py": JAX, "done.py": "import torch\n\nx = torch.ones(2)\n"})
    check = try_repo("jax2torch-check", "--files", "model.py", "done.py")
    assert check.returncode == 1, check.stdout
    assert "model.py:1:0: IMPORT `jax.numpy` imported" in check.stdout and "model.py:5:11: J2T1001" in check.stdout
    assert "done.py" not in check.stdout.split("jax2torch check")[1]
    assert (root / "model.py").read_text() == JAX, "the check hook writes nothing"

    fix = try_repo("jax2torch", "--files", "model.py", "done.py")
    assert fix.returncode == 1, fix.stdout
    assert "files were modified by this hook" in fix.stdout
    assert "torch.sum(a, dim=0)" in (root / "model.py").read_text()
    assert not (root / ".jax2torch").exists(), "the hook keeps no backups: git has the originals"

    subprocess.run(["git", "add", "model.py"], cwd=root, check=True)
    again = try_repo("--files", "model.py", "done.py")
    assert again.returncode == 0, again.stdout
    assert again.stdout.count("Passed") == 2


def test_hooks_with_no_matching_files_pass(repo):
    root, try_repo = repo
    stage(root, {"README.md": "no python here\n"})
    result = try_repo("--all-files")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("(no files to check)Skipped") == 2
