"""The batched lr sweep: each run equals its sequential engine run; divergence per run; lr_grid; CLI."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_util import run_cli

from gdcore.engine import Run
from gdcore.errors import ConfigError
from gdcore.presets import preset_config
from gdcore.sweep import MAX_RUNS, lr_grid, sweep

ROOT = Path(__file__).resolve().parents[1]
RTOL, ATOL = 1e-5, 1e-6


def _close(a, b) -> bool:
    return np.allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=RTOL, atol=ATOL)


def assert_equals_sequential(config, lrs, chunk=None):
    """Every run of the sweep against `Run(config.replace(lr=lr)).run()`, the trusted sequential answer."""
    res = sweep(config, lrs, chunk=chunk)
    assert res.lrs == lrs and res.losses.shape == (res.steps, len(lrs))
    assert np.isfinite(res.losses).all()
    for i, lr in enumerate(lrs):
        run = Run(config.replace(lr=lr))
        run.run()
        step = None if run.divergence is None else run.divergence.step
        assert res.diverged_at[i] == step, f"lr {lr}: diverged_at {res.diverged_at[i]} != {step}"
        assert res.status[i] == run.status
        seq, bat = run.losses(), res.loss_history(i)
        assert len(bat) == len(seq) == run.step_count
        assert _close(bat, seq), f"lr {lr}: per-step losses differ by {np.max(np.abs(bat - seq)):.3g}"
        p = run.params()
        assert _close(res.w[i], p["w"]) and _close([res.b[i]], p["b"]), f"lr {lr}: {res.params(i)} != {p}"
        if step is None:
            assert _close([res.final_loss[i]], [run.current_loss()])
        else:
            assert res.final_loss[i] is None
    return res


# -- sweep == sequential ---------------------------------------------------------------------------

def test_linreg_manual_full_batch_with_one_divergent_lr():
    res = assert_equals_sequential(preset_config("linreg-manual", steps=1000), [1e-3, 0.03, 0.3, 0.8, 2.0])
    assert res.status == ["ok", "ok", "ok", "ok", "diverged"]
    assert res.stability_limit == pytest.approx(0.8209, rel=1e-3)  # 2/λmax of seed 003's data
    assert 0.8 < res.stability_limit < 2.0


def test_linreg_module_nn_linear_mse_and_torch_optim_sgd():
    assert_equals_sequential(preset_config("linreg-module", steps=1000), [1e-3, 0.1, 0.7, 2.0])


def test_linreg_minibatch_dataloader_batches_in_the_sequential_order():
    # every run draws the same shuffled mini-batches as its sequential run (same seed, same generator)
    res = assert_equals_sequential(preset_config("linreg-minibatch", epochs=30), [1e-3, 0.01, 0.05, 0.3])
    assert res.steps == 240 and res.status[-1] == "diverged"


def test_linreg_d2l_data_iter_and_half_squared_loss():
    assert_equals_sequential(preset_config("linreg-d2l"), [3e-3, 0.03, 0.3, 5.0])


def test_logreg_manual_one_sample_steps_and_log0_divergence():
    res = assert_equals_sequential(preset_config("logreg-manual", epochs=1), [1e-3, 0.04, 1.6, 10.0])
    assert res.stability_limit is None and res.diverged_at[-1] is not None


@pytest.mark.parametrize("optimizer,extra,lrs", [
    ("momentum", {}, [1e-3, 0.01, 0.1, 2.0]),
    ("nesterov", {}, [1e-3, 0.03, 0.2, 2.0]),
    ("adam", {}, [1e-3, 0.03, 0.3, 2.0]),
    ("adagrad", {}, [1e-3, 0.1, 1.0]),
    ("rmsprop", {"rms_momentum": 0.5}, [1e-3, 0.01, 0.1]),
    ("rmsprop", {}, [1e-3, 0.003, 0.01]),
    ("sgd", {"impl": "module", "weight_decay": 0.1}, [1e-3, 0.1, 2.0]),
    ("adam", {"weight_decay": 0.1}, [1e-2, 0.3]),
])
def test_torch_optim_algorithms_written_out_with_one_lr_per_run(optimizer, extra, lrs):
    assert_equals_sequential(preset_config("linreg-manual", steps=300, optimizer=optimizer, **extra), lrs)


def test_module_logistic_minibatch_with_safe_cross_entropy():
    config = preset_config("logreg-manual", epochs=2, impl="module", loss="bce_logits", mode="minibatch",
                           batch_size=32)
    assert_equals_sequential(config, [1e-3, 0.1, 3.0])


def test_full_tensor_pitfall_and_a_small_chunk():
    config = preset_config("linreg-minibatch", epochs=5, full_tensor_pitfall=True)
    assert_equals_sequential(config, [0.01, 0.1, 0.5], chunk=7)


# -- divergence ------------------------------------------------------------------------------------

def test_diverged_runs_freeze_and_leave_the_others_alone():
    config = preset_config("linreg-manual", steps=600)
    both = sweep(config, [0.05, 1.5, 3.0], chunk=64)
    alone = sweep(config, [0.05], chunk=64)
    # (3 runs and 1 run take different kernels, so equal to rounding, not bit for bit)
    assert _close(both.loss_history(0), alone.loss_history(0)) and len(both.loss_history(0)) == 600
    assert _close(both.w[0], alone.w[0]) and _close(both.b[0], alone.b[0])
    assert both.status == ["ok", "diverged", "diverged"]
    assert both.diverged_at[2] < both.diverged_at[1]  # a larger lr blows up sooner
    for i in (1, 2):
        d = both.diverged_at[i]
        assert both.lengths[i] == d - 1 == len(both.loss_history(i))
        assert np.all(both.losses[d - 1:, i] == 0)  # nothing recorded after the divergence
        assert np.isfinite(both.w[i]).all() and math.isfinite(both.b[i])
        assert both.final_loss[i] is None and both.diverged_what[i] == "loss"
    assert np.isfinite(both.losses).all()


def test_every_run_diverges_stops_early():
    res = sweep(preset_config("linreg-manual", steps=3000), [3.0, 5.0], chunk=64)
    assert res.status == ["diverged", "diverged"] and res.best is None
    assert res.steps < 3000 and res.steps == 64 * math.ceil(max(res.diverged_at) / 64)


def test_callback_sees_progress_and_can_stop():
    seen = []

    def cb(done, total):
        seen.append((done, total))
        return done < 200

    res = sweep(preset_config("linreg-manual", steps=1000), [0.01, 0.1], callback=cb, chunk=100)
    assert seen == [(100, 1000), (200, 1000)]
    assert res.stopped and res.steps == 200 and list(res.lengths) == [200, 200]


def test_sweep_leaves_the_global_generators_alone():
    before = torch.random.get_rng_state()
    sweep(preset_config("linreg-minibatch", epochs=2), [0.01, 0.02])
    assert torch.equal(before, torch.random.get_rng_state())


# -- results ---------------------------------------------------------------------------------------

def test_records_and_to_dict_are_plain_json():
    res = sweep(preset_config("linreg-manual", steps=200), [0.01, 0.5, 3.0])
    recs = res.records()
    assert [r["status"] for r in recs] == ["ok", "ok", "diverged"]
    assert set(recs[0]) == {"lr", "final_loss", "status", "diverged_at", "w", "b"}
    assert recs[2]["final_loss"] is None and isinstance(recs[2]["diverged_at"], int)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert set(d) >= {"preset", "lrs", "final_loss", "status", "diverged_at", "params", "steps", "seconds", "device"}
    assert d["preset"] == "linreg-manual" and d["steps"] == 200 and d["device"] == "cpu"
    assert d["params"][0] == res.params(0) and set(d["params"][0]) == {"w", "b"}
    assert res.best == 1


# -- lr_grid and limits ----------------------------------------------------------------------------

def test_lr_grid_is_log_spaced_and_inclusive():
    g = lr_grid(1e-3, 10.0, 5)
    assert g[0] == 1e-3 and g[-1] == 10.0 and len(g) == 5
    np.testing.assert_allclose(np.diff(np.log10(g)), 1.0)
    assert lr_grid(0.5, 2.0, 1) == [0.5]
    assert lr_grid(0.1, 0.1, 3) == [0.1, 0.1, 0.1]
    assert all(isinstance(v, float) for v in lr_grid(1e-4, 1, np.int64(7)))


@pytest.mark.parametrize("args", [(0, 1, 4), (-1, 1, 4), (1, 0.5, 4), (float("nan"), 1, 4), (1e-3, 1, 0),
                                  (1e-3, 1, MAX_RUNS + 1), (1e-3, 1, 2.5), (1e-3, 1e7, 4)])
def test_lr_grid_rejects_bad_input(args):
    with pytest.raises(ConfigError):
        lr_grid(*args)


def test_sweep_caps_and_bad_lrs():
    config = preset_config("linreg-manual", steps=10)
    with pytest.raises(ConfigError, match="at most 256"):
        sweep(config, [0.01] * (MAX_RUNS + 1))
    with pytest.raises(ConfigError):
        sweep(config, [])
    with pytest.raises(ConfigError, match="lr"):
        sweep(config, [0.01, -1.0])
    with pytest.raises(ConfigError, match="too long"):
        sweep(preset_config("linreg-manual", steps=1_000_000), [0.01] * 64)


# -- the command line ------------------------------------------------------------------------------



def test_cli_sweep_json_in_a_subprocess():
    p = subprocess.run([sys.executable, "-m", "gdcore", "sweep", "linreg-manual", "--lr-min", "0.01", "--lr-max", "2",
                        "--runs", "8", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert len(d["lrs"]) == 8 and d["lrs"][0] == 0.01 and d["lrs"][-1] == 2.0
    assert d["status"][0] == "ok" and d["status"][-1] == "diverged" and d["steps"] == 3000


def test_cli_sweep_bad_input_exits_2_in_a_subprocess():
    p = subprocess.run([sys.executable, "-m", "gdcore", "sweep", "linreg-manual", "--lr-min", "0", "--lr-max", "2"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.strip().splitlines()[-1].startswith("error:") and "Traceback" not in p.stderr


@pytest.mark.parametrize("args", [["--lr-min", "0.01", "--lr-max", "2", "--runs", "0"],
                                  ["--lr-min", "1", "--lr-max", "0.1"],
                                  ["--lr-min", "0.01", "--lr-max", "2", "--runs", "300"],
                                  ["--lr-min", "0.01", "--lr-max", "2", "--steps", "0"],
                                  ["--lr-min", "0.01", "--lr-max", "nan"]])
def test_cli_sweep_bad_input_is_one_error_line(args):
    code, out, err = run_cli("sweep", "linreg-manual", *args)
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].startswith("error:") and "Traceback" not in err


def test_cli_sweep_table():
    code, out, _ = run_cli("sweep", "linreg-manual", "--lr-min", "0.1", "--lr-max", "3", "--runs", "3",
                           "--steps", "100")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    assert "diverged at step" in lines[2] and lines[-1].startswith("3 runs x 100 steps")
