"""gdcore.lessons.mini_batches_replay: replayed shuffles equal the run's own batches and the tutorial's
DataLoader; where a run stands in its epoch; the batch table.

Trusted answers: torch's own DataLoader and its shuffles, and the engine's recorded batches.
"""
import random

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from gdcore import Run, preset_config
from gdcore.i18n import translator
from gdcore.lessons import mini_batches_replay

EN = translator("en")


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
    rep = mini_batches_replay.ShuffleReplay(cfg, cfg.n)
    assert [rep.batches(e) for e in (1, 2, 3)] == got


def test_replay_equals_the_tutorials_dataloader_code():
    """The tutorial's DataLoader(dataset, batch_size=20, shuffle=True), given the run's generator."""
    cfg = preset_config("linreg-minibatch")
    g = torch.Generator().manual_seed(cfg.seed + 1)
    dataloader = DataLoader(TensorDataset(torch.arange(150)), batch_size=20, shuffle=True, generator=g)
    tutorial = [[b[0].tolist() for b in dataloader] for _ in range(4)]
    rep = mini_batches_replay.ShuffleReplay(cfg, 150)
    assert [rep.batches(e) for e in range(1, 5)] == tutorial


def test_replay_goes_back_and_is_reshuffled_every_epoch():
    cfg = preset_config("linreg-minibatch")
    rep = mini_batches_replay.ShuffleReplay(cfg, 150)
    e9 = rep.batches(9)
    e1 = rep.batches(1)  # behind the cache: replays from the start
    assert e1 == mini_batches_replay.ShuffleReplay(cfg, 150).batches(1)
    assert rep.batches(9) == e9
    assert mini_batches_replay.same_batches_share(rep.batches(1), rep.batches(2)) == 0.0
    assert sorted(i for b in e1 for i in b) == list(range(150))
    fixed = mini_batches_replay.ShuffleReplay(cfg.replace(shuffle=False), 150)
    assert fixed.batches(1) == fixed.batches(5) == [list(range(i, min(i + 20, 150))) for i in range(0, 150, 20)]
    assert mini_batches_replay.same_batches_share(fixed.batches(1), fixed.batches(2)) == 1.0


def test_replay_never_touches_global_generators():
    torch_state, py_state = torch.random.get_rng_state(), random.getstate()
    for preset in ("linreg-minibatch", "linreg-d2l"):
        cfg = preset_config(preset)
        mini_batches_replay.ShuffleReplay(cfg, cfg.n).batches(3)
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert random.getstate() == py_state


def test_reshuffle_frame_first_row_is_blocks_second_is_the_next_epoch():
    cfg = preset_config("linreg-minibatch")
    rep = mini_batches_replay.ShuffleReplay(cfg, 150)
    f = mini_batches_replay.reshuffle_frame(rep, 2)
    assert list(f["epoch"].unique()) == ["epoch 2", "epoch 3"]
    top = f[f["epoch"] == "epoch 2"].sort_values("position")
    assert top["batch"].tolist() == sorted(top["batch"].tolist())  # contiguous blocks 0..7
    assert top["batch"].tolist() == [k for k, b in enumerate(rep.batches(2)) for _ in b]
    bottom = f[f["epoch"] == "epoch 3"].sort_values("position")
    assert bottom["sample"].tolist() == top["sample"].tolist()
    assert bottom["batch"].tolist() == mini_batches_replay.batch_of_sample(rep.batches(3), 150)[top["sample"]].tolist()
    big = mini_batches_replay.reshuffle_frame(mini_batches_replay.ShuffleReplay(preset_config("linreg-d2l"), 1000), 1,
                                       max_samples=500)
    assert len(big) == 1000


# -- where a run stands in its epoch -------------------------------------------------------------

def test_epoch_view_and_point_roles_follow_the_run():
    run = Run(preset_config("linreg-minibatch"))
    v = mini_batches_replay.epoch_view(run)
    assert (v.epoch, v.drawn, v.total, v.complete) == (1, 0, 8, False)
    roles = mini_batches_replay.point_roles(150, run.epoch_batches, run.last_batch)
    assert (roles == mini_batches_replay.NOT_YET).all()
    run.run(3)
    v = mini_batches_replay.epoch_view(run)
    assert (v.epoch, v.drawn, v.complete) == (1, 3, False)
    roles = mini_batches_replay.point_roles(150, run.epoch_batches, run.last_batch)
    assert (roles == mini_batches_replay.CURRENT).sum() == 20 and (roles == mini_batches_replay.EARLIER).sum() == 40
    assert set(np.flatnonzero(roles == mini_batches_replay.CURRENT)) == set(run.last_batch)
    run.run(5)
    v = mini_batches_replay.epoch_view(run)
    assert (v.epoch, v.drawn, v.complete) == (1, 8, True)
    roles = mini_batches_replay.point_roles(150, run.epoch_batches, run.last_batch)
    assert (roles != mini_batches_replay.NOT_YET).all() and (roles == mini_batches_replay.CURRENT).sum() == 10
    run.run(1)
    v = mini_batches_replay.epoch_view(run)
    assert (v.epoch, v.drawn, v.complete) == (2, 1, False)
    rep = mini_batches_replay.ShuffleReplay(run.config, 150)
    assert run.last_batch == rep.batches(2)[0]


def test_point_roles_full_batch_marks_everything():
    roles = mini_batches_replay.point_roles(5, [None], None)
    assert (roles == mini_batches_replay.CURRENT).all()


def test_batch_table_and_format():
    t = EN.frame(mini_batches_replay.batch_table([[3, 1, 2], [0, 4]]))
    assert t["index"].tolist() == [0, 1] and t["num"].tolist() == [3, 2]
    assert t["sample indices"].tolist() == ["3, 1, 2", "0, 4"]
    assert EN(mini_batches_replay.format_batch([5, 6])) == "[5, 6]"
    assert EN(mini_batches_replay.format_batch(list(range(50)), limit=3)) == "[0, 1, 2, ... 47 more]"
    assert mini_batches_replay.batch_of_sample([[2, 0], [1]], 4).tolist() == [0, 1, 0, -1]
