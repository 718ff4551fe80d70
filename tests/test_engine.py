"""gdcore.engine: trajectories against plain reference loops with torch's own optimizers and loaders."""
from __future__ import annotations

import math
import random
import threading

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from gdcore import engine, reference
from gdcore.config import Config
from gdcore.data import make_dataset
from gdcore.engine import init
from gdcore.loops.updates import make_optimizer
from gdcore.presets import PRESETS, preset_config

# The run's batches come from its own generators: a torch.Generator seeded with seed + 1 for
# DataLoader / index shuffles, random.Random(seed) for d2l's data_iter; w and b come from a
# torch.Generator seeded with seed (continuing after the data where the data came from torch).


def _dataloader(X, y, bs, seed, shuffle=True):
    """A real DataLoader(TensorDataset, batch_size, shuffle) on the run's shuffle generator."""
    return DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=shuffle,
                      generator=torch.Generator().manual_seed(seed + 1))


def _init_generator(ds, seed):
    g = torch.Generator()
    if ds.gen_state is not None:
        g.set_state(ds.gen_state)
    else:
        g.manual_seed(seed)
    return g


def _batches(loader, steps):
    """Yield `steps` batches, epoch after epoch, as the tutorial's nested loop does."""
    k = 0
    while True:
        for xb, yb in loader:
            yield xb, yb
            k += 1
            if k == steps:
                return


# -- all six optimizers against torch.optim in a plain loop ----------------------------------

def _torch_optimizer(name, params, c: Config):
    if name == "sgd":
        return torch.optim.SGD(params, lr=c.lr, weight_decay=c.weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, nesterov=True, weight_decay=c.weight_decay)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=c.lr, weight_decay=c.weight_decay,
                                   **({} if c.eps is None else {"eps": c.eps}))
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=c.lr, alpha=c.alpha, momentum=c.rms_momentum,
                                   weight_decay=c.weight_decay, **({} if c.eps is None else {"eps": c.eps}))
    if name == "adam":
        return torch.optim.Adam(params, lr=c.lr, betas=(c.beta1, c.beta2), weight_decay=c.weight_decay,
                                **({} if c.eps is None else {"eps": c.eps}))
    raise AssertionError(name)


STATE_KEYS = {"sgd": [], "momentum": ["momentum_buffer"], "nesterov": ["momentum_buffer"], "adagrad": ["sum"],
              "rmsprop": ["square_avg"], "adam": ["exp_avg", "exp_avg_sq"]}

OPT_CASES = [
    ("sgd", dict(lr=0.02)),
    ("sgd", dict(lr=0.02, weight_decay=0.1)),
    ("momentum", dict(lr=0.01, momentum=0.9)),
    ("nesterov", dict(lr=0.01, momentum=0.8)),
    ("adagrad", dict(lr=0.3)),
    ("rmsprop", dict(lr=0.01, alpha=0.9)),
    ("rmsprop", dict(lr=0.01, rms_momentum=0.5, eps=1e-6)),
    ("adam", dict(lr=0.05)),
    ("adam", dict(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.01)),
]


