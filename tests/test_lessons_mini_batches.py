"""gdcore.lessons.mini_batches: DataLoader facts, replayed shuffles, the three modes, the pitfall, d2l's prints.

Trusted answers: torch's own DataLoader (len and batch sizes, and its shuffles), a hand-written copy of
d2l's training loop, and the identity "pitfall run == batch-mode run with steps_per_epoch x the steps".
"""
import math
import random
import re

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from gdcore import Run, preset_config
from gdcore.downsample import MAX_POINTS
from gdcore.errors import ConfigError
from gdcore.i18n import translator
from gdcore.lessons import mini_batches, mini_batches_compare

EN = translator("en")


# -- the DataLoader, made visible ---------------------------------------------------------------

def test_tutorial_000_loader_has_8_batches_seven_of_20_one_of_10():
    s = mini_batches.describe_loader(150, 20)
    assert s.length == 8
    assert s.sizes == (20,) * 7 + (10,)
    assert [EN(m) for m in s.lines()] == (["dataloader len =8"] + [f"index={i} num = 20" for i in range(7)]
                                          + ["index=7 num = 10"])


@pytest.mark.parametrize("n,bs", [(150, 20), (150, 1), (150, 150), (150, 7), (1000, 10), (10, 3)])
def test_describe_loader_matches_torch_dataloader(n, bs):
    dl = DataLoader(TensorDataset(torch.arange(n)), batch_size=bs, shuffle=True,
                    generator=torch.Generator().manual_seed(0))
    s = mini_batches.describe_loader(n, bs)
    assert s.length == len(dl)
    assert list(s.sizes) == [len(b[0]) for b in dl]


def test_long_printout_is_shortened_but_keeps_first_and_last():
    lines = [EN(m) for m in mini_batches.describe_loader(1000, 10).lines(limit=12)]
    assert lines[0] == "dataloader len =100"
    assert lines[1] == "index=0 num = 10"
    assert lines[-1] == "index=99 num = 10"
    assert any(ln.startswith("...") for ln in lines)
    assert len(lines) <= 13


def test_batch_size_larger_than_n_is_one_sentence():
    with pytest.raises(ConfigError, match="larger than the 150 samples"):
        mini_batches.describe_loader(150, 151)
    with pytest.raises(ConfigError):
        mini_batches.describe_loader(150, 0)


def test_clamp_batch_size():
    assert mini_batches.clamp_batch_size(20, 150) == (20, None)
    bs, note = mini_batches.clamp_batch_size(500, 150)
    assert bs == 150 and "larger than the 150 samples" in EN(note)
    assert mini_batches.clamp_batch_size(0, 150)[0] == 1
    assert mini_batches.clamp_batch_size(None, 150)[0] == 20
    assert mini_batches.data_size("linreg-minibatch") == 150 and mini_batches.data_size("linreg-d2l") == 1000


# -- replayed shuffles equal the run's own batches -------------------------------------------------

def _run_epochs(cfg, epochs):
    run = Run(cfg)
    out = []
    for _ in range(epochs):
        run.run_epoch()
        out.append([list(b) for b in run.epoch_batches])
    return out


@pytest.mark.parametrize("preset,overrides", [
    ("linreg-minibatch", {}),
    ("linreg-minibatch", {"batch_size": 32}),
    ("linreg-minibatch", {"shuffle": False}),
    ("linreg-minibatch", {"loader": "index", "batch_size": 25}),
    ("linreg-d2l", {"n": 95, "batch_size": 10}),
    ("linreg-minibatch", {"seed": 7, "batch_size": 1, "epochs": 3}),
    ("linreg-minibatch", {"batch_size": 50}),  # batch_size divides n: the loader stops after the last full batch
])
def test_replay_equals_the_runs_batches(preset, overrides):
    cfg = preset_config(preset, **overrides)
    got = _run_epochs(cfg, 3)
    rep = mini_batches.ShuffleReplay(cfg, cfg.n)
    assert [rep.batches(e) for e in (1, 2, 3)] == got


def test_replay_equals_the_tutorials_dataloader_code():
    """The tutorial's DataLoader(dataset, batch_size=20, shuffle=True), given the run's generator."""
    cfg = preset_config("linreg-minibatch")
    g = torch.Generator().manual_seed(cfg.seed + 1)
    dataloader = DataLoader(TensorDataset(torch.arange(150)), batch_size=20, shuffle=True, generator=g)
    tutorial = [[b[0].tolist() for b in dataloader] for _ in range(4)]
    rep = mini_batches.ShuffleReplay(cfg, 150)
    assert [rep.batches(e) for e in range(1, 5)] == tutorial


