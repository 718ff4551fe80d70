"""The learning-rate explorer's reading of a sweep (gdcore.lessons.lr_explorer): the Goldilocks
block, the picks, the frame and its zones, the smoothing window, the defaults, the curves' caption."""
import math

import numpy as np
import pytest

from gdcore.engine import Run
from gdcore.errors import ConfigError
from gdcore.i18n import translator
from gdcore.lessons import lr_explorer
from gdcore.presets import preset_config
from gdcore.sweep import lr_grid, sweep

EN = translator("en")



def _picks(*args, **kwargs):
    """lr_explorer.picks with its labels in English."""
    return [(EN(label), i) for label, i in lr_explorer.picks(*args, **kwargs)]


def test_goldilocks_is_the_block_around_the_best_within_the_factor():
    lrs = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    g = lr_explorer.goldilocks(lrs, [5.0, 0.5, 0.2, 0.3, None], factor=2.0)
    assert g.best == 2 and g.best_lr == 0.1 and g.threshold == pytest.approx(0.4)
    assert g.members == (2, 3) and (g.lo, g.hi) == (0.1, 1.0)
    assert g.lo_edge == pytest.approx(math.sqrt(1e-2 * 1e-1)) and g.hi_edge == pytest.approx(math.sqrt(10.0))
    # a dip that is not next to the best does not join the band; the lr order, not the list order, counts
    g = lr_explorer.goldilocks([1.0, 1e-3, 0.1, 1e-2], [0.25, 0.3, 5.0, 0.2], factor=2.0)
    assert g.best == 3 and g.members == (1, 3) and (g.lo, g.hi) == (1e-3, 1e-2)
    assert lr_explorer.goldilocks(lrs, [None] * 5) is None
    with pytest.raises(ConfigError):
        lr_explorer.goldilocks(lrs, [1.0] * 5, factor=0.5)


def test_goldilocks_floor_treats_rounding_noise_as_converged():
    lrs = [0.01, 0.1, 0.3, 0.7, 0.8]
    losses = [1e-4, 3e-12, 4e-14, 9e-13, 1e-3]
    assert lr_explorer.goldilocks(lrs, losses).members == (2,)  # x2 of 4e-14 is noise
    g = lr_explorer.goldilocks(lrs, losses, floor=1e-9)
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
    band = lr_explorer.goldilocks(res.lrs, res.final_loss, floor=lr_explorer.converged_floor(res))
    f = EN.frame(lr_explorer.frame(res, band))
    assert list(f.columns) == ["run", "lr", "final_loss", "status", "diverged_at", "zone", "note"]
    assert list(f["zone"])[0] == "too small" and list(f["zone"])[-1] == "diverged"
    assert set(f.loc[list(band.members), "zone"]) == {"just right"}
    assert f["final_loss"].isna().sum() == 1 and f["note"].iloc[-1].startswith("diverged at step 33")
    s = lr_explorer.summary(res)
    assert s.diverged == 1 and s.first_diverged_lr == 2.0 and s.best_lr == res.lrs[res.best]
    assert s.largest_stable_lr < s.limit < s.first_diverged_lr
    assert "exactly where the theory says" in EN(lr_explorer.limit_sentence(res))
    assert lr_explorer.initial_loss(res) == pytest.approx(float(res.losses[0, 0]))
    assert lr_explorer.converged_floor(res) > 0
    csv = lr_explorer.results_csv(res).splitlines()
    assert csv[0] == "lr,final_loss,status,diverged_at,w,b" and len(csv) == 9 and ",diverged,33," in csv[-1]
    picks = lr_explorer.picks(res.lrs, res.final_loss, res.diverged_at)
    curves = [(EN(label), y) for label, y in lr_explorer.curves(res, picks)]
    labels = " = ".join(c[0].split(" · ")[0] for c in curves)
    assert labels.startswith("too small") and "best" in labels and "just below divergence" in labels
    assert all(np.isfinite(c[1]).all() and len(c[1]) == 500 for c in curves)


