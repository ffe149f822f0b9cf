"""Notebooks: code cells migrated as one namespace; everything else and the JSON layout kept."""

from __future__ import annotations

import json

import nbformat
import pytest
from workflow_helpers import cli

from jax2torch.engine import Migrator, Options
from jax2torch.notebooks import NotebookError, load_notebook, migrate_cells
from jax2torch.ruletable import load_rule_table


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Uses `jnp.sum` — ünïcode"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport jax.numpy as jnp"),
        nbformat.v4.new_code_cell("x = jnp.sum(y, axis=0)\n!ls -l\nfiles = !ls\nx?"),
        nbformat.v4.new_code_cell("%%bash\necho jnp.sum"),
        nbformat.v4.new_code_cell("z = jnp.not_a_function(x)\n%time w = jnp.sum(x)"),
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="3\n")]
    nb.cells[2].execution_count = 7
    nb.cells[2].metadata["tags"] = ["keep-me"]
    return nb


@pytest.fixture
def nb_path(project):
    path = project / "analysis.ipynb"
    nbformat.write(notebook(), str(path))
    return path


def test_cells_migrated_and_the_rest_kept(nb_path):
    before_raw = nb_path.read_text(encoding="utf-8")
    result = cli("migrate", "--no-backup", "--output-format", "json", "-v", ".")
    assert result.exit_code == 0, result.output
    after_raw = nb_path.read_text(encoding="utf-8")
    before, after = json.loads(before_raw), json.loads(after_raw)
    sources = ["".join(c["source"]) for c in after["cells"]]
    assert sources[2] == "x = torch.sum(y, dim=0)\n!ls -l\nfiles = !ls\nx?"
    assert sources[1].startswith("%matplotlib inline\n") and "import torch" in sources[1]
    assert sources[0] == "# Uses `jnp.sum` — ünïcode" and sources[3] == "%%bash\necho jnp.sum"
    assert "# TODO(jax2torch): J2T0001" in sources[4] and sources[4].endswith("%time w = jnp.sum(x)")
    for old, new in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
    assert before["metadata"] == after["metadata"]
    assert after_raw == json.dumps(after, indent=1, ensure_ascii=False) + "\n", "nbformat's layout kept"
    assert list(after) == list(before), "key order kept"
    findings = json.loads(result.stdout)
    assert {(f["code"], f["cell"], f["line"]) for f in findings} >= {("J2T1001", 2, 1), ("J2T0001", 4, 1)}


def test_dry_run_shows_a_diff_per_cell_and_writes_nothing(nb_path):
    before = nb_path.read_bytes()
    result = cli("migrate", "--dry-run", "--no-color", ".")
    assert nb_path.read_bytes() == before
    assert "--- a/analysis.ipynb[cell 2]" in result.stdout and "+x = torch.sum(y, dim=0)" in result.stdout
    assert "[cell 3]" not in result.stdout and "[cell 0]" not in result.stdout


def test_backup_and_undo_restore_the_notebook(nb_path):
    before = nb_path.read_bytes()
    assert cli("migrate", ".").exit_code == 0
    assert nb_path.read_bytes() != before
    assert cli("undo").exit_code == 0
    assert nb_path.read_bytes() == before


def test_invalid_json_is_reported_and_left_alone(project):
    bad = project / "broken.ipynb"
    bad.write_text('{"cells": [')
    result = cli("migrate", ".")
    assert result.exit_code == 1 and "broken.ipynb" in result.stderr and "not valid JSON" in result.stderr
    assert bad.read_text() == '{"cells": ['
    with pytest.raises(NotebookError):
        load_notebook(b"[1, 2]")


def test_layout_that_cannot_be_reproduced_is_left_alone(project):
    odd = project / "odd.ipynb"
    text = '{"cells": [{"cell_type": "code", "source": "import jax.numpy as jnp\\njnp.sum(x)",\n "metadata": {}, "outputs": []}], "metadata": {}}'
    odd.write_text(text)
    result = cli("migrate", ".")
    assert result.exit_code == 1 and "layout" in result.stderr and odd.read_text() == text


def test_two_space_indent_and_ascii_escapes_are_kept(project):
    nb = notebook()
    path = project / "two.ipynb"
    path.write_text(json.dumps(nb, indent=2, ensure_ascii=True))  # no trailing newline either
    assert cli("migrate", "--no-backup", ".").exit_code == 0
    text = path.read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=True) and "torch.sum" in text


def test_imports_in_one_cell_serve_the_others():
    migrator = Migrator(load_rule_table(), Options())
    cells = [(0, "import jax.numpy as jnp"), (1, "a = jnp.sum(x)"), (2, "import jax.random as jr\nk = jr.normal(key, (2,))")]
    new, findings = migrate_cells(migrator, cells, "nb.ipynb")
    assert new[1] == "a = torch.sum(x)" and "j2t.random.normal(key, (2,))" in new[2]
    assert "import torch" in new[0] and "jax" not in new[0].replace("jax2torch", "")
    assert {f.cell for f in findings} == {1, 2}


def test_scan_counts_notebook_uses_by_cell(nb_path):
    data = json.loads(cli("scan", "--format", "json", ".").stdout)
    uses = data["files"][0]["uses"]
    assert {(u["cell"], u["category"]) for u in uses} >= {(2, "automatic"), (4, "manual")}
