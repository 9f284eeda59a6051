"""Small tanh MLPs trained side by side as stacked tensors (no torch at import).

Used by the regularization demo: each member is one 1-h-h-1 network with its own dropout
rate and its own L2 and L1 strength. One batched step trains them all; the members never
interact (gradient descent and the penalty steps act weight by weight), stacking only saves
the per-call overhead that dominates such tiny networks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


class Ensemble:
    """`len(drop)` 1-h-h-1 tanh MLPs stored as stacked tensors, one per member."""

    def __init__(
        self,
        torch: Any,
        hidden: int,
        drop: Sequence[float],
        gen: Any,
        steep: tuple[float, float] = (2.5, 2.0),
    ) -> None:
        """`steep`: the first layer's weights and biases start uniform in ±steep[0] and ±steep[1]
        (torch's default would be ±1 and 0): steep tanh units with their bends spread over
        [-1, 1], so plain gradient descent can bend the fit sharply enough to overfit within
        a few thousand steps."""
        self.torch = torch
        k = len(drop)
        self.weights = []
        self.biases = []
        for i, (fan_in, fan_out) in enumerate(((1, hidden), (hidden, hidden), (hidden, 1))):
            bound = steep[0] if i == 0 else 1 / math.sqrt(fan_in)
            w = (torch.rand(1, fan_in, fan_out, generator=gen) * 2 - 1) * bound
            b = (torch.rand(1, 1, fan_out, generator=gen) * 2 - 1) * steep[1] if i == 0 else torch.zeros(1, 1, fan_out)
            # Every member starts from the same weights: only its regularizer differs.
            self.weights.append(w.repeat(k, 1, 1).requires_grad_())
            self.biases.append(b.repeat(k, 1, 1).requires_grad_())
        self.p_drop = torch.tensor(list(drop)).view(k, 1, 1)
        self.gen = gen

    @property
    def members(self) -> int:
        return self.p_drop.shape[0]

    def parameters(self) -> list[Any]:
        """All trainable tensors."""
        return self.weights + self.biases

    def __call__(self, x: Any, train: bool = False) -> Any:
        """Outputs of every member, shape (members, n, 1); dropout only when training."""
        h = x.expand(self.members, -1, -1)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < last:
                h = h.tanh()
                if train:
                    keep = self.torch.rand(h.shape, generator=self.gen) >= self.p_drop
                    h = h * keep / (1 - self.p_drop)
        return h

    def penalty_steps(self, lr: float, l2: Any, l1: Any) -> None:
        """Each member's own penalty step on its weights (not biases), after the gradient step.

        L2 (λ·Σw²): w ← w·(1 − 2·lr·λ), every weight shrinks in proportion to its size and
        none reaches zero. L1 (λ·Σ|w|): w moves lr·λ toward zero whatever its size, and one
        that would cross zero stops there (the proximal step of the L1 norm).
        """
        l2 = l2.view(-1, 1, 1)
        l1 = l1.view(-1, 1, 1)
        with self.torch.no_grad():
            for w in self.weights:
                w.mul_(1 - 2 * lr * l2)
                w.copy_(w.sign() * (w.abs() - lr * l1).clamp(min=0))

    def flat_weights(self, member: int) -> Any:
        """Every weight of one member (biases left out), as one vector."""
        return self.torch.cat([w[member].detach().flatten() for w in self.weights])

    def snapshot(self, member: int) -> list[Any]:
        """A copy of one member's tensors."""
        return [t[member].detach().clone() for t in self.parameters()]

    def forward_one(self, tensors: list[Any], x: Any) -> Any:
        """Evaluate a snapshot taken with `snapshot`."""
        n = len(self.weights)
        h = x
        for i in range(n):
            h = h @ tensors[i] + tensors[n + i]
            if i < n - 1:
                h = h.tanh()
        return h
