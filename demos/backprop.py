"""Demo 4: one backpropagation step of a 2-2-1 sigmoid network, weight by weight."""

from __future__ import annotations

from collections.abc import Iterator

from studydl.domain.demos import (
    DemoContext,
    DemoSpec,
    Event,
    GradNode,
    GradSteps,
    Param,
    Progress,
    Result,
    Table,
    Text,
)

SPEC = DemoSpec(
    id="backprop",
    title="Backpropagation by hand vs autograd",
    teaches=(
        "Backpropagation is the chain rule applied layer by layer: the hand-derived "
        "gradient of every weight equals the one autograd computes."
    ),
    concepts=("backpropagation", "chain rule", "autograd", "gradient descent step"),
    params=(
        Param("x1", 0.05, "first input", min=-10.0, max=10.0),
        Param("x2", 0.10, "second input", min=-10.0, max=10.0),
        Param("target", 0.01, "desired output", min=0.0, max=1.0),
        Param("lr", 0.5, "learning rate of the update", min=0.0, max=10.0),
    ),
    metrics=(
        ("max_abs_diff", "largest gap between a hand-derived gradient and autograd's", "≥ 0"),
        ("loss_before", "loss before the update", "≥ 0"),
        ("loss_after", "loss after one gradient step", "≥ 0"),
        ("weights", "weights updated", "count"),
    ),
)


def _forward(x, t, w1, b1, w2, b2):
    """The network's forward pass: (loss, hidden activations h, output)."""
    h = 1 / (1 + (-(w1 @ x + b1)).exp())  # sigmoid of the hidden pre-activations z1
    out = 1 / (1 + (-(w2 @ h + b2)).exp())  # sigmoid of the output pre-activation z2
    loss = ((out - t) ** 2).mean()  # MSE over the single output
    return loss, h, out


def _hand_gradients(x, t, h, out, w2):
    """dL/d(w1, b1, w2, b2) by the chain rule written out with plain tensor ops (no autograd)."""
    d_out = 2 * (out - t)  # dL/dout
    d_z2 = d_out * out * (1 - out)  # dL/dz2 = dL/dout * sigmoid'(z2)
    g_w2 = d_z2[:, None] * h[None, :]  # dL/dw2[0, j] = dL/dz2 * h_j
    g_b2 = d_z2
    d_h = w2[0] * d_z2  # dL/dh_j = dL/dz2 * w2[0, j]
    d_z1 = d_h * h * (1 - h)  # dL/dz1_j = dL/dh_j * sigmoid'(z1_j)
    g_w1 = d_z1[:, None] * x[None, :]  # dL/dw1[j, i] = dL/dz1_j * x_i
    g_b1 = d_z1
    return g_w1, g_b1, g_w2, g_b2


