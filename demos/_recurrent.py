"""The recurrent reader shared by the RNN, LSTM and GRU demos (no torch at import)."""

from __future__ import annotations

from typing import Any

CELLS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
"""Kind -> the torch.nn class that reads the sequence."""


def reader(torch: Any, kind: str, hidden: int, inputs: int = 2, out_bias: float | None = None) -> Any:
    """A one-layer recurrent network (`rnn`, `lstm` or `gru`) and a linear read-out of its last state.

    The LSTM's forget-gate bias starts at 1, the usual init (Gers et al. 2000); the RNN and
    the GRU keep torch's default, so nothing in their init favours remembering.
    `out_bias` starts the read-out at a chosen answer (e.g. the mean), else torch's default.
    """
    nn = torch.nn

    class Reader(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = getattr(nn, CELLS[kind])(inputs, hidden, batch_first=True)
            self.out = nn.Linear(hidden, 1)
            with torch.no_grad():
                if out_bias is not None:
                    self.out.bias.fill_(out_bias)
                if kind == "lstm":
                    self.rnn.bias_ih_l0[hidden : 2 * hidden].fill_(1.0)
                    self.rnn.bias_hh_l0[hidden : 2 * hidden].zero_()

        def forward(self, x: Any) -> Any:
            states, _ = self.rnn(x)
            return self.out(states[:, -1])

    return Reader()
