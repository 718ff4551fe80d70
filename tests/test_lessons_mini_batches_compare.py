"""gdcore.lessons.mini_batches_compare: batch vs stochastic vs mini-batch from the same start, the pitfall
(the full tensors inside the DataLoader loop), the loss frames.

Trusted answer: the identity "pitfall run == batch-mode run with steps_per_epoch x the steps".
"""
import numpy as np
import pytest
import torch

from gdcore import Run, preset_config
from gdcore.downsample import MAX_POINTS
from gdcore.i18n import translator
from gdcore.lessons import mini_batches, mini_batches_compare

EN = translator("en")


# -- batch vs stochastic vs mini-batch -------------------------------------------------------------

def test_three_modes_share_data_and_start_from_identical_params():
    base = preset_config("linreg-minibatch", lr=0.02)
    configs = mini_batches_compare.comparison_configs(base, epochs=2)
    assert list(configs) == ["batch", "stochastic", "minibatch"]
    assert {c.seed for c in configs.values()} == {base.seed} and {c.lr for c in configs.values()} == {0.02}
    runs = {m: Run(c) for m, c in configs.items()}
    starts = {m: mini_batches.start_params(r) for m, r in runs.items()}
    assert starts["batch"] == starts["stochastic"] == starts["minibatch"]
    assert all(torch.equal(r.data.X, runs["batch"].data.X) for r in runs.values())
    assert [r.steps_per_epoch for r in runs.values()] == [1, 150, 8]
    assert [r.total_steps for r in runs.values()] == [2, 300, 16]


def test_train_all_trains_every_run_and_reports_progress():
    base = preset_config("linreg-minibatch")
    data = Run(base).data
    seen = []
    runs = mini_batches_compare.train_all(mini_batches_compare.comparison_configs(base, 1), data,
                                  callback=lambda d, t: seen.append((d, t)))
    assert all(r.done and r.status == "ok" for r in runs.values())
    assert all(r.data is data for r in runs.values())
    assert seen[-1] == (159, 159) and all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))
    table = EN.frame(mini_batches_compare.summary_table(runs, mini_batches_compare.MODE_LABELS))
    assert table["run"].tolist() == ["batch GD", "stochastic GD", "mini-batch GD"]
    assert table["samples per step"].tolist() == [150, 1, 20]
    assert table["steps"].tolist() == [1, 150, 8]
    assert all(isinstance(v, str) and len(v) <= 10 for v in table["b"])
    f = mini_batches_compare.epoch_loss_frame({k: r.epoch_losses() for k, r in runs.items()})
    assert len(f) == 3 and set(f["epoch"]) == {1}


def test_per_epoch_minibatch_beats_batch_gd_on_tutorial_data():
    """8 updates an epoch against 1: after 10 epochs mini-batch GD is far lower on all data."""
    configs = mini_batches_compare.comparison_configs(preset_config("linreg-minibatch"), 10)
    runs = mini_batches_compare.train_all(configs, Run(preset_config("linreg-minibatch")).data)
    assert runs["minibatch"].epoch_losses()[-1] < runs["batch"].epoch_losses()[-1] / 2
    assert mini_batches_compare.rise_share(runs["batch"].losses()) == 0.0
    assert mini_batches_compare.rise_share(runs["stochastic"].losses()) > 0.2


# -- the pitfall ------------------------------------------------------------------------------------

def test_pitfall_run_equals_batch_gd_with_8x_the_steps():
    """Trusted answer: with the pitfall every step is a full-batch step, so the trajectory is batch GD's."""
    pit = preset_config("linreg-minibatch", full_tensor_pitfall=True, epochs=5)
    a = Run(pit)
    a.run()
    eq = mini_batches_compare.equivalent_batch_config(pit, 150)
    assert eq.mode == "batch" and eq.total_steps(150) == 40 == a.total_steps
    b = Run(eq)
    b.run()
    np.testing.assert_array_equal(a.losses(), b.losses())
    assert a.params() == b.params()
    # d2l-style epoch prints: the pitfall's loss after each epoch is batch GD's after every 8th step
    assert a.epoch_losses() == pytest.approx(b.epoch_losses()[7::8], rel=1e-6)


def test_pitfall_configs_differ_only_in_the_switch():
    base = preset_config("linreg-minibatch", lr=0.02)
    cfgs = mini_batches_compare.pitfall_configs(base, 3)
    assert cfgs[False].replace(full_tensor_pitfall=True) == cfgs[True]
    runs = mini_batches_compare.train_all(cfgs, Run(base).data)
    assert not np.array_equal(runs[False].losses(), runs[True].losses())
    s = {k: mini_batches_compare.summarize(r) for k, r in runs.items()}
    assert s[True]["samples per step"] == 150 and s[False]["samples per step"] == 20
    assert s[True]["steps where loss rose"] == 0.0 < s[False]["steps where loss rose"]
    assert s[True]["steps"] == s[False]["steps"] == 24
    assert s[True]["ms per epoch"] > 0


def test_pitfall_with_d2l_loss_is_explained_and_scales_the_step():
    cfg = preset_config("linreg-d2l", full_tensor_pitfall=True)
    note = EN(mini_batches_compare.pitfall_note(cfg, 1000))
    assert "100× too large" in note and "lr = 3" in note
    assert mini_batches_compare.pitfall_note(cfg.replace(full_tensor_pitfall=False), 1000) is None
    assert mini_batches_compare.pitfall_note(preset_config("linreg-minibatch", full_tensor_pitfall=True), 150) is None
    run = Run(cfg)
    run.run()
    assert run.status == "diverged"  # an effective lr of 3 is beyond this data's limit of about 2


def test_step_loss_frame_is_downsampled_per_series():
    f = mini_batches_compare.step_loss_frame({"a": np.linspace(1, 2, 10_000), "b": np.ones(5)}, {"a": 8})
    assert (f["series"] == "a").sum() <= MAX_POINTS and (f["series"] == "b").sum() == 5
    assert f[f["series"] == "a"]["epoch"].max() == pytest.approx(10_000 / 8)
    e = mini_batches_compare.epoch_end_frame([3.0, 2.0, float("nan")], 8)
    assert e["step"].tolist() == [8, 16] and e["epoch"].tolist() == [1, 2]
