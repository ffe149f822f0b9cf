"""Fixtures: a throw-away project folder, and a copy of the team fixture project."""

from __future__ import annotations

import shutil

import pytest
from workflow_helpers import FIXTURES


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def team_project(tmp_path, monkeypatch):
    root = tmp_path / "team_project"
    shutil.copytree(FIXTURES / "team_project", root)
    monkeypatch.chdir(root)
    return root
