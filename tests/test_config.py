"""gdcore.config: validation (one sentence naming the field) and the batch/step arithmetic."""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from gdcore import engine
from gdcore.config import LOSSES, MODES, OPTIMIZERS, Config
from gdcore.errors import ConfigError, GdError
from gdcore.presets import PRESETS


def _one_sentence(msg: str) -> None:
    assert msg and "\n" not in msg and len(msg) < 250, msg
    assert ". " not in msg.rstrip("."), f"more than one sentence: {msg!r}"


def test_default_and_every_preset_validate():
    assert Config().validated() == Config()
    for name, cfg in PRESETS.items():
        assert cfg.validated() is cfg, name


BAD_VALUES = [
    ("lr", 0), ("lr", 0.0), ("lr", -0.1), ("lr", float("nan")), ("lr", float("inf")), ("lr", -float("inf")),
    ("lr", 1e7), ("lr", "0.1"), ("lr", True),
    ("batch_size", 0), ("batch_size", -3), ("batch_size", 2.5), ("batch_size", True),
    ("steps", 0), ("steps", -1), ("steps", 1.5),
    ("epochs", 0),
    ("n", 0), ("n", -5), ("n", 10.0), ("n", 2_000_000),
    ("optimizer", "lbfgs"), ("optimizer", "Adam"), ("loss", "hinge"), ("mode", "full"),
    ("task", "svm"), ("data", "mnist"), ("impl", "jax"), ("loader", "webdataset"), ("init", "zeros"),
    ("update", "inplace"),
    ("seed", -1), ("seed", 1.5), ("seed", 2**63),
    ("noise", -0.1), ("noise", float("nan")), ("x_range", 0.0), ("val_fraction", 0.95),
    ("momentum", 1.0), ("beta1", -0.1), ("beta2", 1.0), ("alpha", float("inf")), ("weight_decay", -1.0),
    ("eps", 0.0), ("eps", float("nan")), ("true_b", float("inf")),
]


@pytest.mark.parametrize("field,value", BAD_VALUES, ids=[f"{f}={v!r}" for f, v in BAD_VALUES])
def test_bad_value_raises_config_error_naming_the_field(field, value):
    with pytest.raises(ConfigError) as info:
        Config().replace(**{field: value})
    msg = str(info.value)
    assert field in msg, msg
    _one_sentence(msg)
    # a ConfigError is a GdError is a ValueError: callers can catch either
    assert isinstance(info.value, GdError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("field,value", [("lr", 0), ("batch_size", 0), ("optimizer", "sgdx"), ("n", 0)])
def test_run_validates_an_unvalidated_config(field, value):
    cfg = dataclasses.replace(Config(), **{field: value})  # the dataclass itself does not check
    with pytest.raises(ConfigError, match=field):
        engine.init(cfg)


def test_unknown_choice_lists_the_options():
    with pytest.raises(ConfigError) as info:
        Config().replace(optimizer="lbfgs")
    for name in OPTIMIZERS:
        assert name in str(info.value)
    with pytest.raises(ConfigError) as info:
        Config().replace(loss="hinge")
    for name in LOSSES:
        assert name in str(info.value)
    with pytest.raises(ConfigError) as info:
        Config().replace(mode="full")
    for name in MODES:
        assert name in str(info.value)


def test_unknown_setting_name():
    with pytest.raises(ConfigError, match="learning_rate"):
        Config().replace(learning_rate=0.1)


def test_epochs_and_steps_both_missing():
    with pytest.raises(ConfigError, match="epochs or steps"):
        Config().replace(epochs=None, steps=None)


@pytest.mark.parametrize("changes,words", [
    (dict(task="linreg", loss="bce"), "mse"),
    (dict(task="logreg", loss="mse", data="logistic_rule", true_w=(1.0, 2.0)), "cross-entropy"),
    (dict(task="logreg", loss="bce", data="linear"), "0/1 labels"),
    (dict(loss="half_squared", impl="module"), "half squared"),
    (dict(loss="half_squared", optimizer="adam"), "half squared"),
    (dict(task="logreg", data="logistic_rule", true_w=(1.0, 2.0), loss="bce_manual", impl="module"), "bce"),
    (dict(full_tensor_pitfall=True, mode="batch"), "pitfall"),
    (dict(data="linear", true_w=(1.0, 2.0)), "one feature"),
    (dict(data="synthetic", true_w=()), "true_w"),
    (dict(data="synthetic", true_w=(1.0,) * 65), "true_w"),
])
def test_inconsistent_combinations(changes, words):
    with pytest.raises(ConfigError, match=words) as info:
        Config().replace(**changes)
    _one_sentence(str(info.value))


def test_config_is_frozen_and_replace_copies():
    c = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.lr = 0.5
    d = c.replace(lr=0.5)
    assert d.lr == 0.5 and c.lr == 0.01


def test_to_dict_round_trips():
    for cfg in PRESETS.values():
        d = cfg.to_dict()
        assert isinstance(d["true_w"], list)
        back = Config(**{**d, "true_w": tuple(d["true_w"])})
        assert back == cfg


@pytest.mark.parametrize("n,bs", [(150, 20), (150, 150), (150, 7), (37, 5), (10, 64), (1, 1)])
def test_steps_per_epoch_matches_len_of_a_dataloader(n, bs):
    ds = TensorDataset(torch.zeros(n, 1))
    cfg = Config(mode="minibatch", batch_size=bs)
    assert cfg.batch_size_for(n) == min(bs, n)
    assert cfg.steps_per_epoch(n) == len(DataLoader(ds, batch_size=bs))
    assert Config(mode="stochastic").steps_per_epoch(n) == len(DataLoader(ds, batch_size=1)) == n
    assert Config(mode="batch").steps_per_epoch(n) == 1
    assert Config(mode="batch").batch_size_for(n) == n


def test_total_steps_from_epochs_or_steps():
    # seed 000: `for epoch in range(1, 100)` over 8 batches
    loop_steps = sum(1 for _epoch in range(1, 100) for _batch in range(math.ceil(150 / 20)))
    assert PRESETS["linreg-minibatch"].total_steps(150) == loop_steps == 792
    assert Config(steps=123, epochs=5).total_steps(150) == 123  # steps wins
    assert Config(mode="stochastic", epochs=3).total_steps(10) == 30
    assert Config(data="synthetic", true_w=(1.0, 2.0, 3.0)).n_features == 3


def test_dtype_is_float32_unless_chosen():
    from gdcore.errors import ConfigError as _ConfigError
    from gdcore.presets import preset_config as _preset_config

    assert _preset_config("linreg-manual").dtype == "float32"
    assert _preset_config("linreg-manual", dtype="float64").to_dict()["dtype"] == "float64"
    with pytest.raises(_ConfigError):
        _preset_config("linreg-manual", dtype="float16")