def test_replay_goes_back_and_is_reshuffled_every_epoch():
    cfg = preset_config("linreg-minibatch")
    rep = mini_batches.ShuffleReplay(cfg, 150)
    e9 = rep.batches(9)
    e1 = rep.batches(1)  # behind the cache: replays from the start
    assert e1 == mini_batches.ShuffleReplay(cfg, 150).batches(1)
    assert rep.batches(9) == e9
    assert mini_batches.same_batches_share(rep.batches(1), rep.batches(2)) == 0.0
    assert sorted(i for b in e1 for i in b) == list(range(150))
    fixed = mini_batches.ShuffleReplay(cfg.replace(shuffle=False), 150)
    assert fixed.batches(1) == fixed.batches(5) == [list(range(i, min(i + 20, 150))) for i in range(0, 150, 20)]
    assert mini_batches.same_batches_share(fixed.batches(1), fixed.batches(2)) == 1.0


def test_replay_never_touches_global_generators():
    torch_state, py_state = torch.random.get_rng_state(), random.getstate()
    for preset in ("linreg-minibatch", "linreg-d2l"):
        cfg = preset_config(preset)
        mini_batches.ShuffleReplay(cfg, cfg.n).batches(3)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert random.getstate() == py_state


def test_reshuffle_frame_first_row_is_blocks_second_is_the_next_epoch():
    cfg = preset_config("linreg-minibatch")
    rep = mini_batches.ShuffleReplay(cfg, 150)
    f = mini_batches.reshuffle_frame(rep, 2)
    assert list(f["epoch"].unique()) == ["epoch 2", "epoch 3"]
    top = f[f["epoch"] == "epoch 2"].sort_values("position")
    assert top["batch"].tolist() == sorted(top["batch"].tolist())  # contiguous blocks 0..7
    assert top["batch"].tolist() == [k for k, b in enumerate(rep.batches(2)) for _ in b]
    bottom = f[f["epoch"] == "epoch 3"].sort_values("position")
    assert bottom["sample"].tolist() == top["sample"].tolist()
    assert bottom["batch"].tolist() == mini_batches.batch_of_sample(rep.batches(3), 150)[top["sample"]].tolist()
    big = mini_batches.reshuffle_frame(mini_batches.ShuffleReplay(preset_config("linreg-d2l"), 1000), 1,
                                       max_samples=500)
    assert len(big) == 1000


# -- where a run stands in its epoch -------------------------------------------------------------

def test_epoch_view_and_point_roles_follow_the_run():
    run = Run(preset_config("linreg-minibatch"))
    v = mini_batches.epoch_view(run)
    assert (v.epoch, v.drawn, v.total, v.complete) == (1, 0, 8, False)
    assert (mini_batches.point_roles(150, run.epoch_batches, run.last_batch) == mini_batches.NOT_YET).all()
    run.run(3)
    v = mini_batches.epoch_view(run)
    assert (v.epoch, v.drawn, v.complete) == (1, 3, False)
    roles = mini_batches.point_roles(150, run.epoch_batches, run.last_batch)
    assert (roles == mini_batches.CURRENT).sum() == 20 and (roles == mini_batches.EARLIER).sum() == 40
    assert set(np.flatnonzero(roles == mini_batches.CURRENT)) == set(run.last_batch)
    run.run(5)
    v = mini_batches.epoch_view(run)
    assert (v.epoch, v.drawn, v.complete) == (1, 8, True)
    roles = mini_batches.point_roles(150, run.epoch_batches, run.last_batch)
    assert (roles != mini_batches.NOT_YET).all() and (roles == mini_batches.CURRENT).sum() == 10
    run.run(1)
    v = mini_batches.epoch_view(run)
    assert (v.epoch, v.drawn, v.complete) == (2, 1, False)
    rep = mini_batches.ShuffleReplay(run.config, 150)
    assert run.last_batch == rep.batches(2)[0]


def test_point_roles_full_batch_marks_everything():
    roles = mini_batches.point_roles(5, [None], None)
    assert (roles == mini_batches.CURRENT).all()


def test_batch_table_and_format():
    t = EN.frame(mini_batches.batch_table([[3, 1, 2], [0, 4]]))
    assert t["index"].tolist() == [0, 1] and t["num"].tolist() == [3, 2]
    assert t["sample indices"].tolist() == ["3, 1, 2", "0, 4"]
    assert EN(mini_batches.format_batch([5, 6])) == "[5, 6]"
    assert EN(mini_batches.format_batch(list(range(50)), limit=3)) == "[0, 1, 2, ... 47 more]"
    assert mini_batches.batch_of_sample([[2, 0], [1]], 4).tolist() == [0, 1, 0, -1]


# -- batch vs stochastic vs mini-batch -------------------------------------------------------------

