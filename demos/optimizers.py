"""Six optimizers race down the Rosenbrock valley from the same start."""

from __future__ import annotations

import itertools
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

SPEC = DemoSpec(
    id="optimizers",
    title="Optimizers on the Rosenbrock valley",
    teaches=(
        "Started on the valley wall, plain SGD at the largest stable learning rate zig-zags "
        "from wall to wall, then crawls along the curved, ill-conditioned floor; momentum "
        "builds speed along the floor and Adam rescales each coordinate (no zig-zag), so "
        "both end far closer to the minimum, while Adagrad's effective learning rate only shrinks."
    ),
    concepts=("SGD", "momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "ill-conditioning"),
    params=(
        Param("steps", 500, "optimizer steps for every method", min=50, max=5000),
        Param("lr_sgd", 0.0018, "learning rate of SGD, momentum and Nesterov (above 0.002 SGD diverges)", min=1e-5, max=0.002),
        Param("lr_adaptive", 0.05, "learning rate of Adagrad, RMSprop and Adam", min=1e-4, max=0.5),
        Param("momentum", 0.9, "momentum of the momentum and Nesterov runs", min=0.0, max=0.99),
        Param("start_x", -1.2, "x of the common starting point", min=-2.0, max=2.0),
        Param(
            "start_y",
            1.0,
            "y of the common starting point (1.0: on the valley wall; 1.44 is the floor)",
            min=-1.0,
            max=3.0,
        ),
    ),
    metrics=(
        *(
            (f"{opt}_{kind}", f"{what}: {label}", unit)
            for opt, label in (
                ("sgd", "SGD"), ("momentum", "momentum"), ("nesterov", "Nesterov"),
                ("adagrad", "Adagrad"), ("rmsprop", "RMSprop"), ("adam", "Adam"),
            )
            for kind, what, unit in (
                ("loss", "Rosenbrock value at the last step", "≥ 0"),
                ("dist_to_min", "distance from the minimum (1, 1) at the last step", "≥ 0"),
                ("tail_path", "path length over the last steps", "≥ 0"),
                ("diverged", "1 if the run diverged", "0 or 1"),
                ("zigzag", "share of steps that reverse direction across the valley", "0..1"),
            )
        ),
        *(
            (f"{opt}_eff_lr_{when}", f"{label} effective step size at the {when} step", "lr")
            for opt, label in (("adagrad", "Adagrad"), ("rmsprop", "RMSprop"), ("adam", "Adam"))
            for when in ("first", "last")
        ),
        ("adagrad_eff_lr_ratio", "Adagrad's last effective step size over its first", "ratio"),
        ("adagrad_eff_lr_monotone", "1 if Adagrad's effective step size never grew", "0 or 1"),
    ),
)

METHODS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
ADAPTIVE = ("adagrad", "rmsprop", "adam")
VIEW = (-2.0, 2.0, -1.0, 3.0)
"""x_min, x_max, y_min, y_max of the drawn window."""
LEVELS = (0.5, 2.0, 8.0, 32.0, 128.0)
TAIL = 100
"""Window (steps) over which recent progress is measured."""


def rosenbrock(x: Any, y: Any) -> Any:
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2; minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


ZIGZAG_STEPS = 50
"""The first steps, over which direction reversals are counted."""


def zigzag(path: tuple[list[float], list[float]], steps: int) -> float:
    """Share of consecutive steps in the first `steps` that turn back (negative cosine)."""
    px, py = path[0][: steps + 1], path[1][: steps + 1]
    moves = [(px[i + 1] - px[i], py[i + 1] - py[i]) for i in range(len(px) - 1)]
    pairs = list(itertools.pairwise(moves))
    if not pairs:
        return 0.0
    return sum(1 for (a, b), (c, d) in pairs if a * c + b * d < 0) / len(pairs)


def contour_points(
    levels: tuple[float, ...] = LEVELS, n: int = 90
) -> tuple[list[float], list[float]]:
    """Points on the level sets f = L, solved for y along x (exact for Rosenbrock)."""
    x_min, x_max, y_min, y_max = VIEW
    xs: list[float] = []
    ys: list[float] = []
    for level in levels:
        for i in range(n + 1):
            x = x_min + (x_max - x_min) * i / n
            rest = level - (1 - x) ** 2
            if rest < 0:
                continue
            for sign in (-1.0, 1.0):
                y = x * x + sign * math.sqrt(rest / 100)
                if y_min <= y <= y_max:
                    xs.append(x)
                    ys.append(y)
    return xs, ys


def _make_optimizer(torch: Any, name: str, p: Any, params: dict[str, Any]) -> Any:
    """The optimizer called `name` over the single tensor `p`."""
    lr_sgd, lr_ad, mom = (
        float(params["lr_sgd"]),
        float(params["lr_adaptive"]),
        float(params["momentum"]),
    )
    if name == "sgd":
        return torch.optim.SGD([p], lr=lr_sgd)
    if name == "momentum":
        return torch.optim.SGD([p], lr=lr_sgd, momentum=mom)
    if name == "nesterov":
        return torch.optim.SGD([p], lr=lr_sgd, momentum=mom, nesterov=mom > 0)
    if name == "adagrad":
        return torch.optim.Adagrad([p], lr=lr_ad)
    if name == "rmsprop":
        return torch.optim.RMSprop([p], lr=lr_ad)
    return torch.optim.Adam([p], lr=lr_ad)


def _eff_lr(name: str, opt: Any, p: Any) -> float:
    """An adaptive method's per-coordinate step scale lr / sqrt(its square-gradient statistic).

    The statistic is averaged over the two coordinates first, so a coordinate with a zero
    gradient does not read as an infinite rate. Adagrad divides by the running sum (which
    only grows), RMSprop and Adam by a decaying average (which can shrink again).
    """
    group, state = opt.param_groups[0], opt.state[p]
    if name == "adagrad":
        stat = state["sum"]
    elif name == "rmsprop":
        stat = state["square_avg"]
    else:
        stat = state["exp_avg_sq"] / (1 - group["betas"][1] ** float(state["step"]))
    return group["lr"] / (float(stat.mean()) ** 0.5 + group["eps"])


def _frames(
    paths: dict[str, tuple[list[float], list[float]]],
    losses: dict[str, list[float]],
    step_lens: dict[str, list[float]],
    contour: tuple[list[float], list[float]],
    start: tuple[float, float],
) -> Iterator[Event]:
    """The trajectory picture and the two curve panels, thinned for drawing."""
    n = len(next(iter(losses.values())))
    stride = max(1, n // 200)
    xs = [float(i + 1) for i in range(0, n, stride)]
    thinned: dict[str, tuple[list[float], list[float]]] = {}
    for name, (px, py) in paths.items():
        s = max(1, len(px) // 150)
        thinned[name] = (px[::s] + px[-1:], py[::s] + py[-1:])
    yield Paths(
        key="paths",
        title="Paths from the same start over the contours of f",
        paths=thinned,
        points={"start": ([start[0]], [start[1]]), "minimum (1, 1)": ([1.0], [1.0])},
        contours={"f = 0.5, 2, 8, 32, 128": contour},
    )
    yield Curves(
        key="loss",
        title="Loss f(x, y) per step",
        series={k: (xs, [max(v, 1e-12) for v in ls[::stride]]) for k, ls in losses.items()},
        y_label="f(x, y)",
        log_y=True,
    )
    yield Curves(
        key="step",
        title="Step length |Δθ| per step: Adagrad's keeps shrinking",
        series={k: (xs, [max(v, 1e-12) for v in sl[::stride]]) for k, sl in step_lens.items()},
        y_label="|Δθ|",
        log_y=True,
    )


def run(ctx: DemoContext) -> Iterator[Event]:
    """Run all six optimizers in lockstep, drawing paths and losses as they go."""
    import torch

    params = ctx.params
    steps = int(params["steps"])
    start = (float(params["start_x"]), float(params["start_y"]))
    contour = contour_points()
    yield Progress(0, steps, message="starting six optimizers at the same point")

    ps = [torch.tensor(start, dtype=torch.float32, requires_grad=True) for _ in METHODS]
    opts = [_make_optimizer(torch, m, p, params) for m, p in zip(METHODS, ps, strict=True)]
    paths = {m: ([start[0]], [start[1]]) for m in METHODS}
    losses: dict[str, list[float]] = {m: [] for m in METHODS}
    step_lens: dict[str, list[float]] = {m: [] for m in METHODS}
    eff_lrs: dict[str, list[float]] = {m: [] for m in ADAPTIVE}
    eff_steps: list[float] = []
    diverged: set[str] = set()
    refresh = max(10, steps // 10)

    for step in range(1, steps + 1):
        if ctx.should_stop():
            return
        # One graph for all six: their losses are independent, so one backward gives each
        # tensor exactly its own gradient (and costs a sixth of six backwards).
        before = torch.stack([p.detach() for p in ps])
        stacked = torch.stack(ps)
        loss = rosenbrock(stacked[:, 0], stacked[:, 1])
        for opt in opts:
            opt.zero_grad()
        loss.sum().backward()
        for m, opt in zip(METHODS, opts, strict=True):
            if m not in diverged:
                opt.step()
        with torch.no_grad():
            after = torch.stack([p.detach() for p in ps])
            ok = torch.isfinite(after).all(1) & (after.abs().sum(1) < 1e3)
            for i in (~ok).nonzero().flatten().tolist():
                diverged.add(METHODS[i])
                ps[i].copy_(before[i])
                after[i] = before[i]
            lens = (after - before).norm(dim=1).tolist()
        for m, lv, ln, (x, y) in zip(METHODS, loss.tolist(), lens, after.tolist(), strict=True):
            losses[m].append(lv if math.isfinite(lv) else 1e12)
            step_lens[m].append(ln)
            if m not in diverged:
                paths[m][0].append(x)
                paths[m][1].append(y)
        if step == 1 or step % 5 == 0 or step == steps:
            eff_steps.append(float(step))
            for m in ADAPTIVE:
                i = METHODS.index(m)
                eff_lrs[m].append(_eff_lr(m, opts[i], ps[i]))
        if step % 10 == 0 or step == steps:
            yield Progress(
                step, steps, {f"{m}_loss": losses[m][-1] for m in ("sgd", "momentum", "adam")}
            )
        if step == 1 or step % refresh == 0 or step == steps:
            yield from _frames(paths, losses, step_lens, contour, start)
            yield Curves(
                key="eff_lr",
                title="Effective learning rate lr/sqrt(g² statistic): Adagrad's only falls",
                series={m: (eff_steps, list(v)) for m, v in eff_lrs.items()},
                y_label="step scale",
                log_y=True,
            )

    final = {m: float(rosenbrock(*p.detach().tolist())) for m, p in zip(METHODS, ps, strict=True)}
    tail = min(TAIL, steps)
    metrics: dict[str, float] = {f"{m}_loss": final[m] for m in METHODS}
    for m in METHODS:
        metrics[f"{m}_dist_to_min"] = math.dist((paths[m][0][-1], paths[m][1][-1]), (1.0, 1.0))
        metrics[f"{m}_tail_path"] = sum(step_lens[m][-tail:])
        metrics[f"{m}_diverged"] = float(m in diverged)
    for m in ADAPTIVE:
        metrics[f"{m}_eff_lr_first"] = eff_lrs[m][0]
        metrics[f"{m}_eff_lr_last"] = eff_lrs[m][-1]
    for m in METHODS:
        metrics[f"{m}_zigzag"] = zigzag(paths[m], ZIGZAG_STEPS)
    metrics["adagrad_eff_lr_ratio"] = eff_lrs["adagrad"][-1] / eff_lrs["adagrad"][0]
    metrics["adagrad_eff_lr_monotone"] = float(
        all(b <= a * (1 + 1e-6) for a, b in itertools.pairwise(eff_lrs["adagrad"]))
    )

    yield Table(
        key="summary",
        title=f"After {steps} steps from {start}",
        columns=["optimizer", "final f", "distance to (1,1)", f"path in last {tail} steps", "note"],
        rows=[
            [
                m,
                f"{final[m]:.3g}",
                f"{metrics[f'{m}_dist_to_min']:.3f}",
                f"{metrics[f'{m}_tail_path']:.3g}",
                "diverged" if m in diverged else "",
            ]
            for m in METHODS
        ],
    )
    reached = (
        final["adam"] < final["sgd"]
        and final["momentum"] < final["sgd"]
        and metrics["sgd_zigzag"] > 0.25 > metrics["adam_zigzag"]
        and metrics["adagrad_eff_lr_monotone"] == 1.0
    )
    best = min(METHODS, key=lambda m: final[m])
    yield Result(
        metrics=metrics,
        reached=reached,
        summary=(
            f"SGD turned back on {metrics['sgd_zigzag']:.0%} of its first {ZIGZAG_STEPS} steps "
            f"(Adam {metrics['adam_zigzag']:.0%}). SGD ends at f={final['sgd']:.3g}, momentum at {final['momentum']:.3g}, Adam at "
            f"{final['adam']:.3g} (best: {best}). Adagrad's effective learning rate only fell "
            f"({1 / metrics['adagrad_eff_lr_ratio']:.2g}x) and it ends at f={final['adagrad']:.3g}, "
            f"while Adam's ended at {metrics['adam_eff_lr_last'] / metrics['adam_eff_lr_first']:.2g}x "
            "its first value."
        ),
    )
