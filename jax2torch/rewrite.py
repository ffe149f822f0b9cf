"""Rewrite one unit (a small statement or a compound header) with the rule table.

Rows are applied generically (target name, keyword renames, positional->keyword moves, dropped
and unsupported keywords, injected arguments); rows naming a hook hand the call to it. Anything
that cannot be rewritten safely is left exactly as it was and becomes a TODO + error finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from jax2torch.analysis import AMBIGUOUS, Binding
from jax2torch.findings import Severity
from jax2torch.hookapi import REMOVE, GiveUp, HookContext, dotted_name
from jax2torch.rowrewrite import fix_commas, apply_row, rewrite_args
from jax2torch.scalars import cst_is_number

HEADER_FIELDS = {
    cst.FunctionDef: ("decorators", "params", "returns"),
    cst.ClassDef: ("decorators", "bases", "keywords"),
    cst.If: ("test",), cst.While: ("test",), cst.For: ("target", "iter"), cst.With: ("items",),
    cst.Match: ("subject",),
}


@dataclass
class Outcome:
    """What rewriting one unit produced."""

    records: list = field(default_factory=list)   # (code, line, col, severity, message, fixed)
    consumed: dict = field(default_factory=dict)  # Binding -> number of references rewritten away
    roots: set = field(default_factory=set)       # import roots the new code needs


class UnitRewriter(cst.CSTTransformer):
    def __init__(self, unit, table, options, selected, module_names=None):
        super().__init__()
        self.unit, self.table, self.options, self.selected = unit, table, options, selected
        self.module_names = module_names or {}
        self.out = Outcome()
        self.call_funcs: set[int] = set()
        self.nonrefs: set[int] = set()
        self.decorator_refs: dict = {}     # id(ref in a decorator) -> the partial(...) call or None
        self.decorator_results: dict = {}  # id(ref) -> new decorator expression or REMOVE
        self.left: dict = {}               # id(node left untranslated) -> (its record, its binding)
        self.receivers: set[int] = set()   # ids of calls whose result has an attribute taken
        self.called_attrs: set[int] = set()  # ids of attributes that are called (``x.size()``)
        self.partial_firsts: dict = {}     # id(JAX ref as partial's first arg) -> the partial(...) call
        self.partial_rows: dict = {}       # id(partial(...) call) -> (rule, qual, ref) to rewrite on leave
        self.stores: set[int] = set()      # ids of assignment / del targets
        self.first_line = unit.stmt.lineno
        self.site_pos: dict[str, list] = {}
        for site in unit.sites:
            self.site_pos.setdefault(site.qual, []).append((site.line, site.col))
        for key, spots in unit.pattern_spots.items():  # ".astype" / "[]": never a qualified name
            self.site_pos.setdefault(key, []).extend(spots)

    # -- resolution -------------------------------------------------------------------------
    def binding_of(self, node) -> Binding | None:
        path = dotted_name(node)
        if path is None:
            return None
        value = self.unit.names.get(path.split(".")[0])
        return value if isinstance(value, Binding) else None

    def resolve(self, node) -> str | None:
        binding = self.binding_of(node)
        if binding is None:
            return None
        path = dotted_name(node)
        return binding.qual + path[len(path.split(".")[0]):]

    def _pos(self, qual: str):
        spots = self.site_pos.get(qual)
        return spots.pop(0) if spots else (self.first_line, 0)

    def _spot(self, key: str):
        """The next recorded position of a pattern candidate (``key``), taken in leave order."""
        spots = self.site_pos.get(key)
        return spots.pop(0) if spots else None

    def record(self, code, qual, severity, message, fixed, node=None, binding=None, at=None):
        line, col = at or (self._pos(qual) if qual else (self.first_line, 0))
        self.out.records.append([code, line, col, severity, message, fixed])
        if node is not None:  # a reference left as it is: remembered in case its argument is dropped
            self.left[id(node)] = (self.out.records[-1], binding)

    def discard(self, dropped) -> None:
        """An argument a row dropped: references left in it are gone, with their findings."""
        stack = [dropped]
        while stack:
            node = stack.pop()
            entry = self.left.pop(id(node), None)
            if entry is not None:
                self.out.records.remove(entry[0])
                if entry[1] is not None:
                    self.out.consumed[entry[1]] = self.out.consumed.get(entry[1], 0) + 1
            stack.extend(node.children)

    def consume(self, node) -> None:
        binding = self.binding_of(node)
        if binding is not None:
            self.out.consumed[binding] = self.out.consumed.get(binding, 0) + 1

    def context(self, rule, qual, position) -> HookContext:
        ctx = HookContext(rule=rule, qualname=qual, options=self.options, resolve=self.resolve, position=position,
                          is_number=lambda node: cst_is_number(node, self.unit.numbers.__contains__),
                          array_names=self.unit.array_names,
                          module_names=self.module_names)
        ctx.default = lambda call: apply_row(rule, call, ctx)
        ctx.arguments = lambda call: rewrite_args(rule, call, ctx)
        return ctx

    def finish(self, ctx, rule, qual, what, at=None):
        self.out.roots |= ctx.needed_roots
        for severity, message in ctx.notes:
            self.record(rule.code, qual, severity, message, True, at=at)
        if not ctx.notes:
            sev = rule.severity if rule.severity is not Severity.ERROR else Severity.WARNING
            self.record(rule.code, qual, sev, rule.message or f"{qual} -> {what}", True, at=at)

    # -- unsupported / unknown ----------------------------------------------------------------
    def unknown(self, node, qual, left=None):
        where = dict(node=left, binding=self.binding_of(node)) if left is not None else {}
        if self.unit.names.get(dotted_name(node).split(".")[0]) == AMBIGUOUS:
            self.record("J2T0004", qual, Severity.ERROR, f"`{dotted_name(node)}` may or may not be JAX here", False)
        elif qual in self.table.prefixes:
            self.record("J2T0001", qual, Severity.ERROR, f"module `{qual}` used as a value", False, **where)
        else:
            self.record("J2T0001", qual, Severity.ERROR, f"no rule for `{qual}`", False, **where)

    def selected_rule(self, qual):
        rule = self.table.by_name.get(qual)
        return rule, (rule is None and self.selected("J2T0001")) or (rule is not None and self.selected(rule.code))

    # -- visitors ---------------------------------------------------------------------------
    def visit_Call(self, node):
        if self.resolve(node.func) is not None:
            self.call_funcs.add(id(node.func))
        if _is_partial(node.func) and node.args and self.resolve(node.args[0].value) is not None:
            self.partial_firsts[id(node.args[0].value)] = node  # ``partial(jax.vmap, in_axes=...)``
        if isinstance(node.func, cst.Attribute):
            self.called_attrs.add(id(node.func))

    def visit_AssignTarget(self, node):
        self.stores.add(id(node.target))

    def visit_AugAssign(self, node):
        self.stores.add(id(node.target))

    def visit_AnnAssign(self, node):
        self.stores.add(id(node.target))

    def visit_Del(self, node):
        self.stores.add(id(node.target))

    def visit_Attribute(self, node):
        if dotted_name(node) is not None:
            return False
        self.nonrefs.add(id(node.attr))
        if isinstance(node.value, cst.Call):
            self.receivers.add(id(node.value))  # ``f(...).attr``: the call's result is used as an object
        return True

    def visit_Arg(self, node):
        if node.keyword is not None:
            self.nonrefs.add(id(node.keyword))

    def visit_Param(self, node):
        self.nonrefs.add(id(node.name))

    def visit_AsName(self, node):
        return False

    def visit_MatchKeywordElement(self, node):
        self.nonrefs.add(id(node.key))

    def visit_Import(self, node):
        return False

    visit_ImportFrom = visit_Import

    def leave_Name(self, original, updated):
        if id(original) in self.nonrefs:
            return updated
        return self.reference(original, updated)

    def leave_Attribute(self, original, updated):
        attr = original.attr.value
        if attr in self.table.pattern_attributes and id(original) not in self.called_attrs \
                and id(original) not in self.stores:
            spot = self._spot("." + attr)  # taken for every candidate the analysis counted
            if self.resolve(original) is None and not self.numpy_valued(updated.value):
                return self.patterns(updated, attr, attribute=True, at=spot)  # ``x.size``
        if dotted_name(original) is None:
            return updated
        return self.reference(original, updated)

    def reference(self, original, updated):
        """A JAX name used as a value (not called): ``jnp.float32``, ``jnp.exp`` passed along."""
        if id(original) in self.call_funcs:
            return updated
        qual = self.resolve(original)
        if qual is None:
            if self.unit.names.get(dotted_name(original).split(".")[0]) == AMBIGUOUS:
                self.unknown(original, dotted_name(original))
            return updated
        rule, selected = self.selected_rule(qual)
        if not selected:
            return updated
        left = dict(node=updated, binding=self.binding_of(original))
        if rule is None:
            self.unknown(original, qual, left=updated)
            return updated
        if not rule.hook and rule.target and id(original) in self.partial_firsts:
            # ``partial(jax.vmap, in_axes=0)``: the partial's keywords are the row's arguments;
            # rewritten together when the partial call is left (see leave_Call)
            self.partial_rows[id(self.partial_firsts[id(original)])] = (rule, qual, original)
            return updated
        if rule.hook and id(original) in self.decorator_refs:
            partial = self.decorator_refs[id(original)]
            call = cst.Call(func=updated, args=partial.args[1:]) if partial is not None else None
            result = self.run_hook(rule, qual, call, original, updated, "decorator")
            if result is not updated:
                self.decorator_results[id(original)] = result
            return updated
        if rule.hook:
            return self.run_hook(rule, qual, None, original, updated, "value")
        if not rule.target:
            self.record(rule.code, qual, Severity.ERROR, rule.message, False, **left)
            return updated
        target = rule.target
        if rule.call_only or rule.value is False or (rule.value is None and (rule.inject or rule.unsupported)):
            target = rule.value_target
        if not target:
            self.record(rule.code, qual, Severity.ERROR,
                        f"`{qual}` used as a value: its rewrite needs the call's arguments", False, **left)
            return updated
        ctx = self.context(rule, qual, "value")
        new = ctx.ref(target)
        self.consume(original)
        self.finish(ctx, rule, qual, target)
        return new

    def partial_of_row(self, original, updated):
        """``partial(jax.vmap, in_axes=0)`` -> ``partial(torch.func.vmap, in_dims=0)``: the row's
        rewrite applied to the partial's arguments as if they were the call's."""
        rule, qual, ref = self.partial_rows.pop(id(original))
        first, rest = updated.args[0], list(updated.args[1:])
        as_call = cst.Call(func=first.value, args=[cst.Arg(first.value), *rest])  # fun stands in at position 0
        ctx = self.context(rule, qual, "call")
        try:
            new = apply_row(rule, as_call, ctx)
        except GiveUp as why:
            self.record(why.code or rule.code, qual, Severity.ERROR, str(why), False,
                        node=updated, binding=self.binding_of(ref))
            return updated
        for dropped in ctx.dropped:
            self.discard(dropped)
        self.consume(ref)
        self.finish(ctx, rule, qual, rule.target)
        head = first.with_changes(value=new.func)
        if len(new.args) == 1:  # every other argument was dropped: no comma left dangling
            head = head.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        args = [head, *new.args[1:]]
        return updated.with_changes(args=fix_commas(args))

    def leave_Call(self, original, updated):
        func = original.func
        spot = self._spot("." + func.attr.value) if isinstance(func, cst.Attribute) \
            and func.attr.value in self.table.pattern_methods else None
        if id(original) in self.partial_rows:
            return self.partial_of_row(original, updated)
        if id(original.func) in self.call_funcs:
            qual = self.resolve(original.func)
            rule, selected = self.selected_rule(qual)
            if not selected:
                return updated
            left = dict(node=updated, binding=self.binding_of(original.func))
            if rule is None:
                self.unknown(original.func, qual, left=updated)
                return updated
            if rule.hook:
                position = "receiver" if id(original) in self.receivers else "call"
                return self.run_hook(rule, qual, updated, original.func, updated, position)
            if not rule.target:
                self.record(rule.code, qual, Severity.ERROR, rule.message, False, **left)
                return updated
            ctx = self.context(rule, qual, "call")
            try:
                new = apply_row(rule, updated, ctx)
            except GiveUp as why:
                self.record(why.code or rule.code, qual, Severity.ERROR, str(why), False, **left)
                return updated
            for dropped in ctx.dropped:
                self.discard(dropped)
            self.consume(original.func)
            self.finish(ctx, rule, qual, rule.target)
            return new
        func = updated.func
        if isinstance(func, cst.Attribute) and func.attr.value in self.table.pattern_methods \
                and func.attr.value != "__getitem__":  # subscript patterns see ``x[...]`` only
            if self.numpy_valued(func.value):
                return updated  # a NumPy array's own method (``rng.normal(size=3).astype(np.float32)``)
            return self.patterns(updated, func.attr.value, at=spot)
        return updated

    def leave_Subscript(self, original, updated):
        """``x[...]`` is ``x.__getitem__(...)``: pattern rows naming ``__getitem__`` see subscripts
        that slice with a step (the candidates the analysis counted)."""
        if "__getitem__" not in self.table.pattern_methods or not _has_step(updated):
            return updated
        spot = self._spot("[]")
        if self.numpy_valued(updated.value):
            return updated
        return self.patterns(updated, "__getitem__", at=spot)

    def numpy_valued(self, node) -> bool:
        """``np.zeros(3)``, ``rng.normal(size=3)``, ``data[0]`` (``data`` bound to NumPy values)."""
        while isinstance(node, (cst.Call, cst.Attribute, cst.Subscript)):
            node = node.func if isinstance(node, cst.Call) else node.value
        return isinstance(node, cst.Name) and node.value in self.unit.numpy_names

    def patterns(self, call, method, attribute=False, at=None):
        for rule in self.table.patterns:
            if method not in (rule.attributes if attribute else rule.methods) or not self.selected(rule.code):
                continue
            ctx = self.context(rule, "", "call")
            try:
                new = self.table.hooks[rule.hook](call, ctx)
            except GiveUp as why:
                self.record(why.code or rule.code, "", Severity.ERROR, str(why), False, at=at)
                return call
            if new is not None:
                self.finish(ctx, rule, "", rule.target or rule.hook, at=at)
                return new
        return call

    def run_hook(self, rule, qual, call, ref_node, updated, position):
        ctx = self.context(rule, qual, position)
        try:
            new = self.table.hooks[rule.hook](call, ctx)
        except GiveUp as why:
            self.record(why.code or rule.code, qual, Severity.ERROR, str(why), False,
                        node=updated, binding=self.binding_of(ref_node))
            return updated
        if new is None:
            return updated
        self.consume(ref_node)
        self.finish(ctx, rule, qual, rule.target or f"hook {rule.hook}")
        if new is REMOVE and position != "decorator":
            raise AssertionError(f"hook {rule.hook} answered REMOVE outside a decorator")
        return new

    def visit_Decorator(self, node):
        expr = node.decorator
        if isinstance(expr, cst.Call) and _is_partial(expr.func) and expr.args:
            # ``@partial(jax.jit, static_argnums=...)``: the hook sees the keywords as a call
            self.decorator_refs[id(expr.args[0].value)] = expr
        elif self.resolve(expr) is not None:
            self.decorator_refs[id(expr)] = None
        return True

    def leave_Decorator(self, original, updated):
        expr = original.decorator
        key = id(expr.args[0].value) if isinstance(expr, cst.Call) and _is_partial(expr.func) and expr.args else id(expr)
        result = self.decorator_results.pop(key, None)
        if result is REMOVE:
            return cst.RemovalSentinel.REMOVE
        if result is not None:
            return updated.with_changes(decorator=result)
        return updated


def _has_step(sub: cst.Subscript) -> bool:
    """``x[::2]``, ``x[:, ::-1]``: the LibCST twin of ``analysis.has_step``."""
    return any(isinstance(e.slice, cst.Slice) and e.slice.step is not None for e in sub.slice)


def _is_partial(func) -> bool:
    return dotted_name(func) in ("partial", "functools.partial", "ft.partial")
