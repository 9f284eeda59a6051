"""A backward pass node by node: backprop's one step for the node, then the whole chain from the loss."""

from __future__ import annotations

from rich.text import Text

from studydl.demos.inspect import Chain, Selection, chain
from studydl.demos.pictures.steps import StepPicture, agreement, num, side_by_side
from studydl.domain.demos import GradSteps


class ChainStepArt(StepPicture):
    """The selected node's gradient: parent's gradient × local derivative, and every factor."""

    def __init__(self, frame: GradSteps, selection: Selection) -> None:
        self.frame = frame
        self.chain = chain(frame, selection)

    def lines(self, width: int, colour: bool = True) -> list[Text]:
        ch, node = self.chain, self.chain.node
        head = Text(f"Step {ch.index + 1} of {len(self.frame.nodes)}: ", style="bold")
        head.append(f"dL/d{node.name}", style="bold")
        head.append(f"   ({node.name} = {num(node.value)} in the forward pass)", style="dim")
        out = [head]
        if self.frame.forward:
            forward = Text(f"forward: {self.frame.forward}", style="dim")
            forward.no_wrap = False  # wraps rather than lose the loss at the end
            out.append(forward)
        return [*out, *self._step(ch), *self._factors(ch), Text(), *self._nodes(width)]

    @staticmethod
    def _step(ch: Chain) -> list[Text]:
        node, parent = ch.node, ch.parent
        if parent is None:
            return [Text("dL/dL = 1: backprop starts at the loss with gradient 1")]
        line = Text("backprop: ", style="bold")
        line.append(f"dL/d{node.name} = dL/d{parent.name} × {node.local_formula or f'd{parent.name}/d{node.name}'}")
        line.append(f" = {num(parent.grad, True)} × {num(node.local, True)}")
        return [line.append(f" = {num(parent.grad * node.local, True)}", style="bold")]

    @staticmethod
    def _factors(ch: Chain) -> list[Text]:
        rows = [(f"d{f.of}/d{f.by}", f.formula, num(f.value, True)) for f in ch.factors]
        if not rows:
            return [Text(f"autograd's dL/dL: {num(ch.autograd)} (where backward() starts) ").append_text(agreement(ch.product, ch.autograd))]
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        w2 = max(len(r[2]) for r in rows)
        out = [Text(f"the chain rule, {len(rows)} factor{'s' if len(rows) > 1 else ''} from the loss down:", style="bold")]
        out += [Text(f"  {a:<{w0}}  {b:<{w1}}  {c:>{w2}}") for a, b, c in rows]
        product = Text(f"  {'product':<{w0}}  {'':<{w1}}  {num(ch.product, True):>{w2}}", style="bold")
        product.append(f"   autograd: {num(ch.autograd, True)} ", style="")
        return [*out, product.append_text(agreement(ch.product, ch.autograd))]

    def _nodes(self, width: int) -> list[Text]:
        """Every node in backprop's order, the path to this one marked, this one highlighted."""
        nodes = self.frame.nodes
        on_path = set(self.chain.path)
        name_w = max(len(n.name) for n in nodes)
        per = -(-len(nodes) // (3 if width >= 3 * (name_w + 24) else 2))
        columns = []
        for part in (nodes[k : k + per] for k in range(0, len(nodes), per)):
            lines = [Text(f"  {'node':<{name_w}} {'value':>8} {'dL/dnode':>9}", style="dim")]
            for n in part:
                mark = "▶" if n is self.chain.node else "·" if n.name in on_path else " "
                style = "reverse bold" if n is self.chain.node else "bold" if n.name in on_path else ""
                lines.append(Text(f"{mark} {n.name:<{name_w}} {num(n.value, True):>8} {num(n.grad, True):>9}", style=style))
            columns.append(lines)
        return side_by_side(columns, width, gap=4)
