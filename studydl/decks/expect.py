"""A predict card's `expect:` value: the answer the card teaches, as data a checker can compute.

For a card with choices it is one choice's label; for a number it is a formula of the
card's demo parameters (`2 / curvature`, `(size + 2*padding - 3) // stride + 1`,
`log(2)`). A deck never runs code: the formula is parsed into Python's syntax tree and
only numbers, parameter names, + - * / // % **, parentheses and a few functions are
accepted; anything else is a deck problem. Evaluating it is bounded (exponents and
lengths are capped), so a hostile deck cannot hang `check --evidence`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Collection, Mapping

MAX_LENGTH = 200
MAX_EXPONENT = 64.0

FUNCTIONS: dict[str, Callable[..., float]] = {
    "log": math.log, "log2": math.log2, "log10": math.log10, "exp": math.exp, "sqrt": math.sqrt,
    "abs": abs, "min": min, "max": max,
}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class ExpectError(ValueError):
    """A formula that is not plain arithmetic over the parameters, or cannot be computed."""


def _tree(text: str) -> ast.expr:
    if len(text) > MAX_LENGTH:
        raise ExpectError(f"expect: the formula is too long (over {MAX_LENGTH} characters)")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpectError(f"expect: {text!r} is not a formula (numbers, parameters, + - * / ** and log, sqrt, ...)") from None


def _names(node: ast.expr) -> list[str]:
    """The parameter names a formula uses; ExpectError at the first node that is not arithmetic."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpectError(f"expect: {node.value!r} is not allowed in a formula: numbers only")
        return []
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _names(node.left) + _names(node.right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _names(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        if node.func.id not in FUNCTIONS:
            raise ExpectError(f"expect: unknown function {node.func.id!r} (known: {', '.join(FUNCTIONS)})")
        return [name for arg in node.args for name in _names(arg)]
    raise ExpectError(f"expect: {ast.unparse(node)!r} is not allowed in a formula: only arithmetic on numbers and parameters")


def parse_expect(text: str, params: Collection[str] | None) -> None:
    """Check a formula: plain arithmetic, naming only `params` (any name when None). ExpectError otherwise."""
    for name in _names(_tree(text)):
        if params is not None and name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise ExpectError(f"expect: unknown parameter {name!r} (the demo's parameters: {known})")


def evaluate(text: str, params: Mapping[str, object]) -> float:
    """The formula's value with these parameter values; ExpectError if it cannot be computed."""
    try:
        value = float(_value(_tree(text), params))
    except ExpectError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        raise ExpectError(f"expect: {text!r} cannot be computed with {dict(params)}: {exc}") from None
    if not math.isfinite(value):
        raise ExpectError(f"expect: {text!r} is {value} with {dict(params)}")
    return value


def _value(node: ast.expr, params: Mapping[str, object]) -> float:
    if isinstance(node, ast.Constant):
        _names(node)
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in params:
            raise ExpectError(f"expect: unknown parameter {node.id!r}")
        value = params[node.id]
        if isinstance(value, str):
            raise ExpectError(f"expect: {node.id} = {value!r} is not a number")
        return float(value)  # type: ignore[arg-type]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left, params), _value(node.right, params)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ExpectError(f"expect: an exponent of {right:g} is out of range (at most {MAX_EXPONENT:g})")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand, params))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords:
        return float(FUNCTIONS[node.func.id](*(_value(arg, params) for arg in node.args)))
    _names(node)  # raises with the reason
    raise ExpectError(f"expect: {ast.unparse(node)!r} is not allowed")
