"""encoder-decoder: a toy translation whose cross-attention learns the word alignment."""

from __future__ import annotations

import torch

from studydl.demos import run_to_end
from studydl.demos.catalogue import load
from studydl.domain.demos import Curves, Heatmap, Table


def test_translates_unseen_sentences_and_attention_aligns_words() -> None:
    outcome = run_to_end("encoder-decoder", seed=0)
    m = outcome.result.metrics
    assert outcome.result.reached and outcome.result.stopped is None
    assert m["held_out_sentence_accuracy"] >= 0.95
    assert m["content_word_alignment"] >= 0.9
    assert m["crossing_alignment"] >= 0.85  # noun and colour swap places in French
    attention = next(e for e in outcome.events if isinstance(e, Heatmap))
    assert len(attention.values) == len(attention.row_labels) == 7
    assert all(abs(sum(row) - 1) < 1e-2 for row in attention.values)
    table = next(e for e in outcome.events if isinstance(e, Table) and e.key == "translations")
    assert all(row[2] == "✓" for row in table.rows)


def test_training_sentences_never_include_the_test_sentences() -> None:
    demo = load("encoder-decoder")
    gen = torch.Generator().manual_seed(0)
    test, _, _ = demo.sentences(torch, 256, gen)
    unseen = frozenset(tuple(r) for r in test.tolist())
    train, french, align = demo.sentences(torch, 2000, gen, exclude=unseen)
    assert not unseen & {tuple(r) for r in train.tolist()}
    # Colour adjectives follow the noun in French: "the black dog" -> "le chien noir".
    words = [[demo.SRC[i] for i in row] for row in train.tolist()]
    for row, out, where in zip(words, french.tolist(), align.tolist(), strict=True):
        if row[1] in {"red", "blue", "green", "black"}:
            assert where[:3] == [0, 2, 1]
            assert (
                demo.TGT[out[2]]
                == {"red": "rouge", "blue": "bleu", "green": "vert", "black": "noir"}[row[1]]
            )
        else:
            assert where[:3] == [0, 1, 2]


def test_loss_and_accuracy_are_drawn_on_their_own_axes() -> None:
    # One 0-2 axis put accuracy 1.0 at half height: loss gets its own frame, accuracy a fixed 0..1.
    outcome = run_to_end("encoder-decoder", seed=0, overrides={"steps": 25})
    frames = {e.key: e for e in outcome.events if isinstance(e, Curves)}
    loss, accuracy = frames["loss"], frames["accuracy"]
    assert set(loss.series) == {"loss"} and loss.y_label == "nats"
    assert set(accuracy.series) == {"words right", "sentences right"}
    assert (accuracy.y_min, accuracy.y_max) == (0.0, 1.0)
    assert loss.y_max is None  # the loss keeps the scale its values need
