"""``jax2torch scan``: an inventory of a tree's JAX usage before anything changes.

The scan is a dry run: the same runner and Migrator (in worker processes) compute every file's
findings and nothing is written, so it costs what ``migrate --dry-run`` costs. Each finding is
sorted by what the rule it came from does: its target is ``torch.*`` (or a hook that emits torch)
-> rewritten automatically; ``jax2torch_runtime.*`` -> rewritten to a runtime helper; not rewritten
-> needs a person; silenced by ``# jax2torch: ignore`` -> suppressed (left alone on purpose, outside
the readiness figure). Imports are listed apart, found by a small ``ast`` pass in the worker.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from jax2torch.findings import Finding, Severity
from jax2torch.runner import FAILED

AUTOMATIC, RUNTIME, MANUAL, SUPPRESSED = "automatic", "runtime", "manual", "suppressed"
CATEGORIES = (AUTOMATIC, RUNTIME, MANUAL, SUPPRESSED)
LABELS = {AUTOMATIC: "rewritten automatically", RUNTIME: "rewritten to a runtime helper",
          MANUAL: "needs a person", SUPPRESSED: "suppressed (left alone on purpose)"}  # fmt: skip
IMPORT = "IMPORT"  # pseudo-code of the import records the scanning migrator adds
SCAN_FORMATS = ("text", "json", "md", "concise")
_QUOTED = re.compile(r"`([A-Za-z_][\w.]*)`")
_SUPPRESS = re.compile(r"#\s*jax2torch:\s*ignore")


def _import_records(text: str, path: str, watched: tuple[str, ...]) -> list[Finding]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []  # the engine reports the syntax error itself
    lines = text.splitlines()
    records = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name.split(".")[0] in watched:
                line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
                records.append(Finding(IMPORT, path, node.lineno, node.col_offset, Severity.INFO, name, False,
                                       suppressed=bool(_SUPPRESS.search(line))))  # fmt: skip
    return records


class _ScanningMigrator:
    """The real migrator plus import records; the text it returns is the migrated text, unused."""

    def __init__(self, migrator, watched):
        self.migrator, self.watched = migrator, watched

    def migrate_text(self, text: str, path: str = "<string>"):
        result = self.migrator.migrate_text(text, path)
        if any(w in text for w in self.watched):
            result.findings = _import_records(text, path, self.watched) + list(result.findings)
        return result


@dataclass(frozen=True)
class ScanFactory:
    """Picklable like :class:`EngineFactory`, which it wraps."""

    engine: object

    def __call__(self):
        return _ScanningMigrator(self.engine(), tuple(self.engine.options.watched))


def classify(finding: Finding, table) -> str:
    if finding.suppressed:
        return SUPPRESSED
    if not finding.fixed:
        return MANUAL
    rule = table.by_code.get(finding.code)
    target = rule.target if rule is not None else ""
    if target.startswith("jax2torch_runtime") or (not target and ("jax2torch_runtime" in finding.message or "j2t." in finding.message)):
        return RUNTIME
    return AUTOMATIC


def api_name(finding: Finding, table) -> str:
    rule = table.by_code.get(finding.code)
    if rule is not None:
        return rule.title
    quoted = _QUOTED.search(finding.message)
    return quoted.group(1) if quoted else finding.code


@dataclass
class Use:
    finding: Finding
    api: str
    category: str

    def to_dict(self) -> dict:
        return {**self.finding.to_dict(), "api": self.api, "category": self.category}


@dataclass
class FileInventory:
    path: str
    imports: list[Finding] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(use.category for use in self.uses)


@dataclass
class Inventory:
    scanned: int = 0
    files: list[FileInventory] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_results(cls, results, table) -> "Inventory":
        inventory = cls(scanned=len(results))
        for result in results:
            if result.status == FAILED:
                inventory.failed.append((result.display, result.reason))
                continue
            entry = FileInventory(result.display)
            for finding in result.findings:
                if finding.code == IMPORT:
                    entry.imports.append(finding)
                elif finding.code != "J2T0000" or not finding.suppressed:
                    entry.uses.append(Use(finding, api_name(finding, table), classify(finding, table)))
                else:
                    entry.uses.append(Use(finding, "suppressed line", SUPPRESSED))
            if entry.imports or entry.uses:
                inventory.files.append(entry)
        return inventory

    def totals(self) -> dict[str, int]:
        counts = Counter(use.category for f in self.files for use in f.uses)
        return {"scanned": self.scanned, "with_jax": len(self.files), "failed": len(self.failed),
                "imports": sum(len(f.imports) for f in self.files),
                "uses": sum(counts[c] for c in CATEGORIES if c != SUPPRESSED),
                **{c: counts[c] for c in CATEGORIES}}  # fmt: skip

    @property
    def readiness(self) -> float:
        """Share of the (unsuppressed) uses the tool rewrites by itself, in percent."""
        t = self.totals()
        return 100.0 if not t["uses"] else round(100.0 * (t[AUTOMATIC] + t[RUNTIME]) / t["uses"], 1)

    def apis(self) -> list[tuple[str, dict]]:
        per: dict[str, Counter] = defaultdict(Counter)
        for f in self.files:
            for use in f.uses:
                per[use.api][use.category] += 1
        return sorted(((api, dict(c)) for api, c in per.items()), key=lambda item: (-sum(item[1].values()), item[0]))

    def remaining(self) -> bool:
        """JAX still in the tree (for ``--check``): an unsuppressed import or use, or a failed file."""
        return bool(self.failed) or any(
            not i.suppressed for f in self.files for i in f.imports
        ) or any(u.category != SUPPRESSED for f in self.files for u in f.uses)  # fmt: skip


def _where(f: Finding) -> str:
    cell = f"[cell {f.cell}]" if f.cell is not None else ""
    return f"{f.path}{cell}:{f.line}:{f.col}"


def render_text(inv: Inventory) -> str:
    t = inv.totals()
    out = [f"JAX inventory: {t['with_jax']} of {t['scanned']} file(s) use JAX; "
           f"{t['imports']} import(s), {t['uses']} use(s).", ""]  # fmt: skip
    out += [f"  {LABELS[c] + ':':<38}{t[c]:>6}" for c in CATEGORIES]
    out += ["", f"Readiness: {inv.readiness:.1f}% of uses are rewritten without a person.", ""]
    if inv.apis():
        out.append("Per API (automatic / runtime / needs a person / suppressed):")
        out += [f"  {api:<44}" + " ".join(f"{c.get(k, 0):>5}" for k in CATEGORIES) for api, c in inv.apis()]
        out.append("")
        out.append("Per file:")
        for f in inv.files:
            c = f.counts()
            out.append(f"  {f.path}: {len(f.imports)} import(s), " + ", ".join(f"{c[k]} {k}" for k in CATEGORIES))
        out.append("")
    manual = [u for f in inv.files for u in f.uses if u.category == MANUAL]
    if manual:
        out.append("Needs a person:")
        out += [f"  {_where(u.finding)}: {u.finding.code} {u.finding.message}" for u in manual]
        out.append("")
    out += [f"error: {path}: {reason}" for path, reason in inv.failed]
    return "\n".join(out).rstrip("\n") + "\n"


def to_json(inv: Inventory) -> str:
    data = {
        "tool": "jax2torch scan",
        "totals": inv.totals(),
        "readiness": inv.readiness,
        "apis": [{"api": api, **{k: c.get(k, 0) for k in CATEGORIES}} for api, c in inv.apis()],
        "files": [{"path": f.path, "counts": {k: f.counts()[k] for k in CATEGORIES},
                   "imports": [{"module": i.message, "line": i.line, "col": i.col, "cell": i.cell,
                                "suppressed": i.suppressed} for i in f.imports],
                   "uses": [u.to_dict() for u in f.uses]} for f in inv.files],
        "failed": [{"path": p, "reason": r} for p, r in inv.failed],
    }  # fmt: skip
    return json.dumps(data, indent=2) + "\n"


def _md_row(values) -> str:
    return "| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ") for v in values) + " |"


def to_markdown(inv: Inventory) -> str:
    t = inv.totals()
    out = ["# JAX inventory", "", f"**Readiness: {inv.readiness:.1f}%** of {t['uses']} use(s) are rewritten "
           f"without a person; {t['with_jax']} of {t['scanned']} file(s) use JAX ({t['imports']} import(s)).", "",
           "| category | uses |", "|---|---|"] + [_md_row([LABELS[c], t[c]]) for c in CATEGORIES]  # fmt: skip
    out += ["", "## Per API", "", _md_row(["API", *CATEGORIES]), "|---" * (len(CATEGORIES) + 1) + "|"]
    out += [_md_row([f"`{api}`", *(c.get(k, 0) for k in CATEGORIES)]) for api, c in inv.apis()]
    out += ["", "## Per file", ""]
    for f in inv.files:
        out += [f"### `{f.path}`", "", _md_row(["location", "rule", "API", "category"]), "|---|---|---|---|"]
        out += [_md_row([f"`{_where(i)}`", "import", f"`{i.message}`", "suppressed" if i.suppressed else "import"])
                for i in f.imports]  # fmt: skip
        out += [_md_row([f"`{_where(u.finding)}`", u.finding.code, f"`{u.api}`", LABELS[u.category]]) for u in f.uses]
        out.append("")
    if inv.failed:
        out += ["## Failed files", ""] + [f"- `{p}`: {r}" for p, r in inv.failed]
    return "\n".join(out).rstrip("\n") + "\n"


def to_concise(inv: Inventory) -> str:
    """What is left, one ``path:line:col: CODE message`` line each (for hooks and editors)."""
    left = [(i, f"IMPORT `{i.message}` imported") for f in inv.files for i in f.imports if not i.suppressed]
    left += [(u.finding, f"{u.finding.code} {u.finding.message}") for f in inv.files for u in f.uses
             if u.category != SUPPRESSED]  # fmt: skip
    left.sort(key=lambda item: (item[0].path, -1 if item[0].cell is None else item[0].cell, item[0].line, item[0].col))
    lines = [f"{_where(f)}: {text}" for f, text in left] + [f"{p}:1:0: ERROR {r}" for p, r in inv.failed]
    return "".join(line + "\n" for line in lines)


RENDERERS = {"text": render_text, "json": to_json, "md": to_markdown, "concise": to_concise}