@pytest.mark.parametrize("impl", ["manual", "module"])
@pytest.mark.parametrize("name,hyper", OPT_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPT_CASES)])
@pytest.mark.parametrize("features", [1, 2])
def test_optimizer_trajectory_equals_torch_optim_loop(impl, name, hyper, features):
    steps = 30
    if features == 1:
        cfg = Config(data="linear", n=150, impl=impl, optimizer=name, mode="minibatch", batch_size=20,
                     init="randn", steps=steps, seed=11, **hyper).validated()
    else:
        cfg = Config(data="synthetic", n=64, true_w=(2.0, -3.4), true_b=4.2, noise=0.01, impl=impl,
                     optimizer=name, mode="minibatch", batch_size=10, init="randn", steps=steps, seed=5,
                     **hyper).validated()
    run = init(cfg)
    ds = make_dataset(cfg)
    g = _init_generator(ds, cfg.seed)
    w_shape = (1,) if features == 1 else (features, 1)
    w0, b0 = torch.randn(w_shape, generator=g), torch.randn(1, generator=g)
    if impl == "module":  # seed 002's Lr: nn.Linear + nn.MSELoss
        model = nn.Linear(features, 1)
        with torch.no_grad():
            model.weight.copy_(w0.reshape(1, features))
            model.bias.copy_(b0)
        w, b = model.weight, model.bias
        forward, criterion = model, nn.MSELoss()
    else:  # raw tensors
        w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        forward = (lambda X: X * w + b) if features == 1 else (lambda X: torch.matmul(X, w) + b)
        criterion = lambda h, Y: torch.mean((h - Y) ** 2)  # noqa: E731
    # manual + plain SGD is the tutorials' hand update; everything else goes through torch.optim
    hand = impl == "manual" and name == "sgd" and cfg.weight_decay == 0
    opt = _torch_optimizer(name, [w, b], cfg)
    keys = STATE_KEYS[name] + (["momentum_buffer"] if name == "rmsprop" and cfg.rms_momentum > 0 else [])
    wcols = ["w"] if features == 1 else [f"w{i + 1}" for i in range(features)]
    for k, (xb, yb) in enumerate(_batches(_dataloader(ds.X, ds.y, cfg.batch_size, cfg.seed), steps), 1):
        opt.zero_grad()
        loss = criterion(forward(xb), yb)
        loss.backward()
        if hand:
            w.data -= cfg.lr * w.grad.data
            b.data -= cfg.lr * b.grad.data
        else:
            opt.step()
        rec = run.step()
        assert rec["step"] == k
        assert rec["loss"] == loss.item(), k
        expected = dict(zip(wcols + ["b"], w.detach().reshape(-1).tolist() + b.detach().reshape(-1).tolist()))
        expected.update({f"grad_{c}": v for c, v in
                         zip(wcols + ["b"], w.grad.reshape(-1).tolist() + b.grad.reshape(-1).tolist())})
        for key in keys:
            vals = opt.state[w][key].reshape(-1).tolist() + opt.state[b][key].reshape(-1).tolist()
            expected.update({f"{key}[{c}]": v for c, v in zip(wcols + ["b"], vals)})
        state_cols = {c for c in rec if "[" in c}
        assert state_cols == {c for c in expected if "[" in c}
        for col, v in expected.items():
            assert rec[col] == v, (k, col, rec[col], v)
    assert run.params()["w"] == w.detach().reshape(-1).tolist()


def test_make_optimizer_builds_torch_optimizers():
    p = [torch.zeros(1, requires_grad=True)]
    kinds = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
             "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}
    for name, cls in kinds.items():
        opt = make_optimizer(Config(optimizer=name, lr=0.125), p)
        assert type(opt) is cls and opt.param_groups[0]["lr"] == 0.125
    assert make_optimizer(Config(optimizer="nesterov"), p).param_groups[0]["nesterov"] is True
    assert make_optimizer(Config(optimizer="momentum"), p).param_groups[0]["momentum"] == 0.9


# -- the manual loop and the nn.Module loop are one contract ---------------------------------

@pytest.mark.parametrize("loader", ["dataloader", "index", "d2l"])
def test_manual_and_module_sgd_give_the_same_trajectory(loader):
    base = Config(data="linear", n=150, mode="minibatch", batch_size=20, loader=loader, init="randn",
                  optimizer="sgd", lr=0.02, steps=400, seed=21)
    man, mod = init(base.replace(impl="manual")), init(base.replace(impl="module"))
    assert man.manual and not mod.manual
    man.run()
    mod.run()
    np.testing.assert_allclose(man.losses(), mod.losses(), rtol=1e-5, atol=1e-7)
    rm, ro = man.records(), mod.records()
    assert [r["step"] for r in rm] == [r["step"] for r in ro] == list(range(1, 401))
    for col in ("w", "b"):
        np.testing.assert_allclose([r[col] for r in rm], [r[col] for r in ro], rtol=1e-5, atol=1e-6)
    # a gradient is a sum of O(1..10) float32 terms that nearly cancel near the optimum: compare it
    # on the scale of those terms, not relative to its own (small) size
    for col in ("grad_w", "grad_b"):
        np.testing.assert_allclose([r[col] for r in rm], [r[col] for r in ro], rtol=1e-5, atol=1e-5)


