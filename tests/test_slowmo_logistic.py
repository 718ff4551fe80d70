"""A logistic-regression step in slow motion: each phase's numbers equal the engine's record of that step
and torch autograd on tutorial 004's own loop; the phases point at the loop's own lines."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F  # noqa: N812

from gdcore import slowmo, slowmo_logistic
from gdcore.engine import Run
from gdcore.lessons.logistic_regression import variant_config

VARIANTS = {
    "tutorial": {},
    "safe loss": {"safe": True},
    "module": {"impl": "module"},
    "module, safe loss": {"impl": "module", "safe": True},
    "mini-batch": {"mode": "minibatch", "batch_size": 32},
    "full batch": {"mode": "batch"},
    "DataLoader, shuffled": {"mode": "minibatch", "batch_size": 8, "loader": "dataloader", "shuffle": True},
    "float64": {"dtype": "float64"},
}


def _config(**kw):
    dtype = kw.pop("dtype", "float32")
    return variant_config(**kw).replace(dtype=dtype)


def _slow(run, before, rec):
    data = run.train_data
    return slowmo_logistic.slow_step(run.config, data.X, data.y, before["w"], before["b"][0], run.last_batch,
                                     rec["step"])


def _assert_equals_record(slow, rec):
    assert slow.phase("loss").values["loss"] == rec["loss"]
    assert slow.phase("backward").values == {"w.grad": [rec["grad_w1"], rec["grad_w2"]], "b.grad": rec["grad_b"]}
    up = slow.phase("update").values
    assert (up["w"], up["b"]) == ([rec["w1"], rec["w2"]], rec["b"])
    assert slow.phase("zero_grad").values == {"w.grad": [0.0, 0.0], "b.grad": 0.0}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_phase_equals_the_engine_step_record_first_steps_and_mid_run(name):
    run = Run(_config(**VARIANTS[name]))
    for k in range(1, 60):
        if k == 30:
            run.run(run.steps_per_epoch + 7)  # mid-run: the next epoch, some steps into it
        before = run.params()
        rec = run.step()
        slow = _slow(run, before, rec)
        _assert_equals_record(slow, rec)
        assert slow.step == run.step_count
        used = slow.phase("sample").values
        assert used["n"] == (run.n if run.last_batch is None else len(run.last_batch))


def _tutorial_loop(steps_to_watch):
    """Tutorial 004 as written (seed 123, data, w, b, forward, loss_func, the hand update), run with
    torch's global generator as the tutorial does (put back afterwards); returns what each watched step
    computed: sample index, z, y_hat, loss, w.grad, b.grad, and w, b after it."""
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(123)
        data_x = torch.randn(size=(1000, 2))
        data_y = torch.where(data_x[:, 0] * 0.5 - data_x[:, 1] * 1.5 > 0, 1., 0.)
        w = torch.randn(size=(2, 1), requires_grad=True)
        b = torch.zeros(size=(1, 1), requires_grad=True)
    finally:
        torch.random.set_rng_state(state)
    seen, k = {}, 0
    for _epoch in range(2):
        for step in range(1000):
            k += 1
            z = torch.matmul(w.transpose(0, 1), data_x[step]) + b
            y_hat = F.sigmoid(z)
            y = data_y[step]
            loss = -(torch.log(y_hat) * y + (1 - y) * torch.log(1 - y_hat))
            loss.backward()
            if k in steps_to_watch:
                seen[k] = {"i": step, "z": z.item(), "y_hat": y_hat.item(), "loss": loss.item(),
                           "w.grad": w.grad.reshape(-1).tolist(), "b.grad": float(b.grad)}
            with torch.no_grad():
                w.data -= 0.001 * w.grad
                b.data -= 0.001 * b.grad
            if k in steps_to_watch:
                seen[k].update(w=w.detach().reshape(-1).tolist(), b=b.item())
            w.grad.data.zero_()
            b.grad.data.zero_()
            if k == max(steps_to_watch):
                return seen
    return seen


def test_the_phases_equal_torch_autograd_on_the_tutorials_own_loop():
    watch = {1, 2, 1500}  # the first steps, and one mid-run in the second epoch
    ref = _tutorial_loop(watch)
    run = Run(_config())
    for k in range(1, max(watch) + 1):
        before = run.params()
        rec = run.step()
        if k not in watch:
            continue
        slow, r = _slow(run, before, rec), ref[k]
        assert slow.phase("sample").values["i"] == [r["i"]]
        fwd = slow.phase("forward").values
        assert (fwd["z"], fwd["y_hat"]) == ([r["z"]], [r["y_hat"]])
        assert slow.phase("loss").values["loss"] == r["loss"]
        assert slow.phase("backward").values == {"w.grad": r["w.grad"], "b.grad": r["b.grad"]}
        up = slow.phase("update").values
        assert (up["w"], up["b"]) == (r["w"], r["b"])


def test_the_gradient_is_the_analytic_one_and_the_loss_names_its_largest_terms():
    run = Run(_config(mode="minibatch", batch_size=64))
    before = run.params()
    rec = run.step()
    slow = _slow(run, before, rec)
    idx = torch.tensor(run.last_batch)
    X, y = run.data.X[idx].double(), run.data.y.reshape(-1)[idx].double()
    w, b = torch.tensor(before["w"], dtype=torch.float64), before["b"][0]
    p = torch.sigmoid(X @ w + b)
    # dL/dw = mean((y_hat - y) x), dL/db = mean(y_hat - y): the closed form of the cross-entropy's gradient
    assert slow.phase("backward").values["w.grad"] == pytest.approx(((p - y)[:, None] * X).mean(0).tolist(), rel=1e-5)
    assert slow.phase("backward").values["b.grad"] == pytest.approx(float((p - y).mean()), rel=1e-5, abs=1e-7)
    terms = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    top = slow.phase("loss").values["top"]
    assert [t[0] for t in top] == idx[torch.topk(terms, slowmo_logistic.TOP).indices].tolist()
    assert top[0][-1] == pytest.approx(float(terms.max() / terms.sum()), rel=1e-4)


def test_phases_follow_the_tutorials_own_order_and_lines():
    run = Run(_config())
    before = run.params()
    slow = _slow(run, before, run.step())
    assert [p.name for p in slow.phases] == list(slowmo_logistic.PHASES)
    line = {p.name: [slow.code[i].strip() for i in p.lines] for p in slow.phases}
    assert line == {"sample": ["for step in range(n_items):"], "forward": ["y_hat = forward(data_x[step])"],
                    "loss": ["y = data_y[step]", "loss = loss_func(y_hat, y)"], "backward": ["loss.backward()"],
                    "update": ["w.data -= learning_rate * w.grad", "b.data -= learning_rate * b.grad"],
                    "zero_grad": ["w.grad.data.zero_()", "b.grad.data.zero_()"]}
    shown = slowmo.annotated(slow, 3, slowmo_logistic.summary)
    assert ">>         loss.backward()" in shown and "# -> w.grad = [" in shown and "# -> w = [" not in shown
    assert "# -> step = 0: data_x[0] = [" in shown
    module = Run(_config(impl="module", safe=True))
    before = module.params()
    slow = _slow(module, before, module.step())
    assert [p.name for p in slow.phases] == ["sample", "forward", "loss", "zero_grad", "backward", "update"]
    assert slow.code[slow.phase("forward").lines[0]].strip() == "z = model.linear(data_x[batch])"


@pytest.mark.parametrize("name", ["tutorial", "mini-batch", "full batch"])
def test_next_batch_names_the_samples_the_next_step_uses(name):
    run = Run(_config(**VARIANTS[name]))
    for _ in range(run.steps_per_epoch + 3):  # across an epoch's end
        nb = slowmo_logistic.next_batch(run)
        run.step()
        assert nb == run.last_batch
    shuffled = Run(_config(**VARIANTS["DataLoader, shuffled"]))
    assert slowmo_logistic.next_batch(shuffled) is False  # drawn at random when the step is taken
