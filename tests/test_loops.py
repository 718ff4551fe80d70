"""gdcore.loops: each piece against torch's own answer; the tutorials' loops as the pages show them."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch
import torch.nn.functional as functional

from gdcore import config as config_module
from gdcore.config import Config
from gdcore.loops import loaders, losses, tutorials, updates
from gdcore.models import build_model


def test_every_choice_of_the_config_has_its_piece():
    assert set(losses.LOSSES) == set(config_module.LOSSES)
    assert set(updates.OPTIMIZERS) == set(config_module.OPTIMIZERS)
    assert set(loaders.LOADERS) == set(config_module.LOADERS)


@pytest.mark.parametrize("loss,task,impl,reference", [
    ("mse", "linreg", "manual", lambda z, y: functional.mse_loss(z, y)),
    ("mse", "linreg", "module", lambda z, y: functional.mse_loss(z, y)),
    ("half_squared", "linreg", "manual", lambda z, y: functional.mse_loss(z, y, reduction="sum") / 2),
    ("bce_manual", "logreg", "manual", lambda z, y: functional.binary_cross_entropy(torch.sigmoid(z), y)),
    ("bce", "logreg", "module", lambda z, y: functional.binary_cross_entropy(torch.sigmoid(z), y)),
    ("bce_logits", "logreg", "manual", lambda z, y: functional.binary_cross_entropy_with_logits(z, y)),
])
def test_each_loss_is_torchs_own(loss, task, impl, reference):
    g = torch.Generator().manual_seed(3)
    X, w0, b0 = torch.randn(8, 2, generator=g), torch.randn(2, 1, generator=g), torch.zeros(1, 1)
    y = (torch.rand(8, 1, generator=g) > 0.5).float() if task == "logreg" else torch.randn(8, 1, generator=g)
    model = build_model(task, impl, w0, b0 if task == "logreg" else b0.reshape(1), "cpu")
    backward_on, recorded = losses.LOSSES[loss].compute(model, impl)(X, y)
    z = (X @ w0 + b0).reshape(y.shape)
    assert float(backward_on) == pytest.approx(float(reference(z, y)), rel=1e-5)
    if loss == "half_squared":  # d2l: backward on the sum, report the mean per sample
        assert float(recorded) == pytest.approx(float(reference(z, y)) / 8, rel=1e-5)


@pytest.mark.parametrize("name", list(updates.OPTIMIZERS))
def test_optimizer_arguments_build_torchs_optimizer_with_the_configs_values(name):
    c = Config(optimizer=name, lr=0.25, momentum=0.7, alpha=0.95, rms_momentum=0.3, beta1=0.8, beta2=0.9,
               weight_decay=0.01, eps=1e-6)
    group = updates.optimizer_for(c).make(c, [torch.zeros(2, requires_grad=True)]).param_groups[0]
    assert group["lr"] == 0.25 and group["weight_decay"] == 0.01
    expected = {"momentum": {"momentum": 0.7}, "nesterov": {"momentum": 0.7, "nesterov": True},
                "rmsprop": {"alpha": 0.95, "momentum": 0.3, "eps": 1e-6}, "adam": {"betas": (0.8, 0.9), "eps": 1e-6},
                "adagrad": {"eps": 1e-6}, "sgd": {"momentum": 0}}[name]
    assert {k: group[k] for k in expected} == expected


def test_update_rule_is_by_hand_only_for_plain_sgd_without_weight_decay():
    assert isinstance(updates.update_rule(Config()), updates.HandUpdate)
    assert isinstance(updates.update_rule(Config(loss="half_squared")), updates.D2lSgd)
    assert isinstance(updates.update_rule(Config(weight_decay=0.1)), updates.Optimizer)
    assert isinstance(updates.update_rule(Config(impl="module")), updates.Optimizer)


def test_dataloader_batches_are_torchs_dataloader_on_seed_plus_one():
    c = Config(seed=5, batch_size=4, shuffle=True)
    X, y = torch.arange(10.0).reshape(10, 1), torch.arange(10.0).reshape(10, 1) * 2
    epoch = loaders.loader_for(c).batches(c, X, y, 4)
    plain = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=4, shuffle=True,
                                        generator=torch.Generator().manual_seed(6))
    for _ in range(2):  # two epochs: the generator goes on from where the first left it
        ours = [(xb.reshape(-1).tolist(), idx) for xb, _, idx in epoch()]
        theirs = [xb.reshape(-1).tolist() for xb, _ in plain]
        assert [x for x, _ in ours] == theirs and [idx for _, idx in ours] == [[int(v) for v in x] for x in theirs]


def test_shown_loops_are_the_tutorial_lines_only():
    text = tutorials.shown(tutorials.linreg_manual)
    compile(text, "shown.py", "exec")
    assert text.startswith("x = torch.rand([50]); y = 3*x + 0.8\n") and "for i in range(3000):" in text
    assert "noqa" not in text and "losses" not in text and ">>>" not in text and not text.startswith(" ")
    text = tutorials.shown(tutorials.logreg_manual)
    assert text.splitlines()[0] == "torch.manual_seed(123)" and text.endswith("torch.log(1-y_hat))")


def test_named_parts_show_the_tutorials_text_and_hide_what_only_the_function_needs():
    model, loop = tutorials.shown(tutorials.linreg_module, "model"), tutorials.shown(tutorials.linreg_module, "loop")
    compile(model + "\n" + loop, "shown.py", "exec")
    assert "super(Lr, self).__init__()" in model and "out = self.linear(x)" in model  # seed 002's spelling
    assert "for i in range(30000):" in loop and "steps" not in loop  # the tutorial's literal, not the argument
    functions, d2l = tutorials.shown(tutorials.linreg_d2l, "functions"), tutorials.shown(tutorials.linreg_d2l, "loop")
    compile(functions + "\n" + d2l, "shown.py", "exec")
    assert functions.startswith("def data_iter(batch_size, features, labels):") and "def sgd(" in functions
    assert "def synthetic_data" not in functions and "def linreg" not in functions
    assert "num_epochs = 3" in d2l and "print(f'epoch {epoch + 1}" in d2l and "append" not in d2l
    for text in (model, loop, functions, d2l):
        assert "noqa" not in text and "#|" not in text and ">>>" not in text and "<<<" not in text


@pytest.mark.parametrize("name", list(tutorials.LOOPS))
def test_tutorial_loops_put_the_global_generators_back(name):
    small = {"linreg-minibatch": {"epochs": 1}, "linreg-d2l": {"num_epochs": 1}, "linreg-module": {"steps": 3},
             "linreg-manual": {}, "logreg-manual": {"epochs": 1}}[name]
    before = torch.random.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()
    tutorials.LOOPS[name](**small)
    assert torch.equal(torch.random.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1]) and random.getstate() == before[2]
