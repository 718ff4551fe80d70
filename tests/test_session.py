"""Lesson state without streamlit: long runs tick by a time budget, play steps, stop, reset."""
import io

import numpy as np
import pandas as pd

from gdcore import Run, preset_config
from gdcore.session import IDLE, PLAYING, RUNNING, Lesson, history_csv, history_frame


def test_ensure_keeps_run_until_config_changes():
    lesson = Lesson()
    cfg = preset_config("linreg-manual", steps=50)
    run = lesson.ensure(cfg)
    run.run(3)
    assert lesson.ensure(cfg) is run
    assert lesson.ensure(preset_config("linreg-manual", steps=50)) is run  # equal config, same run
    other = lesson.ensure(cfg.replace(lr=0.02))
    assert other is not run and other.step_count == 0


def test_long_run_ticks_to_target_and_equals_one_shot_run():
    lesson = Lesson()
    lesson.ensure(preset_config("linreg-manual", steps=3000))
    lesson.start(1200)
    assert lesson.mode == RUNNING
    ticks = 0
    while lesson.busy:
        lesson.tick(budget_s=0.01)
        ticks += 1
        assert ticks < 10_000
    assert lesson.run.step_count == 1200 and lesson.mode == IDLE
    ref = Run(preset_config("linreg-manual", steps=3000))
    ref.run(1200)
    np.testing.assert_array_equal(lesson.run.losses(), ref.losses())
    assert lesson.run.params() == ref.params()


def test_tick_respects_budget_and_stop():
    lesson = Lesson()
    lesson.ensure(preset_config("logreg-manual", epochs=5))
    lesson.start()
    taken = lesson.tick(budget_s=0.0)  # at least one chunk, far from the end
    assert 0 < taken < 5000 and lesson.busy
    assert 0 < lesson.progress() < 1
    lesson.stop()
    assert lesson.tick() == 0 and lesson.run.step_count == taken


def test_play_advances_steps_per_tick():
    lesson = Lesson()
    lesson.ensure(preset_config("linreg-minibatch"))
    lesson.play(steps_per_tick=5)
    assert lesson.mode == PLAYING
    lesson.tick()
    lesson.tick()
    assert lesson.run.step_count == 10


def test_reset_returns_to_start():
    lesson = Lesson()
    run = lesson.ensure(preset_config("linreg-manual", steps=100))
    first = run.params()
    run.run(40)
    lesson.reset()
    assert run.step_count == 0 and run.params() == first and len(run.losses()) == 0


def test_history_csv_has_every_step():
    run = Run(preset_config("linreg-minibatch", steps=20))
    run.run()
    df = pd.read_csv(io.StringIO(history_csv(run)))
    assert list(df.columns[:4]) == ["step", "epoch", "batch", "loss"]
    assert len(df) == 20 and df["step"].tolist() == list(range(1, 21))
    np.testing.assert_allclose(df["loss"].to_numpy(), run.losses(), rtol=1e-6)
    frame = history_frame(run, last=5)
    assert frame["step"].tolist() == [16, 17, 18, 19, 20]
    assert {"w", "b", "grad_w", "grad_b"} <= set(frame.columns)