# -- modes and loaders -------------------------------------------------------------------------

def test_linreg_minibatch_batches_are_dataloaders():
    cfg = preset_config("linreg-minibatch")
    run = init(cfg)
    ref = _dataloader(run.X, run.y, 20, cfg.seed)
    assert run.steps_per_epoch == 8 == len(ref)
    epochs = []
    for _ in range(3):
        assert run.run_epoch() == 8
        epochs.append(run.epoch_batches)
        assert [len(b) for b in run.epoch_batches] == [20] * 7 + [10]
        assert sorted(i for b in run.epoch_batches for i in b) == list(range(150))
    ref_idx = _dataloader(torch.arange(150), torch.arange(150), 20, cfg.seed)
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
        for i, (data, label) in enumerate(_dataloader(X, y, 20, cfg.seed)):  # noqa: B007
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


# -- step / run / run_epoch / reset ------------------------------------------------------------

def test_step_run_run_epoch_and_reset():
    cfg = preset_config("linreg-minibatch", epochs=3)
    run = init(cfg)
    g = torch.Generator().manual_seed(cfg.seed)
    w0, b0 = torch.randn(1, generator=g).item(), torch.randn(1, generator=g).item()
    assert run.params() == {"w": [w0], "b": [b0]}
    assert run.total_steps == 24 and not run.done
    rec = engine.step(run)
    assert run.step_count == 1 and len(run.losses()) == 1 and rec["step"] == 1
    assert run.step()["step"] == 2 and run.step_count == 2 and len(run.records()) == 2
    assert run.run(3) == 3 and run.step_count == 5 and len(run.losses()) == 5
    assert run.run_epoch() == 3 and run.step_count == 8 and run.epoch == 1 and run.batch_in_epoch == 0
    assert run.run_epoch() == 8 and run.step_count == 16 and run.epoch == 2
    assert run.run(100) == 8 and run.done and run.step_count == 24  # clipped at the end of the run
    assert run.run() == 0 and run.run(5) == 0
    last = run.step()
    assert run.step_count == 24 and last["step"] == 24
    first_losses, first_records, final = run.losses().copy(), run.records(), run.params()

    run.reset()
    assert run.step_count == 0 and run.epoch == 0 and run.status == "ok" and not run.done
    assert len(run.losses()) == 0 and run.records() == []
    assert run.params() == {"w": [w0], "b": [b0]}
    assert run.run() == 24
    assert np.array_equal(run.losses(), first_losses)
    assert run.records() == first_records and run.params() == final


def test_run_to_the_end_and_callback_can_stop():
    cfg = preset_config("linreg-minibatch", steps=2000)
    run = init(cfg)
    calls = []

    def cb(r):
        calls.append(r.step_count)
        return False

    taken = run.run(callback=cb)
    assert calls == [taken] and 0 < taken < 2000
    assert run.run() == 2000 - taken and run.step_count == 2000 and run.done


def test_accuracy_and_predict_against_direct_computation():
    run = init(preset_config("logreg-manual", steps=3000))
    run.run()
    p = run.params()
    w, b = torch.tensor(p["w"]), p["b"][0]
    X, y = run.data.X, run.data.y.reshape(-1)
    z = X @ w + b
    assert run.accuracy() == pytest.approx(((z > 0).float() == y).float().mean().item(), abs=0)
    np.testing.assert_allclose(run.predict(X[:10].numpy()), torch.sigmoid(z[:10]).numpy(), rtol=1e-6)
    lin = init(preset_config("linreg-manual", steps=10))
    lin.run()
    q = lin.params()
    np.testing.assert_allclose(lin.predict([0.0, 0.5, 1.0]),
                               [q["b"][0], 0.5 * q["w"][0] + q["b"][0], q["w"][0] + q["b"][0]], rtol=1e-6)
    assert lin.accuracy() is None
    assert lin.lambda_max() == pytest.approx(reference.lambda_max(lin.data.X))


