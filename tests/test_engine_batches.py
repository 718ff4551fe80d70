"""gdcore.engine with gdcore.loops.loaders: modes and loaders against DataLoader and d2l's data_iter."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch
from reference_loops import dataloader

from gdcore import reference
from gdcore.config import Config
from gdcore.engine import init
from gdcore.presets import preset_config

# -- modes and loaders -------------------------------------------------------------------------

def test_linreg_minibatch_batches_are_dataloaders():
    cfg = preset_config("linreg-minibatch")
    run = init(cfg)
    ref = dataloader(run.X, run.y, 20, cfg.seed)
    assert run.steps_per_epoch == 8 == len(ref)
    epochs = []
    for _ in range(3):
        assert run.run_epoch() == 8
        epochs.append(run.epoch_batches)
        assert [len(b) for b in run.epoch_batches] == [20] * 7 + [10]
        assert sorted(i for b in run.epoch_batches for i in b) == list(range(150))
    ref_idx = dataloader(torch.arange(150), torch.arange(150), 20, cfg.seed)
    assert epochs == [[xb.tolist() for xb, _ in ref_idx] for _ in range(3)]
    assert epochs[0] != epochs[1] != epochs[2]  # reshuffled every epoch


@pytest.mark.parametrize("loader", ["dataloader", "d2l", "index"])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("mode,bs", [("minibatch", 7), ("stochastic", 1)])
def test_every_index_once_per_epoch(loader, shuffle, mode, bs):
    n = 37
    cfg = Config(data="linear", n=n, mode=mode, batch_size=bs, loader=loader, shuffle=shuffle, epochs=3,
                 seed=2).validated()
    run = init(cfg)
    assert run.batch_size == bs and run.steps_per_epoch == math.ceil(n / bs)
    X = run.X.clone()
    orders = []
    for e in range(1, 4):
        assert run.run_epoch() == run.steps_per_epoch
        assert run.epoch == e and run.batch_in_epoch == 0
        batches = run.epoch_batches
        sizes = [len(b) for b in batches]
        assert sizes == [bs] * (n // bs) + ([n % bs] if n % bs else [])
        order = [i for b in batches for i in b]
        assert sorted(order) == list(range(n))
        orders.append(order)
    if shuffle:
        assert orders[0] != orders[1] and orders[1] != orders[2]
    else:
        assert orders == [list(range(n))] * 3
    assert torch.equal(run.X, X)  # the data itself is never reordered


def test_d2l_loader_is_d2ls_data_iter(restore_global_rngs):
    def data_iter(batch_size, features, labels):  # d2l, as in seed 001 (global random.shuffle)
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    cfg = preset_config("linreg-d2l", seed=7)
    run = init(cfg)
    random.seed(7)
    ref_epochs = []
    for _ in range(2):
        ids = torch.arange(1000).reshape(-1, 1)
        ref_epochs.append([xb.reshape(-1).tolist() for xb, _ in data_iter(10, ids, ids)])
    for e in range(2):
        run.run_epoch()
        assert len(run.epoch_batches) == 100
        assert run.epoch_batches == ref_epochs[e]


def test_index_loader_without_shuffle_walks_the_data_in_order():
    # seed 004: for step in range(n_items): data_x[step]
    run = init(preset_config("logreg-manual", n=300, steps=450))
    seen = []
    for _ in range(450):
        run.run(1)
        seen.append(run.last_batch)
    assert seen == [[i] for i in range(300)] + [[i] for i in range(150)]


def test_batch_mode_uses_the_full_data_every_step():
    cfg = preset_config("linreg-manual", steps=25)
    run = init(cfg)
    assert run.steps_per_epoch == 1 and run.batch_size == 50
    X, y = run.data.X, run.data.y
    for k in range(1, 26):
        p = run.params()
        rec = run.step()
        assert run.last_batch is None and run.epoch == k
        assert rec["loss"] == pytest.approx(reference.mse(X, y, p["w"], p["b"]), rel=1e-5)
    assert run.epoch_batches == []
    # the loss after epoch k is the loss at the parameters after step k
    recs = run.records()
    want = [reference.mse(X, y, r["w"], r["b"]) for r in recs]
    np.testing.assert_allclose(run.epoch_losses(), want, rtol=1e-5)


def test_epoch_and_validation_losses_are_full_data_losses():
    cfg = Config(data="linear", n=150, val_fraction=0.2, mode="minibatch", batch_size=16, epochs=5, seed=4)
    run = init(cfg)
    run.run()
    spe = run.steps_per_epoch
    assert run.n == 120 and spe == 8
    recs = {r["step"]: r for r in run.records()}
    ends = [recs[spe * e] for e in range(1, 6)]
    np.testing.assert_allclose(run.epoch_losses(), [reference.mse(run.data.X, run.data.y, r["w"], r["b"])
                                                    for r in ends], rtol=1e-5)
    np.testing.assert_allclose(run.val_losses(), [reference.mse(run.data.X_val, run.data.y_val, r["w"], r["b"])
                                                  for r in ends], rtol=1e-5)
    assert run.history.epoch_end_step == [spe * e for e in range(1, 6)]


def test_full_tensor_pitfall_is_full_batch_gd_every_step():
    """Seed 000 as printed: the loop body uses tensorX/tensorY, so each 'mini-batch' step is full batch."""
    cfg = preset_config("linreg-minibatch", full_tensor_pitfall=True)
    run = init(cfg)
    run.run()
    assert run.step_count == 792
    X, y = run.data.X, run.data.y
    g = torch.Generator().manual_seed(cfg.seed)
    w, b = torch.randn(1, generator=g, requires_grad=True), torch.randn(1, generator=g, requires_grad=True)
    w.grad, b.grad = torch.zeros(1), torch.zeros(1)
    losses = []
    for epoch in range(1, 100):  # noqa: B007 (seed 000's loop as written)
        for i, (data, label) in enumerate(dataloader(X, y, 20, cfg.seed)):  # noqa: B007
            h = X * w + b
            loss = torch.mean((h - y) ** 2)
            loss.backward()
            w.data -= 0.01 * w.grad.data
            b.data -= 0.01 * b.grad.data
            w.grad.zero_()
            b.grad.zero_()
            losses.append(loss.item())
    np.testing.assert_allclose(run.losses(), losses, rtol=1e-6)
    assert run.params()["w"][0] == pytest.approx(w.item(), rel=1e-6)
    assert run.params()["b"][0] == pytest.approx(b.item(), rel=1e-6)
    honest = init(preset_config("linreg-minibatch"))
    honest.run()
    assert not np.allclose(honest.losses(), run.losses())
