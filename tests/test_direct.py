"""gdcore/loops/direct.py: torch's kernels called straight give what the wrappers give, bit for bit,
and the wrappers are called whenever they would do something (hooks, other shapes, other settings)."""
from __future__ import annotations

import logging
import warnings

import pytest
import torch
from torch import nn

from gdcore.config import Config
from gdcore.engine import init
from gdcore.loops import direct
from gdcore.loops.updates import direct_step
from gdcore.models import LogReg, Lr


def _data(n=37, d=1, seed=4):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    return X, X @ torch.linspace(1.5, -2.0, d).reshape(d, 1) + 0.3 + 0.1 * torch.randn(n, 1, generator=g)


def _lr_model(d=1):
    g = torch.Generator().manual_seed(9)
    return Lr(torch.randn(d, generator=g), torch.randn(1, generator=g), "cpu")


# -- backward -----------------------------------------------------------------------------------------

def _grads_after(backward, d=3):
    model = _lr_model(d)
    X, y = _data(d=d)
    loss = torch.mean((model(X) - y) ** 2)
    model.grad.zero_()
    backward(loss)
    return model.grad.clone()


def test_backward_gives_the_gradients_of_loss_backward():
    assert torch.equal(_grads_after(direct.backward_for("cpu")), _grads_after(torch.Tensor.backward))


