"""Each tutorial's printout, checked against the tutorial's own loop run on the same data and start
(its print captured from stdout), so format, cadence and numbering are the tutorial's."""
import contextlib
import io

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from gdcore import Run, preset_config, printouts


def _captured(fn) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue().splitlines()


def test_003_prints_i_and_the_loss_tensor_every_500_steps():
    run = Run(preset_config("linreg-manual"))
    run.run()
    x, y = run.data.X.reshape(-1), run.data.y.reshape(-1)
    w, b = run.w0.clone().requires_grad_(True), run.b0.clone().requires_grad_(True)

    def loss_fn(y, y_predict):  # the tutorial's, verbatim
        loss = (y_predict - y).pow(2).mean()
        for i in [w, b]:
            if i.grad is not None:
                i.grad.data.zero_()
        loss.backward()
        return loss.data

    def optimize(learning_rate):
        w.data -= learning_rate * w.grad.data
        b.data -= learning_rate * b.grad.data

    def tutorial():
        for i in range(3000):
            y_predict = x * w + b
            loss = loss_fn(y, y_predict)
            if i % 500 == 0:
                print(i, loss)
            optimize(0.01)

    want = _captured(tutorial)
    assert len(want) == 6 and want[0].startswith("0 tensor(") and want[-1].startswith("2500 tensor(")
    assert printouts.lines("linreg-manual", run.losses(), run.records(last=15), run.total_steps) == want
    assert printouts.printed_steps("linreg-manual", 3000) == [1, 501, 1001, 1501, 2001, 2501]


def test_002_prints_epoch_i_of_total_every_20_steps():
    run = Run(preset_config("linreg-module", steps=300))
    run.run()

    class Lr(nn.Module):  # the tutorial's model, started where the run started
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x):
            return self.linear(x)

    model = Lr()
    with torch.no_grad():
        model.linear.weight.copy_(run.w0.reshape(1, 1))
        model.linear.bias.copy_(run.b0.reshape(1))
    x, y = run.data.X, run.data.y
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=1e-3)

    def tutorial():
        for i in range(300):
            out = model(x)
            loss = criterion(y, out)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if (i + 1) % 20 == 0:
                print(f'Epoch[{i}/{300}], loss: {loss.data:.6f}')

    want = _captured(tutorial)
    assert want[0].startswith("Epoch[19/300], loss: ") and len(want) == 15
    assert printouts.lines("linreg-module", run.losses(), [], run.total_steps, last=100) == want
    assert printouts.lines("linreg-module", run.losses()[:19], [], 300) == []  # nothing printed before step 20


def test_000_prints_every_update_as_epoch_and_batch_index():
    cfg = preset_config("linreg-minibatch", full_tensor_pitfall=True)  # the loop body uses tensorX, tensorY
    run = Run(cfg)
    run.run(20)
    tensorX, tensorY = run.data.X, run.data.y
    w, b = run.w0.clone().requires_grad_(True), run.b0.clone().requires_grad_(True)
    dataloader = DataLoader(TensorDataset(tensorX, tensorY), batch_size=20, shuffle=True)

    def tutorial():
        for epoch in range(1, 4):
            for batch_index, (data, label) in enumerate(dataloader):  # noqa: B007 - the tutorial's loop as written
                h = tensorX * w + b
                loss = torch.mean((h - tensorY) ** 2)
                loss.backward()
                w.data -= 0.01 * w.grad.data
                b.data -= 0.01 * b.grad.data
                print("epoch(%d) batch(%d) lossΔw,Δb,w,b, = %.3lf,%.3lf,%.3lf,%.3lf,%.3lf," % (  # noqa: UP031 - as written
                    epoch, batch_index, loss.item(), w.grad.data, b.grad.data, w.data, b.data))
                w.grad.zero_()
                b.grad.zero_()

    want = _captured(tutorial)[:20]
    assert want[0].startswith("epoch(1) batch(0) ") and want[8].startswith("epoch(2) batch(0) ")
    assert printouts.lines("linreg-minibatch", run.losses(), run.records(last=20), run.total_steps, last=20) == want
    assert [printouts.where("linreg-minibatch", r) for r in run.records(last=20)][7:9] == \
        ["epoch(1) batch(7)", "epoch(2) batch(0)"]
    assert printouts.where("linreg-manual", {"step": 42, "epoch": 42, "batch": 0}) == "i = 41"
