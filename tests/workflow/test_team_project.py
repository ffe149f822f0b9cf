"""User rule files: the fixture team project maps its own JAX helpers onto jax2torch_runtime.

The project's pyproject.toml names ``migration/rules.toml`` (``extra-rules``) and excludes the
helper library itself. The migrated module is run under PyTorch and compared with the original
run under JAX on the same inputs.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
import torch
from workflow_helpers import FIXTURES, cli

MIGRATED_USES = ("j2t.PyTorchTropicalOps()", "j2t.tropical.matmul(a, b)", "j2t.PyTorchPatternMatcher()")


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_config_rules_rewrite_the_team_helpers(team_project):
    result = cli("migrate", "--no-backup", ".")
    assert result.exit_code == 0, result.output
    text = (team_project / "app/model.py").read_text()
    for use in MIGRATED_USES:
        assert use in text
    assert "jaxkit" not in text and "jax" not in text.replace("jax2torch", "")
    assert (team_project / "jaxkit/tropical.py").read_text() == (FIXTURES / "team_project/jaxkit/tropical.py").read_text()


def test_rules_flag_does_the_same_without_config(team_project):
    (team_project / "pyproject.toml").write_text("[project]\nname = 'team'\n")
    without = cli("migrate", "--dry-run", "--exclude", "jaxkit", "app")
    assert "TODO(jax2torch): J2T0001" not in without.stdout, "jaxkit is not watched without a rule file"
    assert "PyTorchTropicalOps" not in without.stdout
    with_rules = cli("migrate", "--dry-run", "--rules", "migration/rules.toml", "app")
    for use in MIGRATED_USES:
        assert use in with_rules.stdout


def test_migrated_project_matches_the_jax_original(team_project, monkeypatch):
    pytest.importorskip("jax")
    monkeypatch.syspath_prepend(str(team_project))
    for name in [m for m in sys.modules if m == "jaxkit" or m.startswith("jaxkit.")]:
        monkeypatch.delitem(sys.modules, name)
    rng = np.random.default_rng(0)
    w, a, b = (rng.standard_normal(s).astype(np.float32) for s in ((5, 5), (3, 4), (4, 6)))
    signal = np.array([1, 2, 3, 1, 2, 3, 4, 1, 2], dtype=np.float32)
    motif = np.array([1, 2], dtype=np.float32)

    original = load(team_project / "app/model.py", "team_model_jax")
    expected = (original.paths(w), original.best_scores(a, b), original.motif_starts(signal, motif))
    assert cli("migrate", "--no-backup", ".").exit_code == 0
    migrated = load(team_project / "app/model.py", "team_model_torch")
    got = (migrated.paths(torch.from_numpy(w)), migrated.best_scores(torch.from_numpy(a), torch.from_numpy(b)),
           migrated.motif_starts(torch.from_numpy(signal), torch.from_numpy(motif)))  # fmt: skip
    for want, have in zip(expected, got):
        np.testing.assert_allclose(np.asarray(have), np.asarray(want), rtol=1e-6)
