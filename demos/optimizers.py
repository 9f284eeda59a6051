"""Six optimizers race down the Rosenbrock valley from the same start."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from studydl.domain.demos import (
    Curves,
    DemoContext,
    DemoSpec,
    Event,
    Param,
    Paths,
    Progress,
    Result,
    Table,
)

from ._rosenbrock import Sweep, contour_points, zigzag

SPEC = DemoSpec(
    id="optimizers",
    title="Optimizers on the Rosenbrock valley, each at its own best learning rate",
    teaches=(
        "Each optimizer tries the same ten learning rates from one start on the valley wall "
        "and keeps the rate that ends lowest. Plain SGD's best is the largest rate the steep "
        "walls allow (three times more diverges), and at it SGD crawls along the curved, "
        "gently sloping floor: after 500 steps it has not reached the minimum. Momentum "
        "builds speed along the floor, Nesterov (momentum with a look-ahead gradient) does "
        "the same, and Adam adds momentum to a step size per coordinate: all three reach the "
        "minimum. Without momentum, RMSprop and Adagrad usually end short of it; Adagrad "
        "divides by the sum of every squared gradient so far, so the steep wall sets its step "
        "size for good, while RMSprop and Adam forget the wall and their step size grows back."
    ),
    concepts=("SGD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "ill-conditioning", "learning rate"),
    params=(
        Param("steps", 500, "optimizer steps for every method and rate", min=50, max=5000),
        Param("momentum", 0.9, "momentum of the momentum and Nesterov runs", min=0.0, max=0.99),
        Param("start_x", -1.2, "x of the common starting point", min=-2.0, max=2.0),
        Param(
            "start_y",
            1.0,
            "y of the common starting point (1.0: on the valley wall; 1.44 is the floor)",
            min=-1.0,
            max=3.0,
        ),
        Param(
            "jitter",
            0.25,
            "the seed moves the start by up to this much in x and y (0: exactly the start given)",
            min=0.0,
            max=0.5,
        ),
    ),
    metrics=(
        *(
            (f"{opt}_{kind}", f"{what}: {label} at its best learning rate", unit)
            for opt, label in (
                ("sgd", "SGD"), ("momentum", "momentum"), ("nesterov", "Nesterov"),
                ("adagrad", "Adagrad"), ("rmsprop", "RMSprop"), ("adam", "Adam"),
            )
            for kind, what, unit in (
                ("lr", "the learning rate (of the ten tried) that ends lowest", "lr"),
                ("loss", "Rosenbrock value at the last step", "≥ 0"),
                ("dist_to_min", "distance from the minimum (1, 1) at the last step", "≥ 0"),
                ("tail_path", "path length over the last steps", "≥ 0"),
                ("zigzag", "share of its first steps that reverse direction across the valley", "0..1"),
            )
        ),
        *(
            (f"{opt}_eff_lr_{when}", f"{label}'s effective step size at its {when} step (best rate)", "lr")
            for opt, label in (("adagrad", "Adagrad"), ("rmsprop", "RMSprop"), ("adam", "Adam"))
            for when in ("first", "last")
        ),
        *(
            (f"{opt}_eff_lr_regain", f"{label}'s last effective step size over its smallest", "ratio")
            for opt, label in (("adagrad", "Adagrad"), ("rmsprop", "RMSprop"), ("adam", "Adam"))
        ),
        ("sgd_largest_stable_lr", "the largest of the ten rates at which SGD did not diverge", "lr"),
        ("start_x_used", "x of the start after the seed's jitter", "x"),
        ("start_y_used", "y of the start after the seed's jitter", "y"),
    ),
)

METHODS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
ADAPTIVE = ("adagrad", "rmsprop", "adam")
WITH_MOMENTUM = ("momentum", "nesterov", "adam")
TAIL = 100
"""Window (steps) over which recent progress is measured."""
ZIGZAG_STEPS = 50
"""The first steps, over which direction reversals are counted."""
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""Every optimizer tries every one of these rates; each keeps the one that ends lowest."""
REACHED = 1e-2
"""f below this at the end: the optimizer got to the minimum (f(1, 1) = 0)."""
REGAIN = 1.5
"""A step scale that ends at least this many times its smallest has grown back."""


