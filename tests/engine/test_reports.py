"""Reports render the same records: console lines, JSON, Markdown, diffs."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from jax2torch.findings import Finding, Severity
from jax2torch.reports import Summary, colour_diff, console_lines, to_json, to_markdown, unified_diff, write_report
from jax2torch.runner import CHANGED, FAILED, SKIPPED, UNCHANGED, FileResult


def finding(code, line, severity=Severity.INFO, fixed=True, path="a.py", message="m"):
    return Finding(code, path, line, 4, severity, message, fixed)


@pytest.fixture
def summary():
    results = [
        FileResult(Path("/p/a.py"), "a.py", CHANGED, [
            finding("J2T101", 3), finding("J2T101", 1),
            finding("J2T301", 7, Severity.ERROR, fixed=False, message="no safe rewrite | see docs"),
        ]),  # fmt: skip
        FileResult(Path("/p/b.py"), "b.py", UNCHANGED, [finding("J2T201", 2, Severity.WARNING, path="b.py")]),
        FileResult(Path("/p/c.py"), "c.py", FAILED, reason="syntax error at 3:1"),
        FileResult(Path("/p/d.py"), "d.py", SKIPPED, reason="marked @generated"),
    ]
    return Summary(results, "write", run_id="20250101-000000-000001")


def plain(lines):
    return [click.unstyle(text) for _, text in lines]


def test_console_lists_failures_attention_and_totals(summary):
    lines = plain(console_lines(summary))
    assert lines[0] == "error: c.py: syntax error at 3:1"
    assert "a.py:7:4: J2T301 error (not rewritten): no safe rewrite | see docs" in lines
    assert "b.py:2:4: J2T201 warning (rewritten): m" in lines
    assert not any("J2T101 info" in line for line in lines), "fixed info findings only with -v"
    assert "4 file(s) scanned: 1 changed, 1 unchanged, 1 failed, 1 skipped; 2 item(s) need attention." in lines
    assert "Findings per rule: J2T101 x2, J2T201 x1, J2T301 x1" in lines
    assert any("jax2torch undo 20250101-000000-000001" in line for line in lines)
    errors = [text for is_error, text in console_lines(summary) if is_error]
    assert len(errors) == 1


def test_verbose_shows_every_finding_in_order(summary):
    lines = plain(console_lines(summary, verbose=True))
    shown = [line.split(":")[1] for line in lines if line.startswith("a.py:")]
    assert shown == ["1", "3", "7"]
    assert "skipped d.py: marked @generated" in lines


def test_check_mode_names_files_that_would_change(summary):
    summary.mode = "check"
    lines = plain(console_lines(summary))
    assert "would migrate a.py" in lines
    assert any("1 would change" in line for line in lines)


def test_json_report(summary):
    data = json.loads(to_json(summary))
    assert data["totals"] == {"scanned": 4, "changed": 1, "unchanged": 1, "failed": 1, "skipped": 1,
                              "findings": 4, "needs_attention": 2}  # fmt: skip
    assert data["converted"] == ["a.py"]
    assert data["failed"] == [{"path": "c.py", "reason": "syntax error at 3:1"}]
    assert data["rule_counts"]["J2T101"] == {"total": 2, "fixed": 2, "needs_attention": 0}
    assert [(f["path"], f["line"], f["code"]) for f in data["needs_attention"]] == [
        ("a.py", 7, "J2T301"), ("b.py", 2, "J2T201")]  # fmt: skip
    assert Finding.from_dict(data["needs_attention"][0]).severity is Severity.ERROR


def test_markdown_report(summary):
    text = to_markdown(summary)
    assert "| 4 | 1 | 1 | 1 | 1 | 2 |" in text
    assert "- `a.py`" in text
    assert "| J2T101 | 2 | 2 | 0 |" in text
    assert "| `a.py:7:4` | J2T301 | error | no | no safe rewrite \\| see docs |" in text
    assert "- `c.py`: syntax error at 3:1" in text


def test_write_report_by_suffix(tmp_path, summary):
    write_report(tmp_path / "r.json", summary)
    write_report(tmp_path / "r.MD", summary)
    assert json.loads((tmp_path / "r.json").read_text())["mode"] == "write"
    assert (tmp_path / "r.MD").read_text().startswith("# jax2torch migration report")


def test_diff_keeps_crlf_and_marks_missing_final_newline():
    diff = unified_diff("a = 1\r\nb = jnp\r\n", "a = 1\r\nb = torch", "x.py")
    assert diff.startswith("--- a/x.py\n+++ b/x.py\n@@")
    assert "-b = jnp\r\n" in diff
    assert diff.endswith("+b = torch\n\\ No newline at end of file\n")


def test_colour_diff_styles_lines_and_keeps_text():
    diff = unified_diff("x = jnp\n", "x = torch\n", "x.py")
    coloured = colour_diff(diff)
    assert coloured != diff
    assert click.unstyle(coloured) == diff
    assert click.style("+x = torch", fg="green") + "\n" in coloured

