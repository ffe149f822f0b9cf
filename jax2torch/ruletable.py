"""The rule table: TOML rows loaded, validated and indexed by JAX qualified name and code.

The engine knows nothing about JAX: everything JAX-specific is in the rows (``rules/*.toml``)
and the hooks they name (``rules/hooks/*.py``). A row is data; a hook is code for structure.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from jax2torch.findings import Severity
from jax2torch.hookapi import load_hooks

CODE_RE = re.compile(r"^J2T\d{4}$")
DOTTED_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
TARGET_ROOTS = ("torch", "jax2torch_runtime")

FILE_KEYS = {"area", "description", "rule", "pattern", "modules", "snippet_preamble"}
RULE_KEYS = {
    "code", "jax", "target", "params", "target_params", "rename", "drop", "unsupported",
    "inject", "severity", "message", "hook", "value", "example", "why", "differs", "options",
    "call_only", "lift", "value_target", "float_input", "route",
}
PATTERN_KEYS = {"code", "hook", "methods", "attributes", "severity", "message", "why", "differs", "example", "options",
                "params", "target_params", "rename", "drop", "unsupported", "inject"}
EXAMPLE_KEYS = {"code", "body", "inputs", "exact", "rtol", "atol", "jit", "note", "migrated", "dtype_strict"}


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and the entry."""

    def __init__(self, path: Path | str, entry: str, reason: str):
        super().__init__(f"{path}: {entry}: {reason}")
        self.path, self.entry, self.reason = str(path), entry, reason


@dataclass(frozen=True)
class Example:
    code: str = ""
    body: str = ""
    inputs: dict = field(default_factory=dict)
    exact: bool = False
    rtol: float | None = None
    atol: float | None = None
    jit: bool = False
    note: str = ""
    migrated: str = ""
    dtype_strict: bool = True


@dataclass(frozen=True)
class Rule:
    """One row: a JAX qualified name (or, for a pattern row, method names) and how to rewrite it."""

    code: str
    jax: str = ""
    target: str = ""
    params: tuple[str, ...] = ()
    target_params: tuple[str, ...] | None = None
    rename: dict = field(default_factory=dict)
    drop: dict = field(default_factory=dict)
    unsupported: dict = field(default_factory=dict)
    inject: dict = field(default_factory=dict)
    severity: Severity = Severity.INFO
    message: str = ""
    hook: str = ""
    value: bool | None = None  # None: allowed unless the row injects or refuses arguments
    call_only: bool = False
    value_target: str = ""  # a function with JAX's signature, for a reference used as a value
    lift: tuple[int, ...] = ()  # JAX argument positions that may be Python numbers where torch needs tensors
    float_input: tuple[int, ...] = ()  # positions where JAX takes bool arrays and torch raises (mean, argmax...)
    route: dict = field(default_factory=dict)  # {keywords, helper}: calls passing one of keywords go to helper
    methods: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # attribute reads a pattern sees (``x.size``), not calls
    why: str = ""
    differs: str = ""
    options: dict = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    source: str = ""

    @property
    def is_pattern(self) -> bool:
        return bool(self.methods or self.attributes)

    @property
    def title(self) -> str:
        if self.methods == ("__getitem__",):
            return "subscript pattern x[...]"
        if self.attributes:
            return f"attribute pattern x.{'/x.'.join(self.attributes)}"
        return self.jax or f"method pattern .{'/.'.join(self.methods)}(...)"

    def explain(self, migrate=None) -> str:
        """Markdown: what the row does, why, before/after, and what can differ.

        ``migrate(source) -> source`` (the engine) fills in "after" for examples that do not spell it.
        """
        lines = [f"# {self.code}: `{self.title}`", ""]
        if self.hook:
            lines.append(f"Rewritten by the structural hook `{self.hook}`"
                         + (f" to `{self.target}`." if self.target else "."))
        elif self.severity is Severity.ERROR and not self.target:
            lines.append("Not rewritten: left in place with a `# TODO(jax2torch)` comment.")
        else:
            lines.append(f"Rewritten to `{self.target}`.")
        if self.rename:
            lines.append("Keywords renamed: " + ", ".join(f"`{k}`→`{v}`" for k, v in self.rename.items()) + ".")
        if self.inject:
            lines.append("Arguments added: " + ", ".join(f"`{k}={v}`" for k, v in self.inject.items()) + ".")
        if self.value_target:
            lines.append(f"Used as a value (passed as a function, not called) it becomes `{self.value_target}`,"
                         " which takes JAX's arguments.")
        if self.lift:
            lines.append("A plain Python number at argument position " + ", ".join(map(str, self.lift))
                         + " (a literal, `x.shape[i]`, `len(...)`, a local assigned one) becomes `torch.as_tensor(...)`:"
                         " JAX takes numbers there, the torch function needs a tensor.")
        if self.route:
            lines.append("Calls passing " + ", ".join(f"`{k}=`" for k in self.route["keywords"])
                         + f" go to `{self.route['helper']}` (JAX's signature) with their arguments unchanged.")
        if self.float_input:
            lines.append("A plainly boolean argument at position " + ", ".join(map(str, self.float_input))
                         + " (a comparison such as `pred == y`, `~m`, `a & b`, `isnan(x)`) gets `.float()`:"
                         " JAX takes booleans there, torch raises on bool input (0/1 floats give the same result).")
        for kw, why in {**self.drop, **self.unsupported}.items():
            action = "dropped" if kw in self.drop else "not translatable (left with a TODO)"
            lines.append(f"Keyword `{kw}` is {action}: {why}")
        lines += ["", "## Why", self.why or self.message or "Same semantics in PyTorch."]
        for ex in self.examples[:2]:
            before = (ex.body or ex.code).strip("\n")
            after = migrate(before) if migrate is not None else ex.migrated
            lines += ["", "## Example", "```python", "# before", before]
            if after:
                lines += ["# after", after]
            lines.append("```")
        lines += ["", "## What can differ", self.differs or self.message or "Nothing known; verified by the examples."]
        lines += ["", f"Severity of the finding: {self.severity.value}. Defined in {self.source}."]
        return "\n".join(lines) + "\n"