def run(ctx: DemoContext) -> Iterator[Event]:
    """Compute one step's gradients by hand and by autograd, compare them, apply the update."""
    import torch

    p = ctx.params
    dtype = torch.float64
    x = torch.tensor([float(p["x1"]), float(p["x2"])], dtype=dtype)
    t = torch.tensor([float(p["target"])], dtype=dtype)
    lr = float(p["lr"])
    weights = [
        torch.empty(2, 2, dtype=dtype).uniform_(-1, 1),
        torch.empty(2, dtype=dtype).uniform_(-1, 1),
        torch.empty(1, 2, dtype=dtype).uniform_(-1, 1),
        torch.empty(1, dtype=dtype).uniform_(-1, 1),
    ]
    yield Progress(1, 3, {}, "forward pass and hand-derived backward pass")
    loss, h, out = _forward(x, t, *weights)
    hand = _hand_gradients(x, t, h, out, weights[2])

    leaves = [w.clone().requires_grad_(True) for w in weights]
    auto_loss, _, _ = _forward(x, t, *leaves)
    auto_loss.backward()
    auto = [leaf.grad for leaf in leaves]
    yield Progress(2, 3, {"loss": float(loss)}, "autograd backward pass")

    names = [
        lambda j, i: f"w1[{j},{i}] x{i + 1}→h{j + 1}",
        lambda j: f"b1[{j}]   →h{j + 1}",
        lambda _, j: f"w2[{j}]  h{j + 1}→out",
        lambda _: "b2      →out",
    ]
    rows: list[list[object]] = []
    worst = 0.0
    updated = [w - lr * g for w, g in zip(weights, hand, strict=True)]
    for name, w, gh, ga, new in zip(names, weights, hand, auto, updated, strict=True):
        for index in torch.cartesian_prod(*(torch.arange(n) for n in w.shape)).reshape(-1, w.dim()):
            at = tuple(int(i) for i in index)
            diff = abs(float(gh[at] - ga[at]))
            worst = max(worst, diff)
            rows.append(
                [
                    name(*at),
                    f"{float(w[at]):+.4f}",
                    f"{float(gh[at]):+.3e}",
                    f"{float(ga[at]):+.3e}",
                    f"{diff:.1e}",
                    f"{float(new[at]):+.4f}",
                ]
            )
    yield Table(
        key="weights",
        title=f"One step, lr={lr:g}: w_new = w - lr * dL/dw",
        columns=["weight", "w", "hand dL/dw", "autograd dL/dw", "|diff|", "w_new"],
        rows=rows,
    )
    yield _backward_steps(x, t, weights)
    new_loss, _, new_out = _forward(x, t, *updated)
    yield Text(
        key="chain-rule",
        title="The chain rule for the last weight w2[0]",
        body=(
            "dL/dw2[0] = dL/dout * dout/dz2 * dz2/dw2[0]\n"
            f"          = 2(out - t) * out(1 - out) * h1\n"
            f"          = {float(2 * (out - t)[0]):+.6f} * {float((out * (1 - out))[0]):.6f}"
            f" * {float(h[0]):.6f}\n"
            f"          = {float(hand[2][0, 0]):+.8f}\n"
            f"loss {float(loss):.6f} -> {float(new_loss):.6f} after the step "
            f"(output {float(out[0]):.4f} -> {float(new_out[0]):.4f}, target {float(t[0]):g})"
        ),
    )
    metrics = {
        "max_abs_diff": worst,
        "loss_before": float(loss),
        "loss_after": float(new_loss),
        "weights": float(len(rows)),
    }
    yield Progress(3, 3, metrics, "update applied")
    yield Result(
        metrics,
        reached=worst < 1e-6,
        summary=f"All {len(rows)} hand gradients match autograd to {worst:.1e}; "
        f"loss {float(loss):.5f} -> {float(new_loss):.5f}.",
    )


def _backward_steps(x, t, weights) -> GradSteps:
    """The backward pass node by node: each node's value, autograd's gradient of the loss for
    it (intermediates kept with retain_grad) and the local derivative linking it to its parent."""
    w1, b1, w2, b2 = (w.clone().requires_grad_(True) for w in weights)
    z_h = w1 @ x + b1
    h = 1 / (1 + (-z_h).exp())
    z_out = w2 @ h + b2
    out = 1 / (1 + (-z_out).exp())
    loss = ((out - t) ** 2).mean()
    for inner in (z_h, h, z_out, out):
        inner.retain_grad()
    loss.backward()
    o, ho = float(out.detach()[0]), [float(v) for v in h.detach()]

    def num(value):
        return float(value.detach()) if hasattr(value, "detach") else float(value)

    def node(name, value, grad, parent=None, local=1.0, formula=""):
        return GradNode(name, num(value), num(grad), parent, num(local), formula)

    nodes = [
        node("L", loss, 1.0),
        node("out", o, out.grad[0], "L", 2 * (o - float(t[0])), "2(out − t)"),
        node("z_out", z_out[0], z_out.grad[0], "out", o * (1 - o), "out(1 − out)"),
        *(node(f"w2[{j}]", w2[0, j], w2.grad[0, j], "z_out", ho[j], f"h{j + 1}") for j in range(2)),
        node("b2", b2[0], b2.grad[0], "z_out", 1.0, "1"),
        *(node(f"h{j + 1}", ho[j], h.grad[j], "z_out", w2[0, j], f"w2[{j}]") for j in range(2)),
        *(node(f"z_h{j + 1}", z_h[j], z_h.grad[j], f"h{j + 1}", ho[j] * (1 - ho[j]), f"h{j + 1}(1 − h{j + 1})") for j in range(2)),
    ]
    for j in range(2):
        nodes += [node(f"w1[{j},{i}]", w1[j, i], w1.grad[j, i], f"z_h{j + 1}", x[i], f"x{i + 1}") for i in range(2)]
        nodes.append(node(f"b1[{j}]", b1[j], b1.grad[j], f"z_h{j + 1}", 1.0, "1"))
    return GradSteps(
        key="step-through",
        title="Step through the backward pass: each gradient is the chain of local derivatives",
        nodes=nodes,
        forward="z_h = w1·x + b1, h = σ(z_h), z_out = w2·h + b2, out = σ(z_out), L = (out − t)²",
    )
