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


# -- the lesson's reading of a sweep (gdcore.lessons.lr_explorer) ------------------------------------

from gdcore.i18n import translator  # noqa: E402
from gdcore.lessons import lr_explorer as sweep_lesson  # noqa: E402

EN = translator("en")


def _picks(*args, **kwargs):
    """sweep_lesson.picks with its labels in English."""
    return [(EN(label), i) for label, i in sweep_lesson.picks(*args, **kwargs)]


def test_goldilocks_is_the_block_around_the_best_within_the_factor():
    lrs = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    g = sweep_lesson.goldilocks(lrs, [5.0, 0.5, 0.2, 0.3, None], factor=2.0)
    assert g.best == 2 and g.best_lr == 0.1 and g.threshold == pytest.approx(0.4)
    assert g.members == (2, 3) and (g.lo, g.hi) == (0.1, 1.0)
    assert g.lo_edge == pytest.approx(math.sqrt(1e-2 * 1e-1)) and g.hi_edge == pytest.approx(math.sqrt(10.0))
    # a dip that is not next to the best does not join the band; the lr order, not the list order, counts
    g = sweep_lesson.goldilocks([1.0, 1e-3, 0.1, 1e-2], [0.25, 0.3, 5.0, 0.2], factor=2.0)
    assert g.best == 3 and g.members == (1, 3) and (g.lo, g.hi) == (1e-3, 1e-2)
    assert sweep_lesson.goldilocks(lrs, [None] * 5) is None
    with pytest.raises(ConfigError):
        sweep_lesson.goldilocks(lrs, [1.0] * 5, factor=0.5)


def test_goldilocks_floor_treats_rounding_noise_as_converged():
    lrs = [0.01, 0.1, 0.3, 0.7, 0.8]
    losses = [1e-4, 3e-12, 4e-14, 9e-13, 1e-3]
    assert sweep_lesson.goldilocks(lrs, losses).members == (2,)  # x2 of 4e-14 is noise
    g = sweep_lesson.goldilocks(lrs, losses, floor=1e-9)
    assert g.members == (1, 2, 3) and g.best == 2 and g.floor == 1e-9 and g.threshold == 2e-9


def test_picks_too_small_best_and_just_below_divergence():
    lrs = [1e-3, 1e-2, 0.1, 0.5, 0.8, 2.0]
    fl = [1.0, 0.1, 1e-3, 1e-2, 0.5, None]
    da = [None, None, None, None, None, 30]
    assert _picks(lrs, fl, da) == [("too small", 0), ("best", 2), ("just below divergence", 4)]
    # nothing diverged: the largest lr stands in; shared roles share one curve
    assert _picks([0.1, 0.2], [0.5, 0.1], [None, None]) == [("too small", 0), ("best = largest lr", 1)]
    assert _picks([0.1, 0.2], [None, None], [3, 2]) == []
    # a diverged lr in the middle: "just below" is below the smallest diverging lr
    assert _picks([0.1, 0.2, 0.3, 0.4], [0.3, None, 0.1, None], [None, 9, None, 5]) == [
        ("too small = just below divergence", 0), ("best", 2)]
    # the tutorial's lr: the nearest finite run on a log scale, listed in lr order
    assert _picks(lrs, fl, da, tutorial_lr=0.02) == [
        ("too small", 0), ("≈ tutorial lr", 1), ("best", 2), ("just below divergence", 4)]
    assert _picks(lrs, fl, da, tutorial_lr=0.09)[1] == ("best = ≈ tutorial lr", 2)


def test_frame_zones_summary_and_csv_of_a_real_sweep():
    res = sweep(preset_config("linreg-manual", steps=500), lr_grid(1e-3, 2.0, 8))
    band = sweep_lesson.goldilocks(res.lrs, res.final_loss, floor=sweep_lesson.converged_floor(res))
    f = EN.frame(sweep_lesson.frame(res, band))
    assert list(f.columns) == ["run", "lr", "final_loss", "status", "diverged_at", "zone", "note"]
    assert list(f["zone"])[0] == "too small" and list(f["zone"])[-1] == "diverged"
    assert set(f.loc[list(band.members), "zone"]) == {"just right"}
    assert f["final_loss"].isna().sum() == 1 and f["note"].iloc[-1].startswith("diverged at step 33")
    s = sweep_lesson.summary(res)
    assert s.diverged == 1 and s.first_diverged_lr == 2.0 and s.best_lr == res.lrs[res.best]
    assert s.largest_stable_lr < s.limit < s.first_diverged_lr
    assert "exactly where the theory says" in EN(sweep_lesson.limit_sentence(res))
    assert sweep_lesson.initial_loss(res) == pytest.approx(float(res.losses[0, 0]))
    assert sweep_lesson.converged_floor(res) > 0
    csv = sweep_lesson.results_csv(res).splitlines()
    assert csv[0] == "lr,final_loss,status,diverged_at,w,b" and len(csv) == 9 and ",diverged,33," in csv[-1]
    picks = sweep_lesson.picks(res.lrs, res.final_loss, res.diverged_at)
    curves = [(EN(label), y) for label, y in sweep_lesson.curves(res, picks)]
    labels = " = ".join(c[0].split(" · ")[0] for c in curves)
    assert labels.startswith("too small") and "best" in labels and "just below divergence" in labels
    assert all(np.isfinite(c[1]).all() and len(c[1]) == 500 for c in curves)


