"""gdcore.engine: trajectories against plain reference loops with torch's own optimizers; stepping, threads."""
from __future__ import annotations

import random
import threading

import numpy as np
import pytest
import torch
from reference_loops import dataloader, init_generator, take_batches, torch_optimizer
from torch import nn

from gdcore import engine, reference
from gdcore.config import Config
from gdcore.data import make_dataset
from gdcore.engine import init
from gdcore.loops.updates import optimizer_for
from gdcore.presets import PRESETS, preset_config

# -- all six optimizers against torch.optim in a plain loop ----------------------------------

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
    g = init_generator(ds, cfg.seed)
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
    opt = torch_optimizer(name, [w, b], cfg)
    keys = STATE_KEYS[name] + (["momentum_buffer"] if name == "rmsprop" and cfg.rms_momentum > 0 else [])
    wcols = ["w"] if features == 1 else [f"w{i + 1}" for i in range(features)]
    for k, (xb, yb) in enumerate(take_batches(dataloader(ds.X, ds.y, cfg.batch_size, cfg.seed), steps), 1):
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


def test_each_optimizer_builds_torchs_own():
    p = [torch.zeros(1, requires_grad=True)]
    kinds = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
             "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}
    for name, cls in kinds.items():
        c = Config(optimizer=name, lr=0.125)
        opt = optimizer_for(c).make(c, p)
        assert type(opt) is cls and opt.param_groups[0]["lr"] == 0.125
    c = Config(optimizer="nesterov")
    assert optimizer_for(c).make(c, p).param_groups[0]["nesterov"] is True
    c = Config(optimizer="momentum")
    assert optimizer_for(c).make(c, p).param_groups[0]["momentum"] == 0.9


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


# -- the optimizer's step, called past torch's profiler wrapper ---------------------------------------

def _module_run(optimizer="momentum"):
    return init(Config(data="linear", n=40, impl="module", optimizer=optimizer, lr=0.01, momentum=0.9,
                       steps=6, seed=3).validated())


def test_a_step_enters_no_profiler_range_of_its_own():
    """The update is the class's own step: torch's per-step `Optimizer.step#...` range is not entered."""
    from torch.profiler import ProfilerActivity, profile
    run = _module_run()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        run.run(3)
    names = {e.name for e in prof.events()}
    assert any("mse_loss" in n for n in names)  # the profiler saw the step's own ops
    assert not any(n.startswith("Optimizer.step#") for n in names), sorted(names)


@pytest.mark.parametrize("where", ["instance", "global"])
def test_registered_step_hooks_still_run_and_the_trajectory_is_the_same(where):
    """While a step hook is registered, the step goes through torch's wrapper and calls it; the numbers agree."""
    from torch.optim.optimizer import register_optimizer_step_post_hook
    plain = _module_run()
    plain.run(6)
    run = _module_run()
    seen = []
    hook = (run.optimizer.register_step_post_hook if where == "instance" else register_optimizer_step_post_hook)(
        lambda opt, args, kwargs: seen.append(opt))
    try:
        run.run(6)
    finally:
        hook.remove()
    assert len(seen) == 6 and all(o is run.optimizer for o in seen)
    assert run.records() == plain.records()
