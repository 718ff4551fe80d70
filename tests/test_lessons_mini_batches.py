"""gdcore.lessons.mini_batches: DataLoader facts, the batch size clamped, d2l's prints and the estimation errors.
(Replayed shuffles: test_lessons_mini_batches_replay.py; the three modes and the pitfall:
test_lessons_mini_batches_compare.py.)

Trusted answers: torch's own DataLoader (len and batch sizes) and a hand-written copy of d2l's training loop.
"""
import math
import random
import re

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from gdcore import Run, preset_config
from gdcore.errors import ConfigError
from gdcore.i18n import translator
from gdcore.lessons import mini_batches, mini_batches_compare

EN = translator("en")


# -- the DataLoader, made visible ---------------------------------------------------------------

def test_tutorial_000_loader_has_8_batches_seven_of_20_one_of_10():
    s = mini_batches.describe_loader(150, 20)
    assert s.length == 8
    assert s.sizes == (20,) * 7 + (10,)
    assert [EN(m) for m in s.lines()] == (["dataloader len =8"] + [f"index={i} num = 20" for i in range(7)]
                                          + ["index=7 num = 10"])


@pytest.mark.parametrize("n,bs", [(150, 20), (150, 1), (150, 150), (150, 7), (1000, 10), (10, 3)])
def test_describe_loader_matches_torch_dataloader(n, bs):
    dl = DataLoader(TensorDataset(torch.arange(n)), batch_size=bs, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
    s = mini_batches.describe_loader(n, bs)
    assert s.length == len(dl)
    assert list(s.sizes) == [len(b[0]) for b in dl]


def test_long_printout_is_shortened_but_keeps_first_and_last():
    lines = [EN(m) for m in mini_batches.describe_loader(1000, 10).lines(limit=12)]
    assert lines[0] == "dataloader len =100"
    assert lines[1] == "index=0 num = 10"
    assert lines[-1] == "index=99 num = 10"
    assert any(ln.startswith("...") for ln in lines)
    assert len(lines) <= 13


def test_batch_size_larger_than_n_is_one_sentence():
    with pytest.raises(ConfigError, match="larger than the 150 samples"):
        mini_batches.describe_loader(150, 151)
    with pytest.raises(ConfigError):
        mini_batches.describe_loader(150, 0)


def test_clamp_batch_size():
    assert mini_batches.clamp_batch_size(20, 150) == (20, None)
    bs, note = mini_batches.clamp_batch_size(500, 150)
    assert bs == 150 and "larger than the 150 samples" in EN(note)
    assert mini_batches.clamp_batch_size(0, 150)[0] == 1
    assert mini_batches.clamp_batch_size(None, 150)[0] == 20
    assert mini_batches.data_size("linreg-minibatch") == 150 and mini_batches.data_size("linreg-d2l") == 1000


# -- printouts --------------------------------------------------------------------------------------

def _d2l_by_hand(seed=0, lr=0.03, num_epochs=3, batch_size=10):
    """d2l's chapter, line for line, with the run's own generators instead of the global ones."""
    g = torch.Generator().manual_seed(seed)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    X = torch.normal(0, 1, (1000, 2), generator=g)
    y = torch.matmul(X, true_w) + true_b
    y += torch.normal(0, 0.01, y.shape, generator=g)
    features, labels = X, y.reshape((-1, 1))
    w = torch.normal(0, 0.01, size=(2, 1), generator=g).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    rnd = random.Random(seed)

    def data_iter():
        indices = list(range(1000))
        rnd.shuffle(indices)
        for i in range(0, 1000, batch_size):
            bi = torch.tensor(indices[i: min(i + batch_size, 1000)])
            yield features[bi], labels[bi]

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    out = []
    for _ in range(num_epochs):
        for Xb, yb in data_iter():
            l = squared_loss(torch.matmul(Xb, w) + b, yb)  # noqa: E741
            l.sum().backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= lr * p.grad / batch_size
                    p.grad.zero_()
        with torch.no_grad():
            out.append(float(squared_loss(torch.matmul(features, w) + b, labels).mean()))
    return out, true_w - w.detach().reshape(true_w.shape), true_b - b.detach()


def test_d2l_prints_match_a_hand_written_d2l_loop():
    run = Run(preset_config("linreg-d2l"))
    run.run()
    ref_losses, ref_ew, ref_eb = _d2l_by_hand()
    assert run.epoch_losses() == pytest.approx(ref_losses, rel=1e-4, abs=1e-7)
    lines = mini_batches.d2l_epoch_lines(run.epoch_losses())
    assert len(lines) == 3 and all(re.fullmatch(r"epoch \d, loss \d+\.\d{6}", ln) for ln in lines)
    assert lines[0] == f"epoch 1, loss {ref_losses[0]:f}"
    err = mini_batches.estimation_errors(run.data.true_w, run.data.true_b, run.params())
    assert err["w"] == pytest.approx(ref_ew.tolist(), abs=1e-5)
    assert err["b"] == pytest.approx(float(ref_eb), abs=1e-5)
    assert max(abs(v) for v in err["w"]) < 1e-3 and abs(err["b"]) < 1e-3  # lessons.md reference
    assert EN(mini_batches.error_lines(err)[0]).startswith("error in estimating w: tensor([")


def test_estimation_errors_and_tutorial_lines():
    e = mini_batches.estimation_errors((2.0, -3.4), 4.2, {"w": [1.5, -3.0], "b": [4.0]})
    assert e["w"] == pytest.approx([0.5, -0.4]) and e["b"] == pytest.approx(0.2)
    with pytest.raises(ValueError):
        mini_batches.estimation_errors((2.0,), 4.2, {"w": [1.0, 2.0], "b": [0.0]})
    rec = {"epoch": 1, "batch": 0, "loss": 99.4812, "grad_w": -44.4581, "grad_b": -19.2681, "w": 0.8051, "b": -0.0931}
    assert mini_batches.tutorial_lines([rec]) == [
        "epoch(1) batch(0) lossΔw,Δb,w,b, = 99.481,-44.458,-19.268,0.805,-0.093,"]
    assert mini_batches.fmt_w([2.0]) == "2.0000" and mini_batches.fmt_w([1.0, -2.5]) == "[1.0000, -2.5000]"
    assert mini_batches.fmt_w([math.nan]) == "—"
    assert mini_batches_compare._num(2.05151) == "2.0515"
    assert mini_batches_compare._num(-8.16e16) == "-8.16e+16"
    assert mini_batches_compare._num(math.inf) == "—"


def test_feature_xy_and_compare_budget():
    data = Run(preset_config("linreg-d2l")).data
    x, y = mini_batches.feature_xy(data, 1)
    assert np.array_equal(x, data.X[:, 1].numpy().astype(np.float64)) and y.shape == (1000,)
    assert np.array_equal(mini_batches.feature_xy(data, 5)[0], data.X[:, 0].numpy().astype(np.float64))
    assert mini_batches.max_compare_epochs(150) == mini_batches.COMPARE_STEP_BUDGET // 150
    assert mini_batches.max_compare_epochs(10**9) == 1


def test_reshuffle_epochs_stay_inside_the_run():
    """The reshuffle chart pairs the current epoch with the next, never with an epoch the run does not have."""
    mid = mini_batches.EpochView(epoch=5, drawn=3, total=8, complete=False)
    last = mini_batches.EpochView(epoch=99, drawn=8, total=8, complete=True)
    assert mini_batches.reshuffle_epochs(mid, 99) == (5, 6, False)
    assert mini_batches.reshuffle_epochs(last, 99) == (98, 99, False)
    assert mini_batches.reshuffle_epochs(mini_batches.EpochView(1, 8, 8, True), 1) == (1, 2, True)
    run = Run(preset_config("linreg-minibatch"))
    run.run()
    assert mini_batches.run_epochs(run) == 99
    assert mini_batches.reshuffle_epochs(mini_batches.epoch_view(run), mini_batches.run_epochs(run))[1] == 99
