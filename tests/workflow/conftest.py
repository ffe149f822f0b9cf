"""Fixtures: a throw-away project folder, and a copy of the team fixture project."""

from __future__ import annotations

import shutil

import pytest
from workflow_helpers import FIXTURES


@pytest.fixture
def team_project(tmp_path, monkeypatch):
    root = tmp_path / "team_project"
    shutil.copytree(FIXTURES / "team_project", root)
    monkeypatch.chdir(root)
    return root