def test_three_modes_share_data_and_start_from_identical_params():
    base = preset_config("linreg-minibatch", lr=0.02)
    configs = mini_batches.comparison_configs(base, epochs=2)
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
    runs = mini_batches.train_all(mini_batches.comparison_configs(base, 1), data,
                                  callback=lambda d, t: seen.append((d, t)))
    assert all(r.done and r.status == "ok" for r in runs.values())
    assert all(r.data is data for r in runs.values())
    assert seen[-1] == (159, 159) and all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))
    table = EN.frame(mini_batches.summary_table(runs, mini_batches.MODE_LABELS))
    assert table["run"].tolist() == ["batch GD", "stochastic GD", "mini-batch GD"]
    assert table["samples per step"].tolist() == [150, 1, 20]
    assert table["steps"].tolist() == [1, 150, 8]
    assert all(isinstance(v, str) and len(v) <= 10 for v in table["b"])
    f = mini_batches.epoch_loss_frame({k: r.epoch_losses() for k, r in runs.items()})
    assert len(f) == 3 and set(f["epoch"]) == {1}


def test_per_epoch_minibatch_beats_batch_gd_on_tutorial_data():
    """8 updates an epoch against 1: after 10 epochs mini-batch GD is far lower on all data."""
    runs = mini_batches.train_all(mini_batches.comparison_configs(preset_config("linreg-minibatch"), 10),
                        Run(preset_config("linreg-minibatch")).data)
    assert runs["minibatch"].epoch_losses()[-1] < runs["batch"].epoch_losses()[-1] / 2
    assert mini_batches.rise_share(runs["batch"].losses()) == 0.0
    assert mini_batches.rise_share(runs["stochastic"].losses()) > 0.2


# -- the pitfall ------------------------------------------------------------------------------------

def test_pitfall_run_equals_batch_gd_with_8x_the_steps():
    """Trusted answer: with the pitfall every step is a full-batch step, so the trajectory is batch GD's."""
    pit = preset_config("linreg-minibatch", full_tensor_pitfall=True, epochs=5)
    a = Run(pit)
    a.run()
    eq = mini_batches.equivalent_batch_config(pit, 150)
    assert eq.mode == "batch" and eq.total_steps(150) == 40 == a.total_steps
    b = Run(eq)
    b.run()
    np.testing.assert_array_equal(a.losses(), b.losses())
    assert a.params() == b.params()
    # d2l-style epoch prints: the pitfall's loss after each epoch is batch GD's after every 8th step
    assert a.epoch_losses() == pytest.approx(b.epoch_losses()[7::8], rel=1e-6)


def test_pitfall_configs_differ_only_in_the_switch():
    base = preset_config("linreg-minibatch", lr=0.02)
    cfgs = mini_batches.pitfall_configs(base, 3)
    assert cfgs[False].replace(full_tensor_pitfall=True) == cfgs[True]
    runs = mini_batches.train_all(cfgs, Run(base).data)
    assert not np.array_equal(runs[False].losses(), runs[True].losses())
    s = {k: mini_batches.summarize(r) for k, r in runs.items()}
    assert s[True]["samples per step"] == 150 and s[False]["samples per step"] == 20
    assert s[True]["steps where loss rose"] == 0.0 < s[False]["steps where loss rose"]
    assert s[True]["steps"] == s[False]["steps"] == 24
    assert s[True]["ms per epoch"] > 0


def test_pitfall_with_d2l_loss_is_explained_and_scales_the_step():
    cfg = preset_config("linreg-d2l", full_tensor_pitfall=True)
    note = EN(mini_batches.pitfall_note(cfg, 1000))
    assert "100× too large" in note and "lr = 3" in note
    assert mini_batches.pitfall_note(cfg.replace(full_tensor_pitfall=False), 1000) is None
    assert mini_batches.pitfall_note(preset_config("linreg-minibatch", full_tensor_pitfall=True), 150) is None
    run = Run(cfg)
    run.run()
    assert run.status == "diverged"  # an effective lr of 3 is beyond this data's limit of about 2


def test_step_loss_frame_is_downsampled_per_series():
    f = mini_batches.step_loss_frame({"a": np.linspace(1, 2, 10_000), "b": np.ones(5)}, {"a": 8})
    assert (f["series"] == "a").sum() <= MAX_POINTS and (f["series"] == "b").sum() == 5
    assert f[f["series"] == "a"]["epoch"].max() == pytest.approx(10_000 / 8)
    e = mini_batches.epoch_end_frame([3.0, 2.0, float("nan")], 8)
    assert e["step"].tolist() == [8, 16] and e["epoch"].tolist() == [1, 2]


# -- printouts --------------------------------------------------------------------------------------

