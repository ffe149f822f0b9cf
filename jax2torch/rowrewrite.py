"""The generic row rewrite: rename the function and its keywords, move, drop and inject arguments.

Data-driven: everything it does comes from the row (``params``, ``target_params``, ``rename``,
``drop``, ``unsupported``, ``inject``). It raises :class:`GiveUp` rather than guess.
"""

from __future__ import annotations

import libcst as cst

from jax2torch.findings import Severity
from jax2torch.hookapi import IMPORT_ALIASES, GiveUp, HookContext, dotted_name, is_boolean, is_none


def apply_row(rule, call: cst.Call, ctx: HookContext) -> cst.Call:
    """The generic row rewrite: rename the function and its keywords, move and inject arguments.

    A row's ``route`` sends calls passing one of its keywords (not None) to a runtime helper with
    JAX's signature, arguments unchanged: ``jnp.bincount(x, length=3)``, ``jax.vmap(f, axis_name="b")``.
    """
    if rule.route and _passes(call, rule.params, rule.route["keywords"]):
        return call.with_changes(func=ctx.ref(rule.route["helper"]))
    return call.with_changes(func=ctx.ref(rule.target), args=rewrite_args(rule, call, ctx))


def _passes(call: cst.Call, params, keywords) -> bool:
    """Whether the call gives one of ``keywords`` a value other than None (by keyword or position)."""
    for i, arg in enumerate(call.args):
        if arg.star:
            continue
        name = arg.keyword.value if arg.keyword is not None else (params[i] if i < len(params) else None)
        if name in keywords and not is_none(arg.value):
            return True
    return False


def rewrite_args(rule, call: cst.Call, ctx: HookContext) -> list[cst.Arg]:
    """The call's arguments after the row's renames, moves, drops and injections."""
    params, target_params = rule.params, rule.target_params
    new_args: list[cst.Arg] = []
    present: set[str] = set()
    kept: set[int] = set()  # indices of original arguments that survive
    moved = False
    for i, arg in enumerate(call.args):
        if arg.star:
            if params and (rule.rename or rule.drop or rule.unsupported or target_params is not None):
                raise GiveUp(f"`{rule.jax}` called with *args/**kwargs: cannot map its arguments")
            kept.add(i)
            new_args.append(arg)
            continue
        if arg.keyword is None:
            name = params[i] if i < len(params) else None
            if name is None and (params or target_params is not None):
                if target_params is None:
                    kept.add(i)
                    new_args.append(arg)
                    continue
                raise GiveUp(f"`{rule.jax}` called with more positional arguments than it takes")
        else:
            name = arg.keyword.value
        if name in rule.unsupported:
            if is_none(arg.value):
                ctx.dropped.append(arg.value)
                continue
            raise GiveUp(f"keyword `{name}` of `{rule.jax or rule.title}`: {rule.unsupported[name]}", code="J2T0003")
        if name in rule.drop:
            if not is_none(arg.value):
                ctx.note(f"dropped `{name}=`: {rule.drop[name]}", Severity.WARNING)
            ctx.dropped.append(arg.value)
            continue
        renamed = rule.rename.get(name, name) if name else None
        kept.add(i)
        position = i if arg.keyword is None else _position(params, name)
        arg = _as_float(rule, _lift(rule, arg, position, ctx), position)
        keep_positional = arg.keyword is None and not moved and (
            target_params is None or (i < len(target_params) and target_params[i] == renamed))
        if keep_positional:
            new_args.append(arg)
        else:
            moved = moved or arg.keyword is None
            new_args.append(arg.with_changes(
                keyword=cst.Name(renamed),
                equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                      whitespace_after=cst.SimpleWhitespace("")),
            ))
        if renamed:
            present.add(renamed)
    for name, source in rule.inject.items():
        if name not in present:
            new_args.append(cst.Arg(keyword=cst.Name(name), value=_target_expr(source, ctx),
                                    equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                          whitespace_after=cst.SimpleWhitespace(""))))
    kept_last = len(call.args) - 1 in kept
    if new_args and not kept_last and not rule.inject:
        # the original last argument was dropped: do not leave its neighbour's comma dangling
        new_args[-1] = new_args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return fix_commas(new_args)


def _position(params, name) -> int | None:
    return params.index(name) if name in params else None


def _lift(rule, arg: cst.Arg, position: int | None, ctx: HookContext) -> cst.Arg:
    """A Python number where the torch target needs a tensor: ``torch.as_tensor(number)``."""
    if position is None or position not in rule.lift or not ctx.is_number(arg.value):
        return arg
    return arg.with_changes(value=cst.Call(func=ctx.ref("torch.as_tensor"), args=[cst.Arg(arg.value)]))


def _as_float(rule, arg: cst.Arg, position: int | None) -> cst.Arg:
    """A plainly boolean array where JAX takes bools and torch raises (mean, argmax...): ``(pred == y).float()``."""
    if position is None or position not in rule.float_input or not is_boolean(arg.value):
        return arg
    value = arg.value
    if not isinstance(value, (cst.Call, cst.Name, cst.Attribute, cst.Subscript)) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return arg.with_changes(value=cst.Call(func=cst.Attribute(value=value, attr=cst.Name("float"))))


def fix_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Every argument but the last needs a comma; the last keeps whatever it had only if kept last."""
    out = []
    for i, arg in enumerate(args):
        last = i == len(args) - 1
        if not last and arg.comma is cst.MaybeSentinel.DEFAULT:
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        out.append(arg)
    return out


def _target_expr(source: str, ctx: HookContext) -> cst.BaseExpression:
    """Parse an injected argument; ``torch.x`` / ``jax2torch_runtime.x`` names go through ctx.ref."""
    expr = cst.parse_expression(source)

    class Roots(cst.CSTTransformer):
        def visit_Attribute(self, node):
            return dotted_name(node) is None

        def leave_Attribute(self, original, updated):
            name = dotted_name(original)
            if name and name.split(".")[0] in IMPORT_ALIASES:
                return ctx.ref(name)
            return updated

        def leave_Name(self, original, updated):
            return ctx.ref(original.value) if original.value in IMPORT_ALIASES else updated

    return expr.visit(Roots())
