"""End-to-end ``jax2torch migrate`` / ``undo`` on small trees, with the real engine."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from jax2torch import __version__
from jax2torch.cli import main
from jax2torch.runner import POOL_MIN_FILES

JAX = "import jax.numpy as jnp\n\n\ndef total(a):\n    return jnp.sum(a, axis=0)\n"
PLAIN = "def total(a):\n    return sum(a)\n"
OLD_MTIME = 1_500_000_000


def migrated(text: str) -> str:
    from jax2torch.engine import Migrator, Options
    from jax2torch.ruletable import load_rule_table

    return Migrator(load_rule_table(), Options()).migrate_text(text, "x.py").text


def put(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (OLD_MTIME, OLD_MTIME))


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".jax2torch" not in p.parts
    }


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_real_engine_rewrites_jnp_sum(project):
    put(project, {"m.py": JAX.encode()})
    result = cli("migrate", "m.py")
    assert result.exit_code == 0, result.output
    text = (project / "m.py").read_text()
    assert "torch.sum(a, dim=0)" in text and "import torch" in text and "jnp" not in text


def test_encodings_and_newlines_survive_a_real_migration(project):
    latin = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + JAX
    put(project, {
        "crlf.py": JAX.replace("\n", "\r\n").encode(),
        "bom.py": b"\xef\xbb\xbf" + JAX.encode(),
        "latin.py": latin.encode("latin-1"),
    })  # fmt: skip
    result = cli("migrate", ".")
    assert result.exit_code == 0, result.output
    crlf = (project / "crlf.py").read_bytes()
    assert crlf == migrated(JAX.replace("\n", "\r\n")).encode()
    assert b"torch.sum" in crlf and crlf.count(b"\n") == crlf.count(b"\r\n")
    bom = (project / "bom.py").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and bom[3:] == migrated(JAX).encode()
    assert (project / "latin.py").read_bytes() == migrated(latin).encode("latin-1")
    assert b"caf\xe9" in (project / "latin.py").read_bytes()


def test_bad_files_are_reported_and_untouched_while_others_migrate(project):
    bad = {
        "syntax.py": b"import jax.numpy as jnp\ndef f(:\n",
        "nul.py": b"import jax.numpy as jnp\x00\n",
        "undecodable.py": b"import jax.numpy as jnp\nx = '\xff'\n",
    }
    put(project, {**bad, "good.py": JAX.encode()})
    result = cli("migrate", ".")
    assert result.exit_code == 1
    for name in bad:
        assert (project / name).read_bytes() == bad[name]
        assert f"error: {name}: " in result.stderr
    assert "NUL byte" in result.stderr and "cannot decode as utf-8" in result.stderr
    assert (project / "good.py").read_text() == migrated(JAX)


def test_nothing_to_migrate_keeps_bytes_and_mtime(project):
    put(project, {"plain.py": PLAIN.encode(), "crlf.py": PLAIN.replace("\n", "\r\n").encode()})
    before = snapshot(project)
    result = cli("migrate", ".")
    assert result.exit_code == 0, result.output
    assert snapshot(project) == before
    assert all(os.stat(project / n).st_mtime == OLD_MTIME for n in ("plain.py", "crlf.py"))
    assert not (project / ".jax2torch").exists(), "a run that changed nothing leaves no backup run"


def test_migrate_then_undo_gives_a_byte_identical_tree(project):
    put(project, {
        "a.py": JAX.encode(), "pkg/b.py": JAX.replace("\n", "\r\n").encode(), "pkg/plain.py": PLAIN.encode(),
        "pkg/sub/c.py": b"\xef\xbb\xbf" + JAX.encode(), "bad.py": b"\x00", "notes.txt": b"jnp.sum\n",
    })  # fmt: skip
    os.chmod(project / "a.py", 0o755)
    before = snapshot(project)
    assert cli("migrate", ".").exit_code == 1
    assert snapshot(project) != before
    result = cli("undo")
    assert result.exit_code == 0, result.output
    assert snapshot(project) == before
    assert os.stat(project / "a.py").st_mode & 0o777 == 0o755
    assert "undone" in cli("undo", "--list").output


def test_undo_refuses_a_file_changed_since_and_force_overrides(project):
    put(project, {"a.py": JAX.encode(), "b.py": JAX.encode()})
    cli("migrate", ".")
    (project / "a.py").write_text("# edited after the run\n")
    result = cli("undo")
    assert result.exit_code == 1
    assert "refused: a.py: modified" in result.stderr
    assert (project / "b.py").read_text() == migrated(JAX), "refusal restores nothing"
    result = cli("undo", "--force")
    assert result.exit_code == 0, result.output
    assert snapshot(project) == {"a.py": JAX.encode(), "b.py": JAX.encode(), "pyproject.toml": (
        project / "pyproject.toml").read_bytes()}  # fmt: skip


def test_undo_errors(project):
    assert cli("undo").exit_code == 1
    assert cli("undo", "no-such-run").exit_code == 2


def test_check_exit_codes_and_writes_nothing(project):
    put(project, {"a.py": JAX.encode(), "plain.py": PLAIN.encode()})
    before = snapshot(project)
    result = cli("migrate", "--check", ".")
    assert result.exit_code == 1
    assert "would migrate a.py" in result.stderr and "would migrate plain.py" not in result.stderr
    assert snapshot(project) == before
    assert cli("migrate", ".").exit_code == 0
    assert cli("migrate", "--check", ".").exit_code == 0


def test_dry_run_prints_a_plain_diff_when_piped_and_writes_nothing(project):
    put(project, {"a.py": JAX.encode()})
    before = snapshot(project)
    for flag in ("--dry-run", "--diff"):
        result = cli("migrate", flag, ".")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("--- a/a.py\n+++ b/a.py\n")
        assert "-    return jnp.sum(a, axis=0)\n" in result.stdout and "\x1b[" not in result.stdout
    assert snapshot(project) == before
    assert not (project / ".jax2torch").exists()
    assert "\x1b[32m+" in cli("migrate", "--diff", "--color", ".").stdout


def test_usage_errors_exit_2(project):
    put(project, {"a.py": JAX.encode(), "broken.toml": b"[[rule]]\ncode = 'J2T9999'\nnot_a_key = 1\n"})
    before = snapshot(project)
    assert cli("migrate", "missing/").exit_code == 2
    assert cli("migrate", "--select", "NOPE9", ".").exit_code == 2
    assert cli("migrate", "--rules", "broken.toml", ".").exit_code == 2
    assert cli("migrate", "--report", "out.txt", ".").exit_code == 2
    assert cli("migrate", "--report", "no/such/folder/out.json", ".").exit_code == 2
    assert cli("migrate", "--jobs", "0", ".").exit_code == 2
    assert cli("migrate", "--no-such-flag", ".").exit_code == 2
    assert snapshot(project) == before


def test_jobs_2_matches_jobs_1(tmp_path, monkeypatch):
    files = {f"pkg/m{i}.py": (JAX if i % 2 else PLAIN).encode() for i in range(POOL_MIN_FILES + 4)}
    files["pkg/bad.py"] = b"import jax\ndef f(:\n"
    outputs = []
    for jobs in ("1", "2"):
        root = tmp_path / f"jobs{jobs}"
        root.mkdir()
        put(root, files)
        monkeypatch.chdir(root)
        report_path = tmp_path / f"report{jobs}.json"
        result = cli("migrate", "--jobs", jobs, "--report", str(report_path), ".")
        assert result.exit_code == 1
        report = json.loads(report_path.read_text())
        report.pop("run_id")
        outputs.append((snapshot(root), report))
    assert outputs[0] == outputs[1]


def test_no_backup_and_backup_dir(project, tmp_path):
    put(project, {"a.py": JAX.encode()})
    assert cli("migrate", "--no-backup", ".").exit_code == 0
    assert not (project / ".jax2torch").exists()
    put(project, {"b.py": JAX.encode()})
    store = tmp_path / "elsewhere"
    assert cli("migrate", "--backup-dir", str(store), ".").exit_code == 0
    assert cli("undo").exit_code == 1, "the default store is empty"
    assert cli("undo", "--backup-dir", str(store)).exit_code == 0
    assert (project / "b.py").read_bytes() == JAX.encode()
    assert (project / "a.py").read_text() == migrated(JAX)


def test_excludes_generated_and_pruned_folders(project):
    files = {
        "keep.py": JAX, "legacy/old.py": JAX, "gen.py": "# @generated\n" + JAX,
        ".venv/lib/x.py": JAX, "build/y.py": JAX,
    }  # fmt: skip
    put(project, {name: text.encode() for name, text in files.items()})
    result = cli("migrate", "--exclude", "legacy", "-v", ".")
    assert result.exit_code == 0, result.output
    changed = [n for n, t in files.items() if (project / n).read_text() != t]
    assert changed == ["keep.py"]
    assert "skipped gen.py: marked @generated" in result.stderr


def test_reports_are_written(project):
    put(project, {"a.py": JAX.encode(), "bad.py": b"import jax\ndef f(:\n"})
    result = cli("migrate", "--report", "out.json", "--report", "out.md", ".")
    assert result.exit_code == 1
    data = json.loads((project / "out.json").read_text())
    assert data["converted"] == ["a.py"] and data["failed"][0]["path"] == "bad.py"
    assert data["run_id"] and data["totals"]["scanned"] == 2
    assert "- `a.py`" in (project / "out.md").read_text()


def test_quiet_prints_only_errors(project):
    put(project, {"a.py": JAX.encode(), "bad.py": b"\x00"})
    result = cli("migrate", "-q", ".")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: bad.py: contains a NUL byte at offset 0"]


def test_version_and_python_dash_m(project):
    assert cli("--version").output.strip() == f"jax2torch {__version__}"
    out = subprocess.run([sys.executable, "-m", "jax2torch", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"jax2torch {__version__}"


def test_rules_list_and_explain(project):
    from jax2torch.ruletable import load_rule_table

    table = load_rule_table()
    listing = cli("rules")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert len(lines) == len(table.rules)
    named = next(rule for rule in table.rules if rule.jax)
    assert any(line.split()[:2] == [named.code, named.jax] for line in lines)
    by_code, by_name = cli("rules", named.code), cli("rules", named.jax)
    assert by_code.exit_code == by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout
    assert by_code.stdout.startswith(named.explain().split("## Example")[0])
    # every example is shown migrated by the engine
    assert by_code.stdout.count("# after") == min(2, len(named.examples))
    unknown = cli("rules", "jax.numpy.no_such_function")
    assert unknown.exit_code == 2 and "unknown rule" in unknown.stderr


def test_select_and_ignore_limit_the_rules(project):
    from jax2torch.ruletable import load_rule_table

    code = load_rule_table().find("jax.numpy.sum").code
    put(project, {"a.py": JAX.encode()})
    assert cli("migrate", "--check", "--ignore", code, ".").exit_code == 0
    assert cli("migrate", "--check", "--select", f"{code},{code}", ".").exit_code == 1


def test_undo_command_printed_by_migrate_works_from_where_migrate_ran(tmp_path, monkeypatch):
    """A folder without project markers, migrated from its parent, is its own project root (its
    backups go inside it); the printed undo command names that store, and running that exact
    command from the same place restores the files."""
    work = tmp_path / "work"
    put(work, {"proj/m.py": JAX.encode()})
    monkeypatch.chdir(work)
    before = snapshot(work)
    result = cli("migrate", "proj")
    assert result.exit_code == 0, result.output
    command = re.search(r"`(jax2torch undo [^`]+)`", result.output).group(1)
    assert "--backup-dir proj/.jax2torch/backups" in command
    undone = cli(*shlex.split(command)[1:])
    assert undone.exit_code == 0, undone.output
    assert snapshot(work) == before


def test_pattern_findings_point_at_the_method_attribute_or_subscript():
    from jax2torch.engine import Migrator, Options
    from jax2torch.ruletable import load_rule_table

    source = (
        "import jax.numpy as jnp\n"
        "def f(x, y):\n"
        "    a = x.astype(jnp.int32) + y.transpose(1, 0).astype(jnp.float32)\n"
        "    b = jnp.sort(x)[::-1]\n"
        "    return x.size, (x > 0).mean(), a, b\n"
    )
    findings = Migrator(load_rule_table(), Options()).migrate_text(source, "x.py").findings
    spots = {(f.code, f.line, f.col) for f in findings if f.code.startswith("J2T19")}
    assert spots == {("J2T1902", 3, 10), ("J2T1910", 3, 32), ("J2T1902", 3, 48), ("J2T1917", 4, 8),
                     ("J2T1918", 5, 13), ("J2T1916", 5, 27)}
