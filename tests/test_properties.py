"""Property-based tests: any valid config either trains, diverges with a message, or stops at
its step cap; never an exception, never a non-finite value in what a chart would draw."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdcore import Run
from gdcore.config import OPTIMIZERS, Config
from gdcore.data import DataError, load_csv
from gdcore.errors import ConfigError

finite_lr = st.floats(min_value=1e-8, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def linreg_configs(draw):
    n = draw(st.integers(1, 60))
    mode = draw(st.sampled_from(["batch", "stochastic", "minibatch"]))
    impl = draw(st.sampled_from(["manual", "module"]))
    loss = "half_squared" if impl == "manual" and draw(st.booleans()) else "mse"
    optimizer = "sgd" if loss == "half_squared" else draw(st.sampled_from(OPTIMIZERS))
    return Config(
        task="linreg", data=draw(st.sampled_from(["linear", "uniform"])), n=n,
        true_w=(draw(st.floats(-50, 50)),), true_b=draw(st.floats(-50, 50)),
        noise=draw(st.floats(0, 10)), x_range=draw(st.floats(0.01, 100)), impl=impl, loss=loss, mode=mode,
        batch_size=draw(st.integers(1, n)), loader=draw(st.sampled_from(["dataloader", "d2l", "index"])),
        shuffle=draw(st.booleans()), init=draw(st.sampled_from(["randn", "rand", "normal", "linear_default"])),
        optimizer=optimizer, lr=draw(finite_lr), steps=draw(st.integers(1, 40)),
        seed=draw(st.integers(0, 2**31)), full_tensor_pitfall=mode != "batch" and draw(st.booleans()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linreg_configs())
def test_any_linear_config_trains_or_diverges_with_a_message(config):
    run = Run(config)
    run.run()
    losses = run.losses()
    assert np.isfinite(losses).all()
    assert all(math.isfinite(v) for v in run.params()["w"] + run.params()["b"])
    if run.status == "diverged":
        assert run.message.startswith(f"diverged at step {run.divergence.step}:")
        assert len(losses) == run.step_count == run.divergence.step - 1
    else:
        assert run.status == "ok" and run.step_count == config.steps == len(losses)
    for rec in run.records():
        assert all(math.isfinite(v) for v in rec.values())


@settings(max_examples=30, deadline=None)
@given(lr=finite_lr, loss=st.sampled_from(["bce_manual", "bce", "bce_logits"]),
       impl=st.sampled_from(["manual", "module"]), batch=st.integers(1, 30), seed=st.integers(0, 10_000))
def test_any_logistic_config_trains_or_diverges_with_a_message(lr, loss, impl, batch, seed):
    if impl == "module" and loss == "bce_manual":
        loss = "bce"
    config = Config(task="logreg", data="logistic_rule", n=30, true_w=(0.5, -1.5), true_b=0.0, impl=impl,
                    loss=loss, mode="minibatch", batch_size=batch, loader="index", init="randn_zero",
                    lr=lr, steps=25, seed=seed)
    run = Run(config)
    run.run()
    assert np.isfinite(run.losses()).all()
    assert run.status in ("ok", "diverged")
    if run.status == "diverged":
        assert "diverged at step" in run.message
    assert 0.0 <= run.accuracy() <= 1.0


@settings(max_examples=40, deadline=None)
@given(lr=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 0)),
       batch=st.integers(-3, 0), steps=st.integers(-3, 0))
def test_invalid_numbers_are_config_errors(lr, batch, steps):
    for changes in ({"lr": lr}, {"batch_size": batch}, {"steps": steps}):
        if "lr" in changes and isinstance(lr, float) and math.isfinite(lr) and 0 < lr <= 1e6:
            continue
        try:
            Config().replace(**changes)
        except ConfigError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            raise AssertionError(f"{changes} was accepted")


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_give_one_sentence(raw):
    try:
        ds = load_csv(raw)
    except DataError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert ds.n >= 1 and np.isfinite(ds.X.numpy()).all() and np.isfinite(ds.y.numpy()).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(width=32), st.text(max_size=4)), min_size=2, max_size=2),
                min_size=0, max_size=12))
def test_any_table_parses_or_gives_one_sentence(rows):
    text = "x,y\n" + "\n".join(",".join(str(c) for c in row) for row in rows)
    try:
        ds = load_csv(text.encode())
    except DataError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert ds.n == len([r for r in rows if any(str(c).strip() for c in r)]) or ds.n >= 1