def _d2l_by_hand(seed=0, lr=0.03, num_epochs=3, batch_size=10):
    """d2l's chapter, line for line, with the run's own generators instead of the global ones."""
    g = torch.Generator().manual_seed(seed)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    X = torch.normal(0, 1, (1000, 2), generator=g)
    y = torch.matmul(X, true_w) + true_b
    y += torch.normal(0, 0.01, y.shape, generator=g)
    features, labels = X, y.reshape((-1, 1))
    w = torch.normal(0, 0.01, size=(2, 1), generator=g).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)
    rnd = random.Random(seed)

    def data_iter():
        indices = list(range(1000))
        rnd.shuffle(indices)
        for i in range(0, 1000, batch_size):
            bi = torch.tensor(indices[i: min(i + batch_size, 1000)])
            yield features[bi], labels[bi]

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    out = []
    for _ in range(num_epochs):
        for Xb, yb in data_iter():
            l = squared_loss(torch.matmul(Xb, w) + b, yb)  # noqa: E741
            l.sum().backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= lr * p.grad / batch_size
                    p.grad.zero_()
        with torch.no_grad():
            out.append(float(squared_loss(torch.matmul(features, w) + b, labels).mean()))
    return out, true_w - w.detach().reshape(true_w.shape), true_b - b.detach()


def test_d2l_prints_match_a_hand_written_d2l_loop():
    run = Run(preset_config("linreg-d2l"))
    run.run()
    ref_losses, ref_ew, ref_eb = _d2l_by_hand()
    assert run.epoch_losses() == pytest.approx(ref_losses, rel=1e-4, abs=1e-7)
    lines = mini_batches.d2l_epoch_lines(run.epoch_losses())
    assert len(lines) == 3 and all(re.fullmatch(r"epoch \d, loss \d+\.\d{6}", ln) for ln in lines)
    assert lines[0] == f"epoch 1, loss {ref_losses[0]:f}"
    err = mini_batches.estimation_errors(run.data.true_w, run.data.true_b, run.params())
    assert err["w"] == pytest.approx(ref_ew.tolist(), abs=1e-5)
    assert err["b"] == pytest.approx(float(ref_eb), abs=1e-5)
    assert max(abs(v) for v in err["w"]) < 1e-3 and abs(err["b"]) < 1e-3  # lessons.md reference
    assert EN(mini_batches.error_lines(err)[0]).startswith("error in estimating w: tensor([")


def test_estimation_errors_and_tutorial_lines():
    e = mini_batches.estimation_errors((2.0, -3.4), 4.2, {"w": [1.5, -3.0], "b": [4.0]})
    assert e["w"] == pytest.approx([0.5, -0.4]) and e["b"] == pytest.approx(0.2)
    with pytest.raises(ValueError):
        mini_batches.estimation_errors((2.0,), 4.2, {"w": [1.0, 2.0], "b": [0.0]})
    rec = {"epoch": 1, "batch": 0, "loss": 99.4812, "grad_w": -44.4581, "grad_b": -19.2681, "w": 0.8051, "b": -0.0931}
    assert mini_batches.tutorial_lines([rec]) == [
        "epoch(1) batch(0) lossΔw,Δb,w,b, = 99.481,-44.458,-19.268,0.805,-0.093,"]
    assert mini_batches.fmt_w([2.0]) == "2.0000" and mini_batches.fmt_w([1.0, -2.5]) == "[1.0000, -2.5000]"
    assert mini_batches.fmt_w([math.nan]) == "—"
    assert mini_batches_compare._num(2.05151) == "2.0515"
    assert mini_batches_compare._num(-8.16e16) == "-8.16e+16"
    assert mini_batches_compare._num(math.inf) == "—"


def test_feature_xy_and_compare_budget():
    data = Run(preset_config("linreg-d2l")).data
    x, y = mini_batches.feature_xy(data, 1)
    assert np.array_equal(x, data.X[:, 1].numpy().astype(np.float64)) and y.shape == (1000,)
    assert np.array_equal(mini_batches.feature_xy(data, 5)[0], data.X[:, 0].numpy().astype(np.float64))
    assert mini_batches.max_compare_epochs(150) == mini_batches.COMPARE_STEP_BUDGET // 150
    assert mini_batches.max_compare_epochs(10**9) == 1


def test_reshuffle_epochs_stay_inside_the_run():
    """The reshuffle chart pairs the current epoch with the next, never with an epoch the run does not have."""
    mid = mini_batches.EpochView(epoch=5, drawn=3, total=8, complete=False)
    last = mini_batches.EpochView(epoch=99, drawn=8, total=8, complete=True)
    assert mini_batches.reshuffle_epochs(mid, 99) == (5, 6, False)
    assert mini_batches.reshuffle_epochs(last, 99) == (98, 99, False)
    assert mini_batches.reshuffle_epochs(mini_batches.EpochView(1, 8, 8, True), 1) == (1, 2, True)
    run = Run(preset_config("linreg-minibatch"))
    run.run()
    assert mini_batches.run_epochs(run) == 99
    assert mini_batches.reshuffle_epochs(mini_batches.epoch_view(run), mini_batches.run_epochs(run))[1] == 99