def test_moving_average_and_window():
    np.testing.assert_allclose(lr_explorer.moving_average([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(lr_explorer.moving_average([1, 2, 3], 1), [1, 2, 3])
    assert len(lr_explorer.moving_average([], 5)) == 0
    full = sweep(preset_config("linreg-manual", steps=40), [0.1])
    mini = sweep(preset_config("linreg-minibatch", epochs=10), [0.01])
    assert lr_explorer.smoothing_window(full) == 1
    assert mini.steps_per_epoch == 8 and lr_explorer.smoothing_window(mini) == 4
    (label, curve), = lr_explorer.curves(mini, [("best", 0)], window=4)
    assert EN(label) == "best · lr 0.01" and curve[3] == pytest.approx(mini.loss_history(0)[:4].mean())


def test_explorer_defaults_cover_the_tutorial_lr_and_divergence():
    for name in lr_explorer.PRESETS:
        d = lr_explorer.defaults(name)
        tutorial = preset_config(name)
        assert d.lr_min in lr_explorer.LR_CHOICES and d.lr_max in lr_explorer.LR_CHOICES
        assert d.lr_min <= tutorial.lr <= d.lr_max and d.steps <= d.max_steps and d.runs <= lr_explorer.MAX_UI_RUNS
        limit = Run(tutorial).stability_limit()
        if limit is not None:
            assert d.lr_max > limit  # the default range reaches past the stability limit
        assert lr_explorer.make_config(name, d.steps).steps == d.steps
    assert lr_explorer.tutorial_steps("linreg-module") == 30000
    assert lr_explorer.tutorial_steps("linreg-minibatch") == 792
    with pytest.raises(ConfigError, match="at most"):
        lr_explorer.make_config("linreg-module", 30000)
    with pytest.raises(ConfigError):
        lr_explorer.defaults("nope")
    assert EN(lr_explorer.limit_label("sgd")) == "2/λmax"


# -- the overlaid curves' caption says what those curves do ------------------------------------------

def test_curve_facts_read_the_curve_itself():
    steps = np.arange(200)
    smooth = 0.9 ** steps  # geometric decay: falls at every step, reaches the rounding floor
    f = lr_explorer.curve_facts(smooth, noisy=False, floor=1e-6)
    assert (f.rises, f.trend) == (0, "floor") and smooth[f.settled_at - 1] <= 1e-6 < smooth[f.settled_at - 2]
    zig = 0.95 ** steps * (1 + 0.3 * (-1) ** steps)  # overshoots: the loss goes up every other step
    f = lr_explorer.curve_facts(zig, noisy=False, floor=0.0)
    assert f.rises == 99 and f.trend in ("levels", "still_falling")
    assert lr_explorer.curve_facts(2 - steps / 200, noisy=False).trend == "still_falling"
    assert lr_explorer.curve_facts(1 + 0.5 ** steps, noisy=False).trend == "levels"
    assert lr_explorer.curve_facts(1.01 ** steps, noisy=False).trend == "growing"
    rng = np.random.default_rng(0)  # the test's own generator
    noise = rng.normal(0, 0.2, 2000)
    assert lr_explorer.curve_facts(1 + noise, noisy=True, window=20).trend == "flat"
    falling = 1 + 10 * 0.99 ** np.arange(2000) + noise
    assert lr_explorer.curve_facts(falling, noisy=True, window=20).trend == "levels"
    slow = 1 + np.linspace(10, 2, 2000) + noise
    assert lr_explorer.curve_facts(slow, noisy=True, window=20).trend == "still_falling"
    assert lr_explorer.curve_facts(slow, noisy=True).rises is None  # batch noise: no step-by-step claim


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_curves_caption_is_computed_from_the_runs_shown(lang):
    """The run just below divergence is the best one here and never rises: no 'zigzag' claim for it."""
    T = translator(lang)
    result = sweep(preset_config("linreg-manual", steps=300), lr_grid(1e-3, 2.0, 8))
    picked = lr_explorer.picks(result.lrs, result.final_loss, result.diverged_at, tutorial_lr=0.01)
    text = T(lr_explorer.curves_caption(result, picked, 1))
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
    d = lr_explorer.defaults("linreg-manual")
    lo, hi = lr_explorer.LR_CHOICES[5], lr_explorer.LR_CHOICES[2]  # lr_min above lr_max
    values = {"preset": "linreg-manual", "lr_min": lo, "lr_max": hi, "steps": d.max_steps + 1}
    notes, fixed = lr_explorer.link_conflicts(values, {"lr_min": str(lo), "num_steps": str(d.max_steps + 1)})
    assert fixed == {"lr_min": d.lr_min, "lr_max": d.lr_max, "steps": d.steps}
    assert [n.name for n in notes] == ["lr_min", "num_steps"]  # lr_max was not in the link: no note for it
    assert notes[1].field.hi == d.max_steps
    ok = {"preset": "linreg-manual", "lr_min": hi, "lr_max": lo, "steps": d.steps}
    assert lr_explorer.link_conflicts(ok, {"lr_min": str(hi)}) == ([], {})
