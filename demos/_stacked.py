"""Train several copies of one small network at once, each with its own learning rate.

A learning-rate sweep is only fair if every rate gets the same start, the same batches and
the same number of steps; running the copies as one batched network (the model index is the
first dimension of every parameter) makes the sweep cost about one run. No torch at import.
"""

from __future__ import annotations

import math
from typing import Any


def linear(
    torch: Any, copies: int, fan_in: int, fan_out: int, gen: Any, init: str
) -> tuple[Any, Any]:
    """Weight (copies, fan_in, fan_out) and bias (copies, 1, fan_out), the same in every copy.

    `init` is "he" (normal, variance 2/fan_in, zero bias: right for ReLU) or "default"
    (uniform ±1/√fan_in for weight and bias, what torch.nn.Linear does).
    """
    if init == "he":
        weight = torch.randn(fan_in, fan_out, generator=gen) * math.sqrt(2.0 / fan_in)
        bias = torch.zeros(fan_out)
    else:
        bound = 1.0 / math.sqrt(fan_in)
        weight = (torch.rand(fan_in, fan_out, generator=gen) * 2 - 1) * bound
        bias = (torch.rand(fan_out, generator=gen) * 2 - 1) * bound
    nn = torch.nn
    return (
        nn.Parameter(weight.expand(copies, fan_in, fan_out).clone()),
        nn.Parameter(bias.expand(copies, 1, fan_out).clone()),
    )


def apply(torch: Any, x: Any, weight: Any, bias: Any) -> Any:
    """x (copies, batch, fan_in) -> (copies, batch, fan_out); x may be (batch, fan_in), shared."""
    if x.dim() == 2:
        x = x.expand(weight.shape[0], *x.shape)
    return torch.baddbmm(bias, x, weight)


def step_each(torch: Any, optimizer: Any, params: list[Any], rates: Any) -> None:
    """`optimizer.step()` with the group's lr at 1, then each copy's update scaled by its rate.

    Exact for SGD (with or without momentum) and Adam without weight decay: their update is
    proportional to the learning rate and their state (momentum, moment estimates) is not.
    """
    before = [p.detach().clone() for p in params]
    optimizer.step()
    with torch.no_grad():
        for p, old in zip(params, before, strict=True):
            scale = rates.view(-1, *([1] * (p.dim() - 1)))
            p.copy_(old + scale * (p - old))


def forward(torch: Any, layers: list[tuple[Any, Any]], x: Any, activation: Any) -> Any:
    """x through stacked (weight, bias) layers with `activation` between them (none after the last)."""
    h = x
    for i, (weight, bias) in enumerate(layers):
        h = apply(torch, h, weight, bias)
        if i < len(layers) - 1:
            h = activation(h)
    return h