class RuleTable:
    """All rows, indexed; built by :func:`load_rule_table`."""

    def __init__(self, rules: Iterable[Rule], hooks: dict, modules: Iterable[str] = (), preamble: str = ""):
        #: imports that give example snippets their usual aliases (``jnp``, ``lax``...), from the rule files
        self.preamble = preamble
        self.rules: list[Rule] = sorted(rules, key=lambda r: r.code)
        self.hooks = hooks
        self.by_name = {r.jax: r for r in self.rules if r.jax}
        self.by_code = {r.code: r for r in self.rules}
        self.patterns = [r for r in self.rules if r.is_pattern]
        self.pattern_methods = frozenset(m for r in self.patterns for m in r.methods)
        self.pattern_attributes = frozenset(a for r in self.patterns for a in r.attributes)
        # A dotted prefix is "known" when some row's name starts with it: lets the engine tell a
        # module reference (``jax.numpy``) from an unknown function.
        self.prefixes = frozenset(p for name in self.by_name for p in _prefixes(name)) | frozenset(modules)

    def find(self, name_or_code: str) -> Rule | None:
        key = name_or_code.strip()
        if key.upper() in self.by_code:
            return self.by_code[key.upper()]
        if key in self.by_name:
            return self.by_name[key]
        for short, full in (("jnp.", "jax.numpy."), ("lax.", "jax.lax."), ("jrandom.", "jax.random.")):
            if key.startswith(short) and full + key[len(short):] in self.by_name:
                return self.by_name[full + key[len(short):]]
        return None

    def check_selectors(self, prefixes: Sequence[str]) -> None:
        for prefix in prefixes:
            p = prefix.strip().upper()
            if not p.startswith("J2T") or not any(code.startswith(p) for code in ENGINE_CODES | set(self.by_code)):
                raise ValueError(f"unknown rule code or prefix: {prefix!r}")


