"""The Rosenbrock valley and a learning-rate sweep of torch optimizers over it (no torch at import).

`Sweep` runs every optimizer at every learning rate in lockstep from one start. Each
optimizer gets one (rates, 2) tensor and runs at lr = 1; each row's step is then scaled by
its own rate. That is the same run as one optimizer per rate, because none of these six
(without weight decay) lets the rate change the direction of a step: SGD, momentum and
Nesterov are linear in it, and Adagrad, RMSprop and Adam multiply a rate-free direction by
it. Six optimizer calls per step instead of sixty.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

VIEW = (-2.0, 2.0, -1.0, 3.0)
"""x_min, x_max, y_min, y_max of the drawn window."""
LEVELS = (0.5, 2.0, 8.0, 32.0, 128.0)
ESCAPED = 1e3
"""A run whose |x| + |y| passes this (or turns inf/NaN) has diverged and is stopped."""


def rosenbrock(x: Any, y: Any) -> Any:
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2; minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def zigzag(path: tuple[list[float], list[float]], steps: int) -> float:
    """Share of consecutive steps in the first `steps` that turn back (negative cosine)."""
    px, py = path[0][: steps + 1], path[1][: steps + 1]
    moves = [(px[i + 1] - px[i], py[i + 1] - py[i]) for i in range(len(px) - 1)]
    pairs = list(itertools.pairwise(moves))
    if not pairs:
        return 0.0
    return sum(1 for (a, b), (c, d) in pairs if a * c + b * d < 0) / len(pairs)


def contour_points(levels: tuple[float, ...] = LEVELS, n: int = 90) -> tuple[list[float], list[float]]:
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


def make_optimizer(torch: Any, name: str, p: Any, lr: float, momentum: float) -> Any:
    """The optimizer called `name` over the tensor `p`."""
    if name == "sgd":
        return torch.optim.SGD([p], lr=lr)
    if name == "momentum":
        return torch.optim.SGD([p], lr=lr, momentum=momentum)
    if name == "nesterov":
        return torch.optim.SGD([p], lr=lr, momentum=momentum, nesterov=momentum > 0)
    if name == "adagrad":
        return torch.optim.Adagrad([p], lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop([p], lr=lr)
    return torch.optim.Adam([p], lr=lr)


class Sweep:
    """Every method at every rate from one start; positions and losses kept for every step."""

    def __init__(
        self,
        torch: Any,
        methods: tuple[str, ...],
        rates: tuple[float, ...],
        start: tuple[float, float],
        momentum: float,
    ) -> None:
        self.torch, self.methods, self.rates = torch, methods, rates
        self.scale = torch.tensor(rates, dtype=torch.float32).unsqueeze(1)
        begin = torch.tensor(start, dtype=torch.float32).expand(len(methods), len(rates), 2)
        self.points = [begin[k].clone().requires_grad_() for k in range(len(methods))]
        self.opts = [make_optimizer(torch, m, p, 1.0, momentum) for m, p in zip(methods, self.points, strict=True)]
        self.alive = torch.ones(len(methods), len(rates), dtype=torch.bool)
        self.trace = [begin.clone()]
        """Positions (methods, rates, 2) before the first step and after each step."""
        self.eff: dict[str, list[Any]] = {m: [] for m in methods if m in ("adagrad", "rmsprop", "adam")}
        self.eff_steps: list[int] = []

    def step(self) -> None:
        """One step of every live run; a run that escapes stays where it was, no longer alive."""
        torch = self.torch
        before = torch.stack([p.detach() for p in self.points])
        stacked = torch.stack(self.points)
        for opt in self.opts:
            opt.zero_grad()
        rosenbrock(stacked[..., 0], stacked[..., 1]).sum().backward()  # each row its own gradient
        for opt in self.opts:
            opt.step()
        with torch.no_grad():
            moved = before + self.scale * (torch.stack([p.detach() for p in self.points]) - before)
            ok = torch.isfinite(moved).all(-1) & (moved.abs().sum(-1) < ESCAPED)
            self.alive &= ok
            after = torch.where(self.alive.unsqueeze(-1), moved, before)
            for k, p in enumerate(self.points):
                p.copy_(after[k])
        self.trace.append(after)

    def record_step_scale(self, step: int) -> None:
        """Each adaptive run's step scale now: rate / sqrt(its square-gradient statistic).

        The statistic is averaged over the two coordinates first, so a coordinate with a zero
        gradient does not read as an infinite rate. Adagrad divides by the running sum (which
        only grows), RMSprop and Adam by a decaying average (which can shrink again).
        """
        self.eff_steps.append(step)
        for k, m in enumerate(self.methods):
            if m not in self.eff:
                continue
            opt = self.opts[k]
            group, state = opt.param_groups[0], opt.state[self.points[k]]
            if m == "adagrad":
                stat = state["sum"]
            elif m == "rmsprop":
                stat = state["square_avg"]
            else:
                stat = state["exp_avg_sq"] / (1 - group["betas"][1] ** float(state["step"]))
            self.eff[m].append(self.scale.squeeze(1) / (stat.mean(-1).sqrt() + group["eps"]))

    def losses(self) -> Any:
        """f at every recorded position: (steps + 1, methods, rates)."""
        trace = self.torch.stack(self.trace)
        return rosenbrock(trace[..., 0], trace[..., 1])

    def best(self) -> list[int]:
        """Per method, the index of the live rate whose f is lowest now (ties: the smaller rate)."""
        now = self.losses()[-1].masked_fill(~self.alive, math.inf)
        return [int(i) for i in now.argmin(1)]

    def path(self, method: int, rate: int) -> tuple[list[float], list[float]]:
        trace = self.torch.stack(self.trace)[:, method, rate]
        return trace[:, 0].tolist(), trace[:, 1].tolist()

    def step_lengths(self, method: int, rate: int) -> list[float]:
        trace = self.torch.stack(self.trace)[:, method, rate]
        return (trace[1:] - trace[:-1]).norm(dim=1).tolist()

    def step_scales(self, method: str, rate: int) -> list[float]:
        return [float(v[rate]) for v in self.eff[method]]
