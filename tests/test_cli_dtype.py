"""`--dtype` on the command line: the run and the exported script in float64, the stall in the JSON, bad values."""
from __future__ import annotations

import json

import numpy as np
from cli_util import run_cli
from precision_data import bmi_like

from gdcore import Run, preset_config
from gdcore.data import load_csv
from gdcore.reference import stability_limit


def test_train_float64_is_the_apis_float64_run():
    code, out, err = run_cli("train", "linreg-manual", "--steps", "200", "--dtype", "float64", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["config"]["dtype"] == "float64" and d["stall"] is None
    run = Run(preset_config("linreg-manual", steps=200, dtype="float64"))
    run.run()
    assert d["params"] == run.params()
    r32 = Run(preset_config("linreg-manual", steps=200))
    r32.run()
    assert d["params"] != r32.params()  # float32 rounds differently: the flag did reach the run


def test_bad_dtype_is_one_error_line():
    code, out, err = run_cli("train", "linreg-manual", "--dtype", "float16")
    assert code == 2 and out == ""
    assert [ln for ln in err.splitlines() if ln.startswith("error:")] == [
        "error: argument --dtype: must be one of float32, float64, got 'float16'"]


def test_code_writes_a_float64_script():
    code, out, err = run_cli("code", "linreg-manual", "--steps", "10", "--dtype", "float64")
    assert code == 0, err
    assert "w = w.detach().double().requires_grad_()" in out and "X, y = X.double(), y.double()" in out


def test_stall_in_the_json_of_a_csv_run(tmp_path):
    ds = bmi_like(mean=18.0)
    path = tmp_path / "bmi.csv"
    path.write_text(ds.to_csv())
    lr = 0.9 * stability_limit(load_csv(str(path)).X)
    code, out, err = run_cli("train", "--data", str(path), "--lr", repr(lr), "--steps", "37000", "--json")
    assert code == 0, err
    stall = json.loads(out)["stall"]
    assert stall is not None and stall["param"] == "b" and stall["dtype"] == "float32"
    assert stall["ulp"] == float(np.spacing(np.float32(abs(stall["value"]))))
    assert abs(stall["update"]) < stall["ulp"] / 2
    assert "Stuck since step" in json.loads(out)["message"]