ENGINE_CODES = {
    "J2T0001",  # a JAX name with no rule
    "J2T0002",  # a JAX import kept because a JAX name it binds is still used or re-exported
    "J2T0003",  # a keyword argument with no PyTorch equivalent
    "J2T0004",  # a name whose meaning cannot be resolved statically
    "J2T0005",  # retired: a hook that gives up reports under its row's code
    "J2T0006",  # a needed import name is already taken in the module
}


def _prefixes(name: str):
    parts = name.split(".")
    for i in range(1, len(parts)):
        yield ".".join(parts[:i])


def bundled_rules_dir() -> Path:
    import jax2torch._rules as bundled

    return Path(bundled.__file__).parent


def load_rule_table(extra_files: Sequence[Path | str] = (), *, bundled: bool = True) -> RuleTable:
    """Load the bundled TOML rows (and extra user files, which may override rows by JAX name)."""
    base = bundled_rules_dir()
    hooks = load_hooks([base / "hooks"] if bundled else [])
    files = sorted(base.glob("*.toml")) if bundled else []
    rows: dict[str, Rule] = {}
    codes: dict[str, str] = {}
    modules: set[str] = set()
    preamble: list[str] = []
    for path in [*files, *map(Path, extra_files)]:
        user = path not in files
        if user and (path.parent / "hooks").is_dir():
            hooks.update(load_hooks([path.parent / "hooks"]))
        for rule in _load_file(path, hooks, modules, preamble):
            key = rule.jax or "pattern:" + rule.code
            old = rows.get(key)
            if old is not None and not user:
                raise RuleFileError(path, rule.code, f"duplicate JAX name {rule.jax!r} (also {old.code} in {old.source})")
            if old is not None:  # a user row overrides the bundled row for the same JAX name
                del codes[old.code]
            if rule.code in codes:
                raise RuleFileError(path, rule.code, f"duplicate rule code (also used for {codes[rule.code]})")
            rows[key] = rule
            codes[rule.code] = key
    return RuleTable(rows.values(), hooks, modules, "".join(preamble))


