"""gdcore.run_staging and gdcore.divergence: a run stops at the first non-finite value and says why."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from reference_loops import dataloader, init_generator, take_batches

from gdcore import engine, reference
from gdcore.engine import init
from gdcore.presets import PRESETS, preset_config

# -- divergence --------------------------------------------------------------------------------

def _manual_gd_until_nonfinite(X, y, w, b, lr, batches):
    """Seed 003's loop; returns (first non-finite step, losses before it, params before it)."""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    losses = []
    for k, idx in enumerate(batches, 1):
        xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        prev = (w.item(), b.item())
        loss = (xb * w + b - yb).pow(2).mean()
        if w.grad is not None:
            w.grad.zero_()
            b.grad.zero_()
        loss.backward()
        w.data -= lr * w.grad.data
        b.data -= lr * b.grad.data
        vals = torch.stack([loss.detach(), w.grad[0], b.grad[0], w.detach()[0], b.detach()[0]])
        if not torch.isfinite(vals).all():
            return k, losses, prev
        losses.append(loss.item())
    return None, losses, (w.item(), b.item())


def test_divergence_full_batch_above_the_stability_limit():
    cfg = preset_config("linreg-manual", lr=5.0)
    run = init(cfg)
    limit = reference.stability_limit(run.data.X, "mse", "sgd")
    assert cfg.lr > limit
    g = init_generator(run.data, cfg.seed)
    w0, b0 = torch.rand(1, generator=g), torch.rand(1, generator=g)
    k, losses, prev = _manual_gd_until_nonfinite(run.data.X, run.data.y, w0, b0, 5.0, [None] * 3000)
    assert k is not None
    run.run()
    assert run.status == "diverged" and run.done
    assert run.divergence.step == k
    L = run.losses()
    assert len(L) == k - 1 and np.isfinite(L).all()
    np.testing.assert_allclose(L, losses, rtol=1e-6)
    assert run.params() == {"w": [prev[0]], "b": [prev[1]]}
    assert run.step_count == k - 1
    assert f"step {k}" in run.message
    assert f"2/λmax = {limit:.3g}" in run.message
    assert run.run() == 0 and run.step_count == k - 1  # it stays stopped
    assert run.step()["step"] == k - 1
    recs = run.records()
    assert len(recs) == k - 1 and all(np.isfinite(list(r.values())).all() for r in recs)
    run.reset()
    assert run.status == "ok" and run.divergence is None and run.step_count == 0


def test_divergence_in_minibatch_mode_after_the_first_chunk():
    # just above the limit the loss grows slowly, so the blow-up lands past the first staged chunk
    base = preset_config("linreg-minibatch", epochs=99)
    limit = reference.stability_limit(init(base).data.X, "mse", "sgd")
    cfg = base.replace(lr=round(1.1 * limit, 6))
    run = init(cfg)
    ds = run.data
    g = torch.Generator().manual_seed(cfg.seed)
    w0, b0 = torch.randn(1, generator=g), torch.randn(1, generator=g)
    ids = dataloader(torch.arange(150), torch.arange(150), 20, cfg.seed)
    batches = [xb for xb, _ in take_batches(ids, 792)]
    k, losses, prev = _manual_gd_until_nonfinite(ds.X, ds.y, w0, b0, cfg.lr, batches)
    assert k is not None and k > run.history.chunk
    run.run()
    assert run.status == "diverged" and run.divergence.step == k
    L = run.losses()
    assert len(L) == k - 1 and np.isfinite(L).all()
    np.testing.assert_allclose(L, losses, rtol=1e-5)
    assert run.params()["w"][0] == pytest.approx(prev[0], rel=1e-5)
    assert run.params()["b"][0] == pytest.approx(prev[1], rel=1e-5)
    assert f"step {k}" in run.message and "2/λmax" in run.message
    assert run.epoch == (k - 1) // 8
    assert all(s <= k - 1 for s in run.history.epoch_end_step)
    assert np.isfinite(run.epoch_losses()).all()


@pytest.mark.parametrize("cfg", [
    preset_config("linreg-minibatch", lr=0.2),  # blows up inside the first staged chunk
    preset_config("linreg-minibatch", lr=0.125),  # past the first chunk
    preset_config("linreg-minibatch", lr=0.3, batch_size=100),  # two steps an epoch: epochs end inside a chunk
    preset_config("linreg-minibatch", lr=0.3, batch_size=1),  # stochastic
    preset_config("linreg-d2l", lr=3.0),  # d2l's data_iter
    preset_config("logreg-manual", lr=1e4, epochs=2),  # one sample a step, plain indexing
], ids=["000-lr0.2", "000-lr0.125", "bs100", "stochastic", "d2l", "004"])
def test_divergence_leaves_the_batches_of_the_last_finite_step(cfg):
    """After a diverging run, last_batch and epoch_batches are those of step_count, as when stepping one at a time."""
    run = init(cfg)
    run.run()
    assert run.status == "diverged"
    s = run.step_count
    stepped = init(cfg)
    for _ in range(s):
        stepped.run(1)
    assert stepped.status == "ok" and stepped.step_count == s
    assert (run.epoch, run.batch_in_epoch) == (stepped.epoch, stepped.batch_in_epoch)
    assert run.last_batch == stepped.last_batch
    assert run.epoch_batches == stepped.epoch_batches
    if s:
        assert run.last_batch == run.epoch_batches[-1] or len(run.epoch_batches) == 256


