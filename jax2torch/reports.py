"""Rendering of a run: console summary, JSON and Markdown reports, unified diffs.

Every view renders the same records (``FileResult`` and ``Finding``); nothing upstream prints.
Colour is added with ``click.style`` and stripped by ``click.echo`` when the stream is not a
terminal, unless the user forces it either way.
"""

from __future__ import annotations

import difflib
import json
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import click

from jax2torch import __version__
from jax2torch.findings import Finding, Severity
from jax2torch.runner import CHANGED, FAILED, SKIPPED, UNCHANGED, FileResult

REPORT_SUFFIXES = (".json", ".md")
OUTPUT_FORMATS = ("text", "concise", "json")
SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


@dataclass
class Summary:
    """Totals of a run; ``mode`` is ``write``, ``dry-run`` or ``check``."""

    results: list[FileResult]
    mode: str = "write"
    run_id: str | None = None
    interrupted: bool = False
    #: where the run's backups went, when ``undo`` run from the current folder would not find them
    backup_dir: str | None = None
    findings: list[Finding] = field(init=False)

    def __post_init__(self) -> None:
        self.findings = [f for r in self.results for f in r.findings]

    def with_status(self, status: str) -> list[FileResult]:
        return [r for r in self.results if r.status == status]

    @property
    def attention(self) -> list[Finding]:
        return sorted((f for f in self.findings if f.needs_attention), key=_finding_key)

    def all_findings(self) -> list[Finding]:
        return sorted(self.findings, key=_finding_key)

    def rule_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter] = {}
        for finding in self.findings:
            tally = counts.setdefault(finding.code, Counter())
            tally["total"] += 1
            tally["fixed"] += finding.fixed
            tally["needs_attention"] += finding.needs_attention
        return {code: dict(counts[code]) for code in sorted(counts)}

    def totals(self) -> dict[str, int]:
        return {
            "scanned": len(self.results),
            **{status: len(self.with_status(status)) for status in (CHANGED, UNCHANGED, FAILED, SKIPPED)},
            "findings": len(self.findings),
            "needs_attention": len(self.attention),
        }


def _finding_key(finding: Finding) -> tuple:
    return (finding.path, finding.cell if finding.cell is not None else -1, finding.line, finding.col)


def location(finding: Finding) -> str:
    cell = f"[cell {finding.cell}]" if finding.cell is not None else ""
    return f"{finding.path}{cell}:{finding.line}:{finding.col}"


def format_finding(finding: Finding) -> str:
    state = "rewritten" if finding.fixed else "not rewritten"
    if finding.suppressed:
        state = "suppressed"
    severity = click.style(finding.severity.value, fg=SEVERITY_COLOURS[finding.severity])
    return f"{location(finding)}: {click.style(finding.code, bold=True)} {severity} ({state}): {finding.message}"


def concise_lines(findings: list[Finding]) -> list[str]:
    """One ``path:line:col: CODE message`` line per finding (as ruff's concise output), plain text."""
    return [f"{location(f)}: {f.code} {f.message}" for f in findings]


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2) + "\n"


def console_lines(summary: Summary, verbose: bool = False) -> list[tuple[bool, str]]:
    """The end-of-run summary as ``(is_error, line)``: failures, items needing attention (every
    finding with ``verbose``), files ``--check`` would change, totals. ``-q`` keeps the errors."""
    lines = [(True, f"{click.style('error', fg='red')}: {r.display}: {r.reason}") for r in summary.with_status(FAILED)]
    if verbose:
        lines += [(False, f"skipped {r.display}: {r.reason}") for r in summary.with_status(SKIPPED)]
    shown = sorted(summary.findings, key=_finding_key) if verbose else summary.attention
    lines += [(False, format_finding(f)) for f in shown]
    if summary.mode == "check":
        lines += [(False, f"would migrate {r.display}") for r in summary.with_status(CHANGED)]
    totals = summary.totals()
    verb = "changed" if summary.mode == "write" else "would change"
    lines.append((False,
        f"{totals['scanned']} file(s) scanned: {totals[CHANGED]} {verb}, {totals[UNCHANGED]} unchanged, "
        f"{totals[FAILED]} failed, {totals[SKIPPED]} skipped; {totals['needs_attention']} item(s) need attention."
    ))  # fmt: skip
    counts = summary.rule_counts()
    if counts:
        lines.append((False, "Findings per rule: " + ", ".join(f"{c} x{n['total']}" for c, n in counts.items())))
    if summary.run_id:
        where = f" --backup-dir {shlex.quote(summary.backup_dir)}" if summary.backup_dir else ""
        lines.append((False, f"Originals saved; `jax2torch undo {summary.run_id}{where}` restores them."))
    if summary.interrupted:
        lines.append((True, click.style("Interrupted: files reported as changed were written; others untouched.", fg="red")))
    return lines