# -- determinism, threads, and the global generators --------------------------------------------

THREAD_CASES = [("linreg-minibatch", dict(seed=3, steps=800)),
                ("linreg-d2l", dict(seed=1, steps=300)),
                ("linreg-module", dict(seed=2, steps=600, mode="minibatch", batch_size=8, loader="dataloader")),
                ("logreg-manual", dict(seed=5, steps=900, shuffle=True))]


def _result(run):
    return run.losses().copy(), run.records(), run.params()


def test_same_config_same_numbers_even_while_other_runs_train_in_threads():
    solo = {}
    for name, kw in THREAD_CASES:
        a, b = init(preset_config(name, **kw)), init(preset_config(name, **kw))
        a.run()
        b.run()
        ra, rb = _result(a), _result(b)
        assert np.array_equal(ra[0], rb[0]) and ra[1:] == rb[1:]
        solo[name] = ra
    results, errors = {}, []
    barrier = threading.Barrier(len(THREAD_CASES))

    def work(name, kw):
        try:
            run = init(preset_config(name, **kw))
            barrier.wait(timeout=120)
            while not run.done:  # small slices so the threads interleave
                run.run(37)
            results[name] = _result(run)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            barrier.abort()  # never leave the other threads waiting

    threads = [threading.Thread(target=work, args=case) for case in THREAD_CASES]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for name, _ in THREAD_CASES:
        assert np.array_equal(results[name][0], solo[name][0]), name
        assert results[name][1:] == solo[name][1:], name


def test_different_seeds_differ():
    a = init(preset_config("linreg-minibatch", seed=1, steps=20))
    b = init(preset_config("linreg-minibatch", seed=2, steps=20))
    a.run()
    b.run()
    assert not np.array_equal(a.losses(), b.losses())


def test_building_and_running_every_preset_leaves_global_generators_alone():
    torch_state, np_state, py_state = torch.random.get_rng_state(), np.random.get_state(), random.getstate()
    configs = [preset_config(name, steps=30) for name in PRESETS]
    configs += [preset_config("linreg-minibatch", steps=30, impl="module", optimizer="adam", val_fraction=0.2),
                preset_config("linreg-module", steps=30, mode="minibatch", batch_size=5),
                preset_config("logreg-manual", steps=30, shuffle=True),
                preset_config("logreg-manual", steps=30, impl="module", loss="bce_logits", batch_size=10)]
    for cfg in configs:
        run = init(cfg)
        run.run()
        run.reset()
        run.run_epoch()
        run.records()
        run.current_loss()
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    now = np.random.get_state()
    assert now[0] == np_state[0] and np.array_equal(now[1], np_state[1]) and now[2:] == np_state[2:]
    assert random.getstate() == py_state


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
    g = _init_generator(run.data, cfg.seed)
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
    ids = _dataloader(torch.arange(150), torch.arange(150), 20, cfg.seed)
    batches = [xb for xb, _ in _batches(ids, 792)]
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
    g = _init_generator(run.data, cfg.seed)
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
        assert T("logreg.widgets.safe") in text  # the switch that fixes it, as the page labels it
    if cfg.optimizer in ("adam", "rmsprop"):
        assert T(f"engine.optimizer.{cfg.optimizer}") in text


def test_divergence_is_explained_in_keys_and_numbers():
    """The run says why it stopped as (key, values) with plain numbers; a page renders them."""
    run = engine.Run(preset_config("linreg-manual", lr=5.0))
    run.run()
    (head, head_values), (cause, values) = run.explanation()
    assert head == "engine.head" and head_values["step"] == run.divergence.step
    assert head_values["what"] == ("engine.what.loss", {"name": ""}) and head_values["value"] == "inf"
    assert cause == "engine.above_limit" and values["lr"] == 5.0
    assert values["limit"] == pytest.approx(2 / reference.lambda_max(run.data.X, "mse"))
    assert engine.Run(preset_config("linreg-manual")).explanation() == []
