"""Turn `key=value` overrides into a demo's typed, range-checked parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from studydl.demos.errors import BadParameter
from studydl.domain.demos import DemoSpec, Param, ParamValue

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """`["epochs=50", "lr=0.1"]` -> `{"epochs": "50", "lr": "0.1"}`."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadParameter(f"expected key=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _valid_params(spec: DemoSpec) -> str:
    if not spec.params:
        return f"demo {spec.id!r} takes no parameters"
    listing = "; ".join(p.describe() for p in spec.params)
    return f"valid parameters of {spec.id!r}: {listing}"


def _convert(param: Param, raw: ParamValue) -> ParamValue:
    """Parse a string (or check a typed value) as the param's kind; ValueError if it does not fit."""
    kind = param.kind
    if isinstance(raw, str) and kind is not str:
        text = raw.strip().lower()
        if kind is bool:
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(f"expected a boolean (true/false), got {raw!r}")
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"expected {kind.__name__}, got {raw!r}") from None
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if type(raw) is not kind:
        raise ValueError(f"expected {kind.__name__}, got {raw!r}")
    return raw


def _check_range(param: Param, value: ParamValue) -> None:
    if param.choices is not None and str(value) not in param.choices:
        raise ValueError(f"must be one of {', '.join(param.choices)}, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if param.min is not None and value < param.min:
        raise ValueError(f"must be >= {param.min:g}, got {value}")
    if param.max is not None and value > param.max:
        raise ValueError(f"must be <= {param.max:g}, got {value}")


def resolve_params(
    spec: DemoSpec, overrides: Mapping[str, ParamValue] | None = None
) -> dict[str, ParamValue]:
    """The spec's defaults with `overrides` parsed, type- and range-checked on top."""
    params = spec.defaults()
    for name, raw in (overrides or {}).items():
        param = spec.param(name)
        if param is None:
            raise BadParameter(f"unknown parameter {name!r}; {_valid_params(spec)}")
        try:
            value = _convert(param, raw)
            _check_range(param, value)
        except ValueError as exc:
            raise BadParameter(f"bad value for {name!r}: {exc}; {param.describe()}") from None
        params[name] = value
    return params
