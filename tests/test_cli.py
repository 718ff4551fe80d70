"""The command line: JSON equals run_preset, tutorial-style printing, exit 2 on bad input."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_util import run_cli

import gdcore
from gdcore import printouts
from gdcore.data import linear_1d, load_csv

ROOT = Path(__file__).resolve().parents[1]




def test_train_json_equals_run_preset():
    code, out, _ = run_cli("train", "linreg-d2l", "--json", "--seed", "3")
    assert code == 0
    d = json.loads(out)
    ref = gdcore.run_preset("linreg-d2l", seed=3).to_dict()
    for key in ("preset", "config", "params", "loss", "epoch_loss", "steps", "status", "diverged_at", "device"):
        assert d[key] == ref[key], key
    assert len(d["loss"]) == d["steps"] == 300
    assert d["status"] == "ok" and d["diverged_at"] is None
    assert set(d) >= {"preset", "config", "params", "loss", "epoch_loss", "steps", "status", "diverged_at",
                      "message", "device", "seconds"}


def test_train_json_diverged_history_ends_before_bad_step():
    code, out, _ = run_cli("train", "linreg-manual", "--lr", "5", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["status"] == "diverged"
    assert len(d["loss"]) == d["diverged_at"] - 1 == d["steps"]
    assert all(np.isfinite(d["loss"]))
    assert f"diverged at step {d['diverged_at']}" in d["message"] and "2/λmax" in d["message"]


def test_train_prints_like_the_tutorial():
    code, out, _ = run_cli("train", "linreg-minibatch", "--epochs", "2")
    lines = out.splitlines()
    assert code == 0
    run = gdcore.Run(gdcore.preset_config("linreg-minibatch", epochs=2))
    run.run()
    # the lines the page shows as tutorial 000's own print (tests/test_printouts.py holds them to it)
    assert [ln for ln in lines if ln.startswith("epoch(")] == printouts.lines_000(run.records())
    assert lines[0].startswith("epoch(1) batch(0) lossΔw,Δb,w,b, = ") and len(run.records()) == 16
    assert lines[-2].startswith("w = [") and lines[-1].startswith("b = [")
    w = json.loads(lines[-2].split("=", 1)[1])
    assert w == run.params()["w"]


def test_train_prints_003_every_500_steps_as_torch_prints_its_loss():
    code, out, _ = run_cli("train", "linreg-manual", "--steps", "1200")
    run = gdcore.Run(gdcore.preset_config("linreg-manual", steps=1200))
    run.run()
    printed = [ln for ln in out.splitlines() if " tensor(" in ln]
    assert code == 0 and printed == printouts.lines("linreg-manual", run.losses(), [], 1200)
    assert [ln.split()[0] for ln in printed] == ["0", "500", "1000"]


def test_train_logreg_prints_one_line_per_epoch():
    code, out, _ = run_cli("train", "logreg-manual", "--epochs", "2")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith("Epoch: 000, Loss: ") and lines[1].startswith("Epoch: 001, Loss: ")


def test_steps_override_epochs():
    code, out, _ = run_cli("train", "linreg-minibatch", "--steps", "5", "--json")
    assert json.loads(out)["steps"] == 5


def test_data_is_the_presets_data():
    code, out, _ = run_cli("data", "linreg-minibatch")
    assert code == 0
    ds = load_csv(out.encode())
    ref = linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100)
    assert ds.feature_names == ("x",) and ds.label_name == "y"
    np.testing.assert_allclose(ds.X.numpy(), ref.X.numpy(), rtol=1e-7)
    np.testing.assert_allclose(ds.y.numpy(), ref.y.numpy(), rtol=1e-7)


def test_presets_lists_all_five():
    code, out, _ = run_cli("presets")
    assert code == 0
    assert [ln.split()[0] for ln in out.splitlines()] == list(gdcore.PRESETS)


@pytest.mark.parametrize("args, phrase", [
    (["train", "nope"], "unknown preset"),
    (["train", "linreg-d2l", "--lr", "0"], "--lr"),
    (["train", "linreg-d2l", "--lr", "-1"], "--lr"),
    (["train", "linreg-d2l", "--lr", "nan"], "--lr"),
    (["train", "linreg-d2l", "--lr", "inf"], "--lr"),
    (["train", "linreg-d2l", "--lr", "abc"], "--lr"),
    (["train", "linreg-d2l", "--batch-size", "0"], "--batch-size"),
    (["train", "linreg-d2l", "--batch-size", "2.5"], "--batch-size"),
    (["train", "linreg-d2l", "--batch-size", "5000"], "larger than"),
    (["train", "linreg-d2l", "--steps", "0"], "--steps"),
    (["train", "linreg-d2l", "--steps", "99999999"], "steps"),
    (["train", "linreg-d2l", "--epochs", "1", "--steps", "2"], "not allowed"),
    (["train", "linreg-d2l", "--optimizer", "lbfgs"], "unknown optimizer"),
    (["train", "linreg-d2l", "--device", "tpu"], "unknown device"),
    (["train", "linreg-d2l", "--seed", "-1"], "--seed"),
    (["data", "nope"], "unknown preset"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_error_line(args, phrase):
    code, out, err = run_cli(*args)
    assert code == 2
    error_lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(error_lines) == 1 and phrase in error_lines[0]
    assert "Traceback" not in err


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_cuda_on_a_machine_without_it():
    code, _, err = run_cli("train", "linreg-d2l", "--device", "cuda")
    assert code == 2 and "not available" in err


def test_whole_process_exit_code_and_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "gdcore", "train", "linreg-d2l", "--lr", "0"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "Traceback" not in proc.stderr


# -- train --data: a CSV of the learner's own ------------------------------------------------------

TWO_FEATURES = "bmi,bp,y\n1.0,2.0,5.1\n2.0,1.0,4.0\n3.0,0.5,4.6\n4.0,3.0,10.2\n5.0,2.5,11.1\n"


def test_train_on_a_csv_reaches_least_squares_and_equals_the_api(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(TWO_FEATURES)
    code, out, _ = run_cli("train", "--data", str(path), "--target", "y", "--steps", "20000", "--lr", "0.02",
                           "--json")
    assert code == 0
    d = json.loads(out)
    # the same run through the API: the default loop for --data is tutorial 003's manual loop
    run = gdcore.Run(gdcore.preset_config("linreg-manual", steps=20000, lr=0.02), load_csv(str(path), "y"))
    run.run()
    assert d["params"] == run.params()
    # and the trusted answer: least squares on [X, 1]
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    A = np.hstack([table[:, :2], np.ones((len(table), 1))])
    theta, *_ = np.linalg.lstsq(A, table[:, 2], rcond=None)
    np.testing.assert_allclose(d["params"]["w"] + d["params"]["b"], theta, atol=1e-4)


def test_a_presets_own_data_through_a_csv_trains_bit_for_bit_like_the_preset(tmp_path):
    """Tutorial 001's data set has a generator of its own, so the CSV round trip changes nothing: the
    same loop on the written file gives the preset's numbers exactly (the CSV keeps every float32)."""
    path = tmp_path / "minibatch.csv"
    code, out, _ = run_cli("data", "linreg-minibatch")
    assert code == 0
    path.write_text(out)
    code, out, _ = run_cli("train", "linreg-minibatch", "--data", str(path), "--epochs", "5", "--json")
    assert code == 0
    ref = gdcore.run_preset("linreg-minibatch", epochs=5).to_dict()
    d = json.loads(out)
    assert d["params"] == ref["params"] and d["loss"] == ref["loss"]


@pytest.mark.parametrize("content, args, phrase", [
    (None, ["--data", "{missing}"], "cannot read"),
    (TWO_FEATURES, ["--data", "{path}", "--target", "zz"], "no column named 'zz'"),
    (TWO_FEATURES, ["--data", "{path}", "--task", "logreg"], "0 or 1"),
    ("a,b\n1,x\n", ["--data", "{path}"], "not a number"),
    (TWO_FEATURES, ["linreg-module", "--data", "{path}", "--task", "logreg"], "not logreg"),
    (None, ["--target", "y"], "--data"),
    (None, [], "name a preset"),
])
def test_bad_data_exits_2_with_one_error_line(tmp_path, content, args, phrase):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content)
    args = [a.format(path=path, missing=tmp_path / "missing.csv") for a in args]
    code, _, err = run_cli("train", *args)
    assert code == 2
    error_lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(error_lines) == 1 and phrase in error_lines[0], err
    assert "Traceback" not in err
