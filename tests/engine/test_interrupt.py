"""Killing ``jax2torch migrate`` mid-run leaves every file fully old or fully new, and undo works.

The CLI runs in a subprocess on a few hundred files; once the journal shows some files done, the
test sends SIGINT (Ctrl-C: a clean stop, exit 130) or SIGKILL (no clean-up at all) to the whole
process group, as a terminal would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jax2torch.backups import MANIFEST

BODY = "import jax.numpy as jnp\n\n\n" + "".join(
    f"def f{i}(a):\n    return jnp.sum(a, axis=0) + jnp.mean(a)\n\n\n" for i in range(40)
)
DIRS, PER_DIR = 10, 30


def migrated(text: str) -> str:
    from jax2torch.engine import Migrator, Options
    from jax2torch.ruletable import load_rule_table

    return Migrator(load_rule_table(), Options()).migrate_text(text, "x.py").text


@pytest.fixture(scope="module")
def expected_body() -> str:
    out = migrated(BODY)
    assert out != BODY and migrated(BODY + "# id 1\n") == out + "# id 1\n"
    return out


def build_tree(root: Path, expected_body: str) -> dict[Path, tuple[bytes, bytes]]:
    """Files with a unique trailing line each; value = (original, fully migrated) bytes."""
    (root / "pyproject.toml").write_text("[project]\nname = 'big'\n")
    files = {}
    for d in range(DIRS):
        for i in range(PER_DIR):
            path = root / f"pkg{d}" / f"m{i}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            tag = f"# id {d}/{i}\n"
            if i % 6 == 0:
                files[path] = ((tag + "x = 1\n").encode(),) * 2
            else:
                files[path] = ((BODY + tag).encode(), (expected_body + tag).encode())
            path.write_bytes(files[path][0])
    return files


def done_count(root: Path) -> int:
    manifests = list((root / ".jax2torch" / "backups").glob(f"*/{MANIFEST}"))
    return manifests[0].read_text().count('"kind": "done"') if manifests else 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_kill_mid_run(tmp_path, expected_body, sig):
    files = build_tree(tmp_path, expected_body)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jax2torch", "migrate", "--jobs", "2", "."],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while done_count(tmp_path) < 15 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130, stderr.decode()
        assert b"Interrupted" in stderr and b"Traceback" not in stderr
        assert not list(tmp_path.rglob("*.j2t-tmp")), "a clean stop leaves no temp file"
    else:
        assert proc.returncode == -signal.SIGKILL

    states = {path: files[path].index(path.read_bytes()) for path in files if path.read_bytes() in files[path]}
    assert len(states) == len(files), "every file is byte-identical to its old or its new version"
    changeable = [p for p, (old, new) in files.items() if old != new]
    new = [p for p in changeable if states[p] == 1]
    assert 15 <= len(new) < len(changeable), "the run was stopped part-way"

    undo = subprocess.run([sys.executable, "-m", "jax2torch", "undo"], cwd=tmp_path, capture_output=True)
    assert undo.returncode == 0, undo.stderr.decode()
    assert all(path.read_bytes() == old for path, (old, _) in files.items())
    assert sorted(p for p in tmp_path.rglob("*.py") if ".jax2torch" not in p.parts) == sorted(files)