def to_json(summary: Summary) -> str:
    data = {
        "tool": "jax2torch",
        "version": __version__,
        "mode": summary.mode,
        "run_id": summary.run_id,
        "interrupted": summary.interrupted,
        "totals": summary.totals(),
        "converted": [r.display for r in summary.with_status(CHANGED)],
        "failed": [{"path": r.display, "reason": r.reason} for r in summary.with_status(FAILED)],
        "skipped": [{"path": r.display, "reason": r.reason} for r in summary.with_status(SKIPPED)],
        "rule_counts": summary.rule_counts(),
        "needs_attention": [f.to_dict() for f in summary.attention],
        "findings": [f.to_dict() for f in sorted(summary.findings, key=_finding_key)],
    }
    return json.dumps(data, indent=2) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    if not rows:
        return ["None."]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(str(value)) for value in row) + " |" for row in rows]


def to_markdown(summary: Summary) -> str:
    totals = summary.totals()
    out = ["# jax2torch migration report", ""]
    out += [f"Mode: `{summary.mode}`" + (f", run `{summary.run_id}`" if summary.run_id else "") + ".", ""]
    if summary.interrupted:
        out += ["**The run was interrupted**; only the files listed below were converted.", ""]
    out += _table(["scanned", "changed", "unchanged", "failed", "skipped", "need attention"],
                  [[totals[k] for k in ("scanned", CHANGED, UNCHANGED, FAILED, SKIPPED, "needs_attention")]])
    out.append("")
    converted = [f"- `{r.display}`" for r in summary.with_status(CHANGED)]
    out += ["## Files converted", ""] + (converted or ["none"])
    out += ["", "## Findings per rule", ""] + _table(
        ["rule", "total", "rewritten", "need attention"],
        [[code, n["total"], n["fixed"], n["needs_attention"]] for code, n in summary.rule_counts().items()],
    )
    out += ["", "## Needs attention", ""] + _table(
        ["location", "rule", "severity", "rewritten", "message"],
        [[f"`{location(f)}`", f.code, f.severity.value, "yes" if f.fixed else "no", f.message]
         for f in summary.attention],
    )  # fmt: skip
    failed = summary.with_status(FAILED)
    if failed:
        out += ["", "## Failed files", ""] + [f"- `{r.display}`: {_cell(r.reason)}" for r in failed]
    return "\n".join(out) + "\n"


def write_report(path: Path, summary: Summary) -> None:
    """Write the report whose format the suffix names (checked by the CLI before the run)."""
    render = {".json": to_json, ".md": to_markdown}[path.suffix.lower()]
    path.write_text(render(summary), encoding="utf-8")


def unified_diff(old: str, new: str, display: str) -> str:
    """A ``git diff``-style patch; lines keep their own endings so a CRLF file diffs as CRLF."""
    lines = list(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{display}", f"b/{display}"
    ))  # fmt: skip
    patched = []
    for line in lines:
        if line.endswith("\n"):
            patched.append(line)
        else:
            patched += [line + "\n", "\\ No newline at end of file\n"]
    return "".join(patched)


def colour_diff(diff: str) -> str:
    styles = (("+++", {"bold": True}), ("---", {"bold": True}), ("@@", {"fg": "cyan"}),
              ("+", {"fg": "green"}), ("-", {"fg": "red"}))  # fmt: skip
    out = []
    for line in diff.splitlines(keepends=True):
        body, ending = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")) :]
        style = next((s for prefix, s in styles if body.startswith(prefix)), None)
        out.append((click.style(body, **style) if style else body) + ending)
    return "".join(out)
