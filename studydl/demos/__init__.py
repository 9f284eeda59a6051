"""The demo runner: discovery, parameters, budgets and events for any front end.

Nothing here imports torch at module level, and nothing imports textual.
"""

from studydl.demos.catalogue import get_spec, known_ids, list_specs, load
from studydl.demos.errors import BadDemoModule, BadParameter, DemoError, DemoFailed, UnknownDemo
from studydl.demos.params import parse_assignments, resolve_params
from studydl.demos.runner import DemoRun, RunOutcome, run_demo, run_to_end
from studydl.demos.torch_env import WarmUp, warm_up

__all__ = [
    "BadDemoModule",
    "BadParameter",
    "DemoError",
    "DemoFailed",
    "DemoRun",
    "RunOutcome",
    "UnknownDemo",
    "WarmUp",
    "get_spec",
    "known_ids",
    "list_specs",
    "load",
    "parse_assignments",
    "resolve_params",
    "run_demo",
    "run_to_end",
    "warm_up",
]
