"""A run with (w, b) set by hand, exported and run alone, ends on exactly the engine's w and b.

The start set on the landscape (a move at step 0) and moves between steps are part of the run: the
script repeats them at the same steps, so its final parameters equal the engine's float for float.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

from gdcore.codegen import export_script
from gdcore.engine import Run
from gdcore.lessons.linear_regression import run_config
from gdcore.manual import Move
from gdcore.presets import preset_config


def _run_script(text: str, tmp_path) -> dict[str, list[float]]:
    path = tmp_path / "script.py"
    path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    proc = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True, timeout=120,
                          cwd=str(tmp_path), env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    w_line, b_line = proc.stdout.strip().splitlines()[-2:]
    return {"w": ast.literal_eval(w_line[len("w = "):]), "b": ast.literal_eval(b_line[len("b = "):])}


def _drive(config, hand: list[tuple[int, tuple, tuple]]) -> Run:
    """Step a run as a learner would: move by hand at the given step counts, train in between."""
    run = Run(config)
    for at, w, b in hand:
        run.run(at - run.step_count)
        run.move_to(w, b)
    run.run()
    return run


CASES = {
    # the linear-regression page's two loops: 003's full-batch loop, 000's epochs of batches (pitfall)
    "003-start-only": (run_config("linreg-manual", 200, seed=0), [(0, (-1.0,), (4.0,))]),
    "003-start-and-moves": (run_config("linreg-manual", 200, seed=0),
                            [(0, (5.5,), (-2.0,)), (40, (0.25,), (3.0,)), (41, (1.0,), (1.0,))]),
    "000-start-and-move": (run_config("linreg-minibatch", 40, seed=100),
                           [(0, (0.5,), (0.1,)), (13, (3.0,), (4.0,))]),
    # torch.optim keeps its state across a move (momentum), and nn.Module's parameters are moved
    "module-momentum-move": (preset_config("linreg-minibatch", impl="module", optimizer="momentum", lr=0.01,
                                           steps=30), [(0, (1.0,), (2.0,)), (12, (2.5,), (5.0,))]),
    # feature scaling: the loop trains on z-scores; the moves are in the weights it trains
    "scaled-start-and-move": (run_config("linreg-minibatch", 30, seed=100, scaling="standard"),
                              [(0, (0.5,), (1.0,)), (10, (1.5,), (5.0,))]),
    # two features: w is a column
    "logreg-start": (preset_config("logreg-manual", steps=300), [(0, (1.0, -2.0), (0.5,)), (100, (0.3, 0.2), (0.0,))]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_script_repeats_moves_by_hand(name, tmp_path):
    config, hand = CASES[name]
    run = _drive(config, hand)
    assert [m.step for m in run.moves] == [at for at, _, _ in hand]
    text = export_script(run.config, None, run.moves)
    assert "move_to(0)" in text
    assert _run_script(text, tmp_path) == run.params()


def test_script_without_moves_has_no_move_table():
    assert "move_to" not in export_script(run_config("linreg-manual", 10, seed=0))


def test_moves_reach_the_same_numbers_as_stepping_one_at_a_time():
    """Moves scheduled for a replay (a link's) give what moving by hand while stepping gave."""
    config, hand = CASES["003-start-and-moves"]
    by_hand = _drive(config, hand)
    replay = Run(config)
    replay.set_moves([Move(at, w, b) for at, w, b in hand])
    replay.run()
    assert replay.params() == by_hand.params()
    assert replay.losses().tolist() == by_hand.losses().tolist()
