"""The demo runner: discovery, parameters, budgets and events for any front end.

Nothing here imports torch at module level, and nothing imports textual. Names are
resolved lazily (PEP 562) so `import studydl.demos.catalogue` (deck sync checks
demo ids on every start) does not also load the runner.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "get_spec": "catalogue",
    "known_ids": "catalogue",
    "list_specs": "catalogue",
    "load": "catalogue",
    "BadDemoModule": "errors",
    "BadParameter": "errors",
    "DemoError": "errors",
    "DemoFailed": "errors",
    "UnknownDemo": "errors",
    "parse_assignments": "params",
    "resolve_params": "params",
    "DemoRun": "runner",
    "RunOutcome": "runner",
    "run_demo": "runner",
    "run_to_end": "runner",
    "WarmUp": "torch_env",
    "warm_up": "torch_env",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'studydl.demos' has no attribute {name!r}")
    return getattr(import_module(f"studydl.demos.{module}"), name)