def _start(params: dict[str, Any], seed: int) -> tuple[float, float]:
    """The given start, moved by up to `jitter` in x and y by the seed."""
    import torch

    jitter = float(params["jitter"])
    shift = (2 * torch.rand(2, generator=torch.Generator().manual_seed(seed)) - 1) * jitter
    return (float(params["start_x"]) + float(shift[0]), float(params["start_y"]) + float(shift[1]))


def _thinned(values: list[float], most: int) -> tuple[list[float], list[float]]:
    """(steps, values) with at most about `most` points, the last kept; x = 1, 2, ..."""
    stride = max(1, len(values) // most)
    picked = list(range(0, len(values), stride))
    if picked[-1] != len(values) - 1:
        picked.append(len(values) - 1)
    return [float(i + 1) for i in picked], [max(values[i], 1e-12) for i in picked]


def _frames(sweep: Sweep, chosen: list[int], contour: tuple[list[float], list[float]]) -> Iterator[Event]:
    """Paths, losses and step lengths of each method at its best rate so far, and the sweep."""
    losses = sweep.losses()
    paths = {}
    for k, m in enumerate(METHODS):
        px, py = sweep.path(k, chosen[k])
        every = max(1, len(px) // 150)
        paths[m] = (px[::every] + px[-1:], py[::every] + py[-1:])
    start = (paths[METHODS[0]][0][0], paths[METHODS[0]][1][0])
    yield Paths(
        key="paths",
        title="Paths from the same start over the contours of f, each at its best rate",
        paths=paths,
        points={"start": ([start[0]], [start[1]]), "minimum (1, 1)": ([1.0], [1.0])},
        contours={"f = 0.5, 2, 8, 32, 128": contour},
    )
    yield Curves(
        key="loss",
        title="Loss f(x, y) per step, each at its best rate",
        series={m: _thinned(losses[1:, k, chosen[k]].tolist(), 200) for k, m in enumerate(METHODS)},
        y_label="f(x, y)",
        log_y=True,
    )
    yield Curves(
        key="step",
        title="Step length |Δθ| per step, each at its best rate",
        series={m: _thinned(sweep.step_lengths(k, chosen[k]), 200) for k, m in enumerate(METHODS)},
        y_label="|Δθ|",
        log_y=True,
    )
    finals = losses[-1]
    yield Curves(
        key="sweep",
        title="f now by learning rate (a line ends where the method diverged)",
        series={
            m: (
                [lr for i, lr in enumerate(LRS) if sweep.alive[k, i]],
                [max(float(finals[k, i]), 1e-12) for i in range(len(LRS)) if sweep.alive[k, i]],
            )
            for k, m in enumerate(METHODS)
        },
        x_label="learning rate",
        y_label="f",
        log_x=True,
        log_y=True,
    )
    yield Curves(
        key="eff_lr",
        title="Step scale lr/sqrt(g² statistic) at the best rate: only Adagrad's never grows back",
        series={
            m: ([float(s) for s in sweep.eff_steps], sweep.step_scales(m, chosen[METHODS.index(m)]))
            for m in ADAPTIVE
        },
        y_label="step scale",
        log_y=True,
    )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Run every optimizer at every rate in lockstep; draw each method at its best rate so far."""
    import torch

    params = ctx.params
    steps, momentum = int(params["steps"]), float(params["momentum"])
    start = _start(params, ctx.seed)
    contour = contour_points()
    yield Progress(
        0, steps, message=f"six optimizers x {len(LRS)} learning rates from ({start[0]:.2f}, {start[1]:.2f})"
    )
    sweep = Sweep(torch, METHODS, LRS, start, momentum)
    refresh = max(10, steps // 10)
    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        sweep.step()
        if step == 1 or step % 5 == 0 or step == steps:
            sweep.record_step_scale(step)
        if step % 10 == 0 or step == steps:
            chosen, now = sweep.best(), sweep.losses()[-1]
            yield Progress(step, steps, {f"{m}_loss": float(now[k, chosen[k]]) for k, m in enumerate(METHODS)})
        if step == 1 or step % refresh == 0 or step == steps:
            yield from _frames(sweep, sweep.best(), contour)
    yield from _results(sweep, start, steps)


def _results(sweep: Sweep, start: tuple[float, float], steps: int) -> Iterator[Event]:
    """The summary table and the Result, every figure at each method's chosen rate."""
    tail = min(TAIL, steps)
    chosen = sweep.best()
    losses = sweep.losses()
    final = {m: float(losses[-1, k, chosen[k]]) for k, m in enumerate(METHODS)}
    metrics: dict[str, float] = {}
    for k, m in enumerate(METHODS):
        path = sweep.path(k, chosen[k])
        metrics[f"{m}_lr"] = LRS[chosen[k]]
        metrics[f"{m}_loss"] = final[m]
        metrics[f"{m}_dist_to_min"] = math.dist((path[0][-1], path[1][-1]), (1.0, 1.0))
        metrics[f"{m}_tail_path"] = sum(sweep.step_lengths(k, chosen[k])[-tail:])
        metrics[f"{m}_zigzag"] = zigzag(path, ZIGZAG_STEPS)
    for m in ADAPTIVE:
        scales = sweep.step_scales(m, chosen[METHODS.index(m)])
        metrics[f"{m}_eff_lr_first"] = scales[0]
        metrics[f"{m}_eff_lr_last"] = scales[-1]
        metrics[f"{m}_eff_lr_regain"] = scales[-1] / min(scales)
    metrics["sgd_largest_stable_lr"] = max(lr for i, lr in enumerate(LRS) if sweep.alive[0, i])
    metrics["start_x_used"], metrics["start_y_used"] = start
    yield Table(
        key="summary",
        title=f"After {steps} steps from ({start[0]:.2f}, {start[1]:.2f}), each at its best rate",
        columns=["optimizer", "best lr", "final f", "distance to (1,1)", f"path in last {tail} steps"],
        rows=[
            [
                m,
                f"{LRS[chosen[k]]:g}",
                f"{final[m]:.3g}",
                f"{metrics[f'{m}_dist_to_min']:.3f}",
                f"{metrics[f'{m}_tail_path']:.3g}",
            ]
            for k, m in enumerate(METHODS)
        ],
    )
    reached = (
        all(final[m] < REACHED for m in WITH_MOMENTUM)
        and final["sgd"] > REACHED
        and metrics["sgd_lr"] == metrics["sgd_largest_stable_lr"]
        and metrics["adagrad_eff_lr_regain"] < REGAIN
        and min(metrics["rmsprop_eff_lr_regain"], metrics["adam_eff_lr_regain"]) > REGAIN
    )
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"Each at its best of {len(LRS)} rates, after {steps} steps: SGD (best rate "
            f"{metrics['sgd_lr']:g}, largest that did not diverge {metrics['sgd_largest_stable_lr']:g}) "
            f"ends at f={final['sgd']:.2g}; momentum at {final['momentum']:.2g}, Nesterov at "
            f"{final['nesterov']:.2g}, Adam at {final['adam']:.2g}; without momentum RMSprop at "
            f"{final['rmsprop']:.2g} and Adagrad at {final['adagrad']:.2g}. From its smallest, "
            f"Adagrad's step scale grew back x{metrics['adagrad_eff_lr_regain']:.2g}, RMSprop's "
            f"x{metrics['rmsprop_eff_lr_regain']:.2g}, Adam's x{metrics['adam_eff_lr_regain']:.2g}."
        ),
    )
