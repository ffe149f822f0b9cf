"""The progress bar shows only on a terminal, for long runs, and not with -q."""

from __future__ import annotations

import io
import sys

import pytest

from jax2torch.console import PROGRESS_MIN_FILES, progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "total, enabled, tty, shown",
    [
        (PROGRESS_MIN_FILES, True, True, True),
        (PROGRESS_MIN_FILES - 1, True, True, False),
        (PROGRESS_MIN_FILES, False, True, False),
        (PROGRESS_MIN_FILES, True, False, False),
    ],
)
def test_progress_bar_only_when_it_helps(monkeypatch, total, enabled, tty, shown):
    stream = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with progress(total, enabled) as advance:
        for n in range(total):
            advance(f"pkg/m{n}.py")
    text = stream.getvalue()
    assert ("migrating" in text) is shown
    if shown:
        assert f"{total}/{total}" in text
