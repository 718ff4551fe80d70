"""Start anywhere on the mini-batch page and in the optimizer race: every racer from the clicked point."""
from __future__ import annotations

import pytest
import torch
from apptest_util import hand_slider, open_page
from torch import nn

from gdcore.lessons import optimizers
from gdcore.presets import preset_config

MB = "pages/views/mini_batches.py"
OPT = "pages/views/optimizers.py"


def test_every_racer_starts_from_the_clicked_point_and_sgd_is_torch_sgd_from_there():
    base = preset_config("linreg-module", seed=0)
    race = optimizers.run_race(base, optimizers.race_settings(), steps=30, start=(-1.5, 2.25))
    assert all(s == ([-1.5], [2.25]) for s in optimizers.start_params(race).values())
    # the SGD runner against torch.optim.SGD on nn.Linear started at the same point
    data = race["sgd"].data
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(-1.5)
        model.bias.fill_(2.25)
    opt = torch.optim.SGD(model.parameters(), lr=optimizers.race_settings()["sgd"]["lr"])
    for _ in range(30):
        opt.zero_grad()
        loss = nn.MSELoss()(model(data.X), data.y)
        loss.backward()
        opt.step()
    p = race["sgd"].params()
    assert p["w"][0] == pytest.approx(model.weight.item(), rel=1e-6)
    assert p["b"][0] == pytest.approx(model.bias.item(), rel=1e-6)


def test_a_bad_race_start_is_refused_before_anyone_runs():
    with pytest.raises(ValueError):
        optimizers.run_race(preset_config("linreg-module", seed=0), optimizers.race_settings(), steps=5,
                            start=(float("nan"), 0.0))


def test_race_page_races_from_a_clicked_point_and_back():
    at = open_page(OPT)
    at.number_input(key="w.optimizers.race_steps").set_value(20).run()
    lesson = at.session_state["_lesson.optimizers"]
    lesson.extra["race_start"] = (0.5, -1.0)  # what a click on the race landscape stores (see cockpit.pick_chart)
    at.button(key="b.optimizers.race").click().run()
    assert not at.exception
    race = lesson.extra["race"]
    assert all(s == ([0.5], [-1.0]) for s in optimizers.start_params(race).values())
    assert any("Every racer started from the point you clicked" in c.value for c in at.caption)
    at.button(key="b.optimizers.race_drawn_start").click().run()
    starts = list(optimizers.start_params(lesson.extra["race"]).values())
    assert starts[0] != ([0.5], [-1.0]) and all(s == starts[0] for s in starts)


def test_minibatch_page_sliders_set_the_start_and_the_link_carries_it():
    at = open_page(MB)
    hand_slider(at, "mini_batches", "w").set_value(1.0).run()
    assert not at.exception
    run = at.session_state["_lesson.mini_batches"].run
    assert run.step_count == 0 and run.params()["w"] == [1.0]
    assert at.query_params["moves"].startswith("0:1.0:")
    at.button(key="b.mini_batches.step").click().run()
    assert run.step_count == 1 and run.records(last=1)[-1]["w"] != 1.0  # it trained from the hand-set start