def test_hand_written_cross_entropy_diverges_with_the_log0_message():
    lr = 1e4
    cfg = preset_config("logreg-manual", lr=lr, epochs=2)
    run = init(cfg)
    # seed 004's loop with this lr, watching for the first non-finite value
    X, Y = run.data.X, run.data.y.reshape(-1)
    g = init_generator(run.data, cfg.seed)
    w = torch.randn(size=(2, 1), generator=g).requires_grad_(True)
    b = torch.zeros(size=(1, 1), requires_grad=True)
    first = None
    for k in range(1, 2001):
        i = (k - 1) % 1000
        y_hat = torch.sigmoid(torch.matmul(w.transpose(0, 1), X[i]) + b)
        loss = -(torch.log(y_hat) * Y[i] + (1 - Y[i]) * torch.log(1 - y_hat))
        loss.backward()
        with torch.no_grad():
            w.data -= lr * w.grad
            b.data -= lr * b.grad
        vals = torch.cat([loss.detach().reshape(-1), w.grad.reshape(-1), b.grad.reshape(-1),
                          w.detach().reshape(-1), b.detach().reshape(-1)])
        w.grad.data.zero_()
        b.grad.data.zero_()
        if not torch.isfinite(vals).all():
            first = k
            break
    assert first is not None
    run.run()
    assert run.status == "diverged" and run.divergence.step == first
    assert len(run.losses()) == first - 1 and np.isfinite(run.losses()).all()
    assert f"step {first}" in run.message
    assert "log(0)" in run.message and "numerically safe loss" in run.message
    # the numerically safe loss takes the same steps without a non-finite value
    safe = init(cfg.replace(loss="bce_logits", impl="module"))
    safe.run()
    assert safe.status == "ok" and safe.step_count == 2000 and np.isfinite(safe.losses()).all()


def test_divergence_message_in_both_languages():
    """`message` is the English sentence; explain(T) gives the same facts in the learner's language."""
    from gdcore.i18n import translator
    run = engine.Run(preset_config("linreg-manual", lr=5.0))
    run.run()
    assert run.status == "diverged" and run.explain() == run.message
    zh = run.explain(translator("zh"))
    assert f"第 {run.divergence.step} 步" in zh and "2/λmax = 0.821" in zh and "lr 5" in zh
    assert "diverged" not in zh


@pytest.mark.parametrize("cfg", [
    preset_config("logreg-manual", lr=1e4, epochs=2),  # log(0)
    preset_config("linreg-manual", lr=5.0),  # above the stability limit
    preset_config("linreg-minibatch", lr=0.1, batch_size=1, epochs=1),  # below it, with noisy batches
    preset_config("logreg-manual", impl="module", loss="bce_logits", optimizer="adam", lr=10.0, epochs=1),
    preset_config("logreg-manual", impl="module", loss="bce_logits", optimizer="rmsprop", lr=10.0, epochs=1),
], ids=["log0", "above", "below", "adam", "rmsprop"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_divergence_message_uses_words_not_internal_ids(cfg, lang):
    """The sentence names the loss by the switch's own words and optimizers by their lesson names."""
    from gdcore.i18n import translator
    T = translator(lang)
    run = init(cfg)
    run.run(50)
    if run.status != "diverged":  # the sentence for a run that did not blow up here by itself
        run.divergence = engine.Divergence(run.step_count + 1, "loss", float("inf"))
    text = run.explain(T)
    ids = set(PRESETS) | {"bce_logits", "bce_manual", "half_squared", "mse", "rmsprop", "adagrad", "nesterov",
                          "'bce'", " sgd ", " adam ", " momentum "}
    assert not [i for i in ids if i in text], text
    if cfg.loss == "bce_manual":
        assert T("logistic_regression.widgets.safe") in text  # the switch that fixes it, as the page labels it
    if cfg.optimizer in ("adam", "rmsprop"):
        assert T(f"engine.optimizer.{cfg.optimizer}") in text


def test_divergence_is_explained_in_keys_and_numbers():
    """The run says why it stopped as Messages with plain numbers; a page puts them in words."""
    from gdcore.i18n import Message, translator
    run = engine.Run(preset_config("linreg-manual", lr=5.0))
    run.run()
    head, cause = run.explanation()
    assert head.key == "engine.head" and head.values["step"] == run.divergence.step
    assert head.values["what"] == Message.of("engine.what.loss", name="") and head.values["value"] == "inf"
    assert cause.key == "engine.above_limit" and cause.values["lr"] == 5.0
    assert cause.values["limit"] == pytest.approx(2 / reference.lambda_max(run.data.X, "mse"))
    assert translator("zh")(run.explanation()) == run.explain(translator("zh"))
    assert engine.Run(preset_config("linreg-manual")).explanation() == []
    assert engine.Run(preset_config("linreg-manual")).message == ""