def test_moving_average_and_window():
    np.testing.assert_allclose(sweep_lesson.moving_average([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(sweep_lesson.moving_average([1, 2, 3], 1), [1, 2, 3])
    assert len(sweep_lesson.moving_average([], 5)) == 0
    full = sweep(preset_config("linreg-manual", steps=40), [0.1])
    mini = sweep(preset_config("linreg-minibatch", epochs=10), [0.01])
    assert sweep_lesson.smoothing_window(full) == 1
    assert mini.steps_per_epoch == 8 and sweep_lesson.smoothing_window(mini) == 4
    (label, curve), = sweep_lesson.curves(mini, [("best", 0)], window=4)
    assert EN(label) == "best · lr 0.01" and curve[3] == pytest.approx(mini.loss_history(0)[:4].mean())


def test_explorer_defaults_cover_the_tutorial_lr_and_divergence():
    for name in sweep_lesson.PRESETS:
        d = sweep_lesson.defaults(name)
        tutorial = preset_config(name)
        assert d.lr_min in sweep_lesson.LR_CHOICES and d.lr_max in sweep_lesson.LR_CHOICES
        assert d.lr_min <= tutorial.lr <= d.lr_max and d.steps <= d.max_steps and d.runs <= sweep_lesson.MAX_UI_RUNS
        limit = Run(tutorial).stability_limit()
        if limit is not None:
            assert d.lr_max > limit  # the default range reaches past the stability limit
        assert sweep_lesson.make_config(name, d.steps).steps == d.steps
    assert sweep_lesson.tutorial_steps("linreg-module") == 30000
    assert sweep_lesson.tutorial_steps("linreg-minibatch") == 792
    with pytest.raises(ConfigError, match="at most"):
        sweep_lesson.make_config("linreg-module", 30000)
    with pytest.raises(ConfigError):
        sweep_lesson.defaults("nope")
    assert EN(sweep_lesson.limit_label("sgd")) == "2/λmax"


# -- the overlaid curves' caption says what those curves do ------------------------------------------

def test_curve_facts_read_the_curve_itself():
    steps = np.arange(200)
    smooth = 0.9 ** steps  # geometric decay: falls at every step, reaches the rounding floor
    f = sweep_lesson.curve_facts(smooth, noisy=False, floor=1e-6)
    assert (f.rises, f.trend) == (0, "floor") and smooth[f.settled_at - 1] <= 1e-6 < smooth[f.settled_at - 2]
    zig = 0.95 ** steps * (1 + 0.3 * (-1) ** steps)  # overshoots: the loss goes up every other step
    f = sweep_lesson.curve_facts(zig, noisy=False, floor=0.0)
    assert f.rises == 99 and f.trend in ("levels", "still_falling")
    assert sweep_lesson.curve_facts(2 - steps / 200, noisy=False).trend == "still_falling"
    assert sweep_lesson.curve_facts(1 + 0.5 ** steps, noisy=False).trend == "levels"
    assert sweep_lesson.curve_facts(1.01 ** steps, noisy=False).trend == "growing"
    rng = np.random.default_rng(0)  # the test's own generator
    noise = rng.normal(0, 0.2, 2000)
    assert sweep_lesson.curve_facts(1 + noise, noisy=True, window=20).trend == "flat"
    falling = 1 + 10 * 0.99 ** np.arange(2000) + noise
    assert sweep_lesson.curve_facts(falling, noisy=True, window=20).trend == "levels"
    slow = 1 + np.linspace(10, 2, 2000) + noise
    assert sweep_lesson.curve_facts(slow, noisy=True, window=20).trend == "still_falling"
    assert sweep_lesson.curve_facts(slow, noisy=True).rises is None  # batch noise: no step-by-step claim


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_curves_caption_is_computed_from_the_runs_shown(lang):
    """The run just below divergence is the best one here and never rises: no 'zigzag' claim for it."""
    T = translator(lang)
    result = sweep(preset_config("linreg-manual", steps=300), lr_grid(1e-3, 2.0, 8))
    picked = sweep_lesson.picks(result.lrs, result.final_loss, result.diverged_at, tutorial_lr=0.01)
    text = T(sweep_lesson.curves_caption(result, picked, 1))
    chosen = [(T(label), i) for label, i in picked]
    smooth_words = T("lr_explorer.curves.fact.smooth", start="<", end=">").split("<")[0]
    for label, i in chosen:
        x = result.loss_history(i).astype(np.float64)
        floor = 1e-9 * x[0]  # below it: float32 rounding noise, not a step of the descent
        rises = int(((x[1:] > x[:-1]) & (x[1:] > floor)).sum())
        part = text.split(f"**{label}**")[1].split("**")[0]
        assert (smooth_words in part) == (rises == 0), part
    below = next(i for label, i in chosen if T("lr_explorer.picks.below_divergence") in label)
    assert below == result.best and "zigzag" not in text and "之字形" not in text


def test_link_conflicts_send_impossible_pairs_back_to_the_presets_defaults():
    d = sweep_lesson.defaults("linreg-manual")
    lo, hi = sweep_lesson.LR_CHOICES[5], sweep_lesson.LR_CHOICES[2]  # lr_min above lr_max
    values = {"preset": "linreg-manual", "lr_min": lo, "lr_max": hi, "steps": d.max_steps + 1}
    notes, fixed = sweep_lesson.link_conflicts(values, {"lr_min": str(lo), "num_steps": str(d.max_steps + 1)})
    assert fixed == {"lr_min": d.lr_min, "lr_max": d.lr_max, "steps": d.steps}
    assert [n.name for n in notes] == ["lr_min", "num_steps"]  # lr_max was not in the link: no note for it
    assert notes[1].field.hi == d.max_steps
    ok = {"preset": "linreg-manual", "lr_min": hi, "lr_max": lo, "steps": d.steps}
    assert sweep_lesson.link_conflicts(ok, {"lr_min": str(hi)}) == ([], {})
