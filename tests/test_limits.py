"""Every numeric limit comes from gdcore/limits.py: the engine, the links, the pages' widgets and the README
table all agree with it (each check fails when one of them keeps a number of its own)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from apptest_util import open_page

from gdcore import config, data, limits, links
from gdcore.engine import Run
from gdcore.errors import ConfigError
from gdcore.lessons import linear_regression, logistic_regression, mini_batches, optimizers
from gdcore.presets import preset_config

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_table_is_the_modules():
    text = README.read_text(encoding="utf-8")
    m = re.search(r"<!-- limits: gdcore/limits.py -->\n(.*?)\n<!-- /limits -->", text, re.S)
    assert m, "README.md has no limits table between its markers"
    assert m.group(1).strip() == limits.markdown_table()


def test_engine_links_and_uploads_read_the_module():
    assert (config.MAX_N, config.MAX_FEATURES, config.MAX_STEPS, config.MAX_LR) == (
        limits.MAX_N, limits.MAX_FEATURES, limits.MAX_STEPS, limits.MAX_LR)
    assert (data.MAX_UPLOAD_BYTES, data.MAX_CSV_ROWS, data.MAX_CSV_COLUMNS) == (
        limits.MAX_UPLOAD_BYTES, limits.MAX_CSV_ROWS, limits.MAX_CSV_COLUMNS)
    assert links.STEPS_FIELD.hi == limits.MAX_LINK_STEPS and links.SEED_FIELD.hi == limits.MAX_SEED
    with pytest.raises(ConfigError):
        preset_config("linreg-manual", steps=limits.MAX_STEPS + 1)
    with pytest.raises(ConfigError):
        preset_config("linreg-manual", lr=limits.MAX_LR * 2)
    preset_config("linreg-manual", steps=limits.MAX_STEPS, lr=limits.MAX_LR)  # the caps themselves are allowed


def _field(fields, name):
    return next(f for f in fields if f.name == name)


@pytest.mark.parametrize("fields, name, pair", [
    (linear_regression.LINK_FIELDS, "n", limits.PAGE_N),
    (linear_regression.LINK_FIELDS, "lr", limits.PAGE_LR),
    (linear_regression.LINK_FIELDS, "true_w", limits.PAGE_TRUE),
    (linear_regression.LINK_FIELDS, "true_b", limits.PAGE_TRUE),
    (linear_regression.LINK_FIELDS, "noise", limits.PAGE_NOISE),
    (linear_regression.LINK_FIELDS, "x_range", limits.PAGE_X_RANGE),
    (linear_regression.LINK_FIELDS, "num_epochs", limits.PAGE_STEPS),
    (logistic_regression.LINK_FIELDS, "lr", limits.LOGREG_LR),
    (logistic_regression.LINK_FIELDS, "epochs", limits.LOGREG_EPOCHS),
    (mini_batches.LINK_FIELDS, "lr", limits.MINIBATCH_LR),
    (mini_batches.LINK_FIELDS, "epochs", limits.MINIBATCH_EPOCHS),
    (optimizers.LINK_FIELDS, "lr", limits.OPTIM_LR),
    (optimizers.LINK_FIELDS, "epochs", limits.PAGE_STEPS),
])
def test_link_fields_use_the_limits(fields, name, pair):
    f = _field(fields, name)
    assert (f.lo, f.hi) == pair


@pytest.mark.parametrize("page, keys", [
    ("pages/views/linear_regression.py", {"w.linear_regression.n": limits.PAGE_N,
                                          "w.linear_regression.lr": limits.PAGE_LR,
                                          "w.linear_regression.steps": limits.PAGE_STEPS,
                                          "w.linear_regression.run_n": limits.RUN_N,
                                          "w.linear_regression.true_w": limits.PAGE_TRUE,
                                          "w.linear_regression.true_b": limits.PAGE_TRUE,
                                          "w.linear_regression.noise": limits.PAGE_NOISE,
                                          "w.linear_regression.x_range": limits.PAGE_X_RANGE}),
    ("pages/views/logistic_regression.py", {"w.logistic_regression.lr": limits.LOGREG_LR,
                                            "w.logistic_regression.epochs": limits.LOGREG_EPOCHS}),
    ("pages/views/mini_batches.py", {"w.mini_batches.lr": limits.MINIBATCH_LR,
                                     "w.mini_batches.epochs": limits.MINIBATCH_EPOCHS}),
    ("pages/views/optimizers.py", {"w.optimizers.lr": limits.OPTIM_LR, "w.optimizers.steps": limits.PAGE_STEPS}),
])
def test_page_widgets_use_the_limits(page, keys):
    at = open_page(page)
    for key, (lo, hi) in keys.items():
        w = at.number_input(key=key)
        assert (w.min, w.max) == (lo, hi), key
    assert at.number_input(key="w.seed").max == limits.MAX_SEED  # the sidebar's


def test_full_batch_logistic_runs_to_the_engines_cap():
    c = logistic_regression.variant_config(mode="batch", epochs=limits.LOGREG_EPOCHS[1])
    run = Run(c)
    assert run.total_steps == limits.MAX_STEPS  # one update per epoch, the whole cap
    with pytest.raises(ConfigError) as exc:  # one sample a step: 1,000 updates an epoch
        Run(logistic_regression.variant_config(mode="stochastic", epochs=limits.MAX_STEPS // 1000 + 1))
    assert f"{limits.MAX_STEPS // 1000:,} epochs" in str(exc.value)