def test_backward_on_the_cpu_does_not_go_through_torch_autograd_backward(monkeypatch):
    calls = []
    real = torch.autograd.backward
    monkeypatch.setattr(torch.autograd, "backward", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    expected = _grads_after(torch.Tensor.backward)
    assert calls, "the spy must see a plain loss.backward()"
    calls.clear()
    assert torch.equal(_grads_after(direct.backward_for("cpu")), expected)
    assert calls == []


def test_backward_with_the_graphs_debug_logging_on_goes_through_torch(monkeypatch):
    calls = []
    real = torch.autograd.backward
    monkeypatch.setattr(torch.autograd, "backward", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    log = torch.autograd.graph.log
    level = log.level
    log.setLevel(logging.DEBUG)
    try:
        grads = _grads_after(direct.backward_for("cpu"))
    finally:
        log.setLevel(level)
    assert calls == [1]
    assert torch.equal(grads, _grads_after(torch.Tensor.backward))


def test_backward_off_the_cpu_is_loss_backward_itself():
    assert direct.backward_for("meta") is torch.Tensor.backward


# -- nn.Linear + nn.MSELoss ------------------------------------------------------------------------------

@pytest.mark.parametrize("d", [1, 7])
def test_linear_mse_gives_the_loss_and_gradients_of_the_modules(d):
    X, y = _data(d=d)
    a, b = _lr_model(d), _lr_model(d)
    crit_a, crit_b = nn.MSELoss(), nn.MSELoss()
    call = direct.linear_mse(a, crit_a)
    assert call is not None
    la, lb = call(X, y), crit_b(b(X), y)
    assert torch.equal(la, lb)
    la.backward()
    lb.backward()
    assert torch.equal(a.grad, b.grad)


def test_linear_mse_calls_the_modules_while_a_hook_is_registered():
    X, y = _data()
    model = _lr_model()
    call = direct.linear_mse(model, nn.MSELoss())
    seen = []
    handle = model.linear.register_forward_hook(lambda m, i, o: seen.append(o))
    try:
        loss = call(X, y)
    finally:
        handle.remove()
    assert len(seen) == 1
    assert torch.equal(loss, nn.MSELoss()(_lr_model()(X), y))
    call(X, y)
    assert len(seen) == 1  # removed: straight to the kernels again


def test_linear_mse_with_a_target_of_another_shape_warns_and_broadcasts_as_mse_loss_does():
    X, y = _data()
    model = _lr_model()
    call = direct.linear_mse(model, nn.MSELoss())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = call(X, y.reshape(-1))
    assert any("target size" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.equal(loss, nn.MSELoss()(_lr_model()(X), y.reshape(-1)))


def test_linear_mse_is_only_for_the_linear_model_and_mse():
    model = _lr_model()
    assert direct.linear_mse(model, nn.L1Loss()) is None
    assert direct.linear_mse(LogReg(torch.zeros(1), torch.zeros(1), "cpu"), nn.MSELoss()) is None


# -- plain SGD ---------------------------------------------------------------------------------------------

def _sgd_pair(d=7, **kwargs):
    """Two copies of a model, each with its own SGD: one stepped by torch, one by the direct step."""
    models = [_lr_model(d), _lr_model(d)]
    opts = [torch.optim.SGD(m.parameters(), lr=0.05, **kwargs) for m in models]
    return models, opts


def _grad_step(model, X, y):
    model.grad.zero_()
    torch.mean((model(X) - y) ** 2).backward()


def _step_both(a, b, opt_a, step_b, X, y, k):
    """One gradient step of each copy, a by torch's SGD and b by step_b; their parameters agree."""
    _grad_step(a, X, y)
    _grad_step(b, X, y)
    opt_a.step()
    step_b()
    assert torch.equal(a.theta, b.theta), k


def test_plain_sgd_follows_torchs_sgd_bit_for_bit_and_a_changed_lr():
    X, y = _data(d=7)
    (a, b), (opt_a, opt_b) = _sgd_pair()
    step = direct_step(opt_b)
    assert direct.plain_sgd(opt_b, (), opt_b.step) is not None
    for k in range(60):
        if k == 30:  # what a scheduler would do
            opt_a.param_groups[0]["lr"] = opt_b.param_groups[0]["lr"] = 0.013
        _step_both(a, b, opt_a, step, X, y, k)
    assert opt_b.state_dict() == opt_a.state_dict()  # plain SGD keeps no state, either way


@pytest.mark.parametrize("kwargs", [dict(momentum=0.9), dict(weight_decay=0.1), dict(maximize=True)])
def test_plain_sgd_is_not_for_sgd_with_more(kwargs):
    _, (opt, _) = _sgd_pair(**kwargs)
    assert direct.plain_sgd(opt, (), opt.step) is None


def test_plain_sgd_is_not_for_other_optimizers():
    model = _lr_model()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    assert direct.plain_sgd(opt, (), opt.step) is None


def test_plain_sgd_steps_through_torch_once_a_hook_is_registered_or_momentum_is_set():
    X, y = _data(d=7)
    (a, b), (opt_a, opt_b) = _sgd_pair()
    step = direct_step(opt_b)
    seen = []
    handle = opt_b.register_step_post_hook(lambda opt, args, kwargs: seen.append(1))
    for k in range(4):
        if k == 2:
            handle.remove()
            opt_a.param_groups[0]["momentum"] = opt_b.param_groups[0]["momentum"] = 0.5
        _step_both(a, b, opt_a, step, X, y, k)
    assert seen == [1, 1]
    assert "momentum_buffer" in opt_b.state[b.linear.weight]  # torch's own step ran with momentum


# -- the engine ------------------------------------------------------------------------------------------

def test_the_nn_module_runs_steps_call_none_of_the_wrappers(monkeypatch):
    """linreg-module's step: no nn.Module call, no torch.autograd.backward, no torch.optim step."""
    cfg = Config(data="linear", n=40, impl="module", optimizer="sgd", mode="batch", lr=0.01, steps=5,
                 seed=3).validated()
    run = init(cfg)
    calls = []

    def spy(name, real):
        def f(*a, **k):
            calls.append(name)
            return real(*a, **k)
        return f
    monkeypatch.setattr(torch.autograd, "backward", spy("backward", torch.autograd.backward))
    monkeypatch.setattr(nn.Module, "__call__", spy("module", nn.Module.__call__))
    monkeypatch.setattr(torch.optim.SGD, "step", spy("step", torch.optim.SGD.step))
    run.run(5)
    assert run.step_count == 5
    assert calls == []
    monkeypatch.undo()
    plain = init(cfg)
    model, opt = plain.model, plain.optimizer
    for _ in range(5):  # torch's own loop on a run's model and optimizer
        opt.zero_grad()
        nn.MSELoss()(model(plain.X), plain.y).backward()
        opt.step()
    assert torch.equal(run.model.theta, model.theta)