def _load_file(path: Path, hooks: dict, modules: set, preamble: list) -> list[Rule]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleFileError(path, "-", "file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleFileError(path, "-", f"not valid TOML: {exc}") from None
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise RuleFileError(path, "-", f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    declared = data.get("modules", [])
    if not isinstance(declared, list) or not all(isinstance(m, str) and DOTTED_RE.match(m) for m in declared):
        raise RuleFileError(path, "modules", "must be a list of dotted module names")
    modules.update(declared)
    if not isinstance(data.get("snippet_preamble", ""), str):
        raise RuleFileError(path, "snippet_preamble", "must be a string of import lines")
    preamble.append(data.get("snippet_preamble", ""))
    rows = []
    seen = set()
    for kind, entries, allowed in (("rule", data.get("rule", []), RULE_KEYS), ("pattern", data.get("pattern", []), PATTERN_KEYS)):
        if not isinstance(entries, list):
            raise RuleFileError(path, kind, f"use [[{kind}]] tables")
        for i, entry in enumerate(entries):
            label = entry.get("code") or entry.get("jax") or f"{kind} #{i + 1}"
            rule = _parse_row(path, label, entry, allowed, hooks, pattern=(kind == "pattern"))
            if rule.jax in seen:
                raise RuleFileError(path, label, f"duplicate JAX name {rule.jax!r}")
            if rule.jax:
                seen.add(rule.jax)
            rows.append(rule)
    return rows


def _parse_row(path: Path, label: str, entry: dict, allowed: set, hooks: dict, pattern: bool) -> Rule:
    def bad(reason: str):
        return RuleFileError(path, label, reason)

    unknown = set(entry) - allowed
    if unknown:
        raise bad(f"unknown key(s): {', '.join(sorted(unknown))}")
    code = entry.get("code", "")
    if not CODE_RE.match(code):
        raise bad(f"code must look like J2T1234, got {code!r}")
    if code in ENGINE_CODES:
        raise bad(f"code {code} is reserved for the engine")
    jax = entry.get("jax", "")
    target = entry.get("target", "")
    hook = entry.get("hook", "")
    attributes = entry.get("attributes") or []
    if pattern:
        methods = entry.get("methods") or []
        names = [*methods, *attributes]
        if not names or not all(isinstance(m, str) and m.isidentifier() for m in names):
            raise bad("a pattern needs methods = [names] or attributes = [names]")
        if not hook:
            raise bad("a pattern needs a hook")
    else:
        methods = []
        if not DOTTED_RE.match(jax) or not jax.startswith("jax"):
            raise bad(f"jax must be a qualified JAX name, got {jax!r}")
    if target and (not DOTTED_RE.match(target) or target.split(".")[0] not in TARGET_ROOTS):
        raise bad(f"target {target!r} does not resolve: it must be a dotted name under {' or '.join(TARGET_ROOTS)}")
    value_target = entry.get("value_target", "")
    if value_target and (not DOTTED_RE.match(value_target) or value_target.split(".")[0] not in TARGET_ROOTS):
        raise bad(f"value_target {value_target!r} does not resolve: it must be a dotted name under {' or '.join(TARGET_ROOTS)}")
    if hook and hook not in hooks:
        raise bad(f"hook {hook!r} does not exist (known: {', '.join(sorted(hooks)) or 'none'})")
    try:
        severity = Severity(entry.get("severity", "info"))
    except ValueError:
        raise bad(f"severity must be info, warning or error, got {entry.get('severity')!r}") from None
    if not target and not hook and severity is not Severity.ERROR:
        raise bad("a row needs a target or a hook, or severity = 'error' with a message")
    if severity is Severity.ERROR and not entry.get("message"):
        raise bad("an error row needs a message")
    for key in ("rename", "drop", "unsupported", "inject", "options"):
        if not isinstance(entry.get(key, {}), dict):
            raise bad(f"{key} must be a table")
    for key in ("rename", "drop", "unsupported", "inject"):
        for k, v in entry.get(key, {}).items():
            if not isinstance(v, str):
                raise bad(f"{key}.{k} must be a string")
    for key in ("params", "target_params"):
        val = entry.get(key, [])
        if not isinstance(val, list) or not all(isinstance(p, str) for p in val):
            raise bad(f"{key} must be a list of names")
    lift, float_input = entry.get("lift", []), entry.get("float_input", [])
    for key, val in (("lift", lift), ("float_input", float_input)):
        if not isinstance(val, list) or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in val):
            raise bad(f"{key} must be a list of argument positions (0, 1, ...)")
    examples = []
    for j, ex in enumerate(entry.get("example", [])):
        unknown = set(ex) - EXAMPLE_KEYS
        if unknown:
            raise bad(f"example {j + 1}: unknown key(s): {', '.join(sorted(unknown))}")
        if not (ex.get("code") or ex.get("body")):
            raise bad(f"example {j + 1}: needs code or body")
        examples.append(Example(**ex))
    route = entry.get("route", {})
    if route and (set(route) != {"keywords", "helper"} or not isinstance(route["keywords"], list)
                  or not all(isinstance(k, str) for k in route["keywords"])
                  or not (isinstance(route["helper"], str) and DOTTED_RE.match(route["helper"])
                          and route["helper"].split(".")[0] in TARGET_ROOTS)):
        raise bad("route must be { keywords = [names], helper = \"torch.x\" or \"jax2torch_runtime.x\" }")
    tp = entry.get("target_params")
    return Rule(
        code=code, jax=jax, target=target, params=tuple(entry.get("params", [])),
        target_params=tuple(tp) if tp is not None else None,
        rename=dict(entry.get("rename", {})), drop=dict(entry.get("drop", {})),
        unsupported=dict(entry.get("unsupported", {})), inject=dict(entry.get("inject", {})),
        severity=severity, message=entry.get("message", ""), hook=hook,
        value=entry.get("value"), call_only=bool(entry.get("call_only", False)), lift=tuple(lift), value_target=value_target,
        float_input=tuple(float_input), route=dict(route),
        methods=tuple(methods), attributes=tuple(attributes), why=entry.get("why", ""), differs=entry.get("differs", ""),
        options=dict(entry.get("options", {})), examples=tuple(examples), source=str(path),
    )
