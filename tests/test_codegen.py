"""The exported script, run alone in a fresh interpreter, ends on exactly the engine's final w and b.

Every script of the table is started at once (a small pool of subprocesses, each paying torch's
import), while the tests compute the engine's runs in this process; each test then waits for its
script and compares the last two printed lines with `Run.params()`, float for float.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from gdcore import scaling
from gdcore.codegen import MAX_EMBEDDED_VALUES, export_script, script_filename
from gdcore.config import Config
from gdcore.data import load_csv, make_dataset
from gdcore.engine import Run
from gdcore.errors import ConfigError, DataError, GdError
from gdcore.presets import PRESETS, preset_config


def _csv(rows: int, features: int, binary: bool = False) -> bytes:
    """A small deterministic CSV (no generator needed): features, then the label column."""
    head = ",".join([f"f{j + 1}" for j in range(features)] + ["target"])
    lines = [head]
    for i in range(rows):
        xs = [((i * (7 + 3 * j) + 5 * j) % 23) / 4.0 - 2.5 for j in range(features)]
        if binary:
            label = 1 if xs[0] - 0.5 * xs[-1] + 0.1 > 0 else 0
        else:
            label = round(1.5 * xs[0] - 0.7 * xs[-1] + 0.3 + ((i * 13) % 7 - 3) / 10.0, 3)
        lines.append(",".join(f"{v:g}" for v in xs + [label]))
    return ("\n".join(lines) + "\n").encode()


def _custom(base: str, csv: bytes, **overrides):
    data = load_csv(csv, binary_labels=PRESETS[base].task == "logreg")
    return preset_config(base, data="custom", **overrides), data


def _preset(name, **overrides):
    return preset_config(name, **overrides), None


# name -> (config, data or None); lengths are cut so the whole file stays well under a minute
CASES = {
    # the five presets, shortened (some stop in the middle of an epoch)
    "linreg-minibatch": lambda: _preset("linreg-minibatch", steps=30),
    "linreg-d2l": lambda: _preset("linreg-d2l", epochs=1),
    "linreg-module": lambda: _preset("linreg-module", steps=300),
    "linreg-manual": lambda: _preset("linreg-manual", steps=300),
    "logreg-manual": lambda: _preset("logreg-manual", steps=1500),
    # modes, loaders, shuffling, update styles
    "stochastic-dataloader": lambda: _preset("linreg-minibatch", mode="stochastic", steps=200),
    "dataloader-no-shuffle-no-grad": lambda: _preset("linreg-minibatch", shuffle=False, update="no_grad",
                                                     epochs=2, seed=2**32 + 7),
    "d2l-loader-one-feature-no-shuffle": lambda: _preset("linreg-d2l", true_w=(1.5,), n=300, shuffle=False,
                                                         epochs=1, seed=3),
    "index-shuffle-val-split": lambda: _preset("linreg-d2l", loader="index", batch_size=32, epochs=1,
                                               val_fraction=0.2),
    "index-no-shuffle-data-update": lambda: _preset("linreg-d2l", loader="index", shuffle=False,
                                                    update="data", steps=50),
    "full-tensor-pitfall": lambda: _preset("linreg-minibatch", full_tensor_pitfall=True, epochs=2),
    # logistic regression
    "logreg-bce-logits-shuffled": lambda: _preset("logreg-manual", loss="bce_logits", shuffle=True, steps=1200),
    "logreg-pitfall-one-sample": lambda: _preset("logreg-manual", full_tensor_pitfall=True, steps=200),
    "logreg-bce-batch-mode": lambda: _preset("logreg-manual", loss="bce", mode="batch", init="randn",
                                             lr=0.5, steps=100),
    "logreg-minibatch-dataloader": lambda: _preset("logreg-manual", batch_size=50, loader="dataloader",
                                                   lr=0.1, epochs=2),
    "logreg-module-bce-linear-default": lambda: _preset("logreg-manual", impl="module", loss="bce",
                                                        batch_size=64, loader="dataloader", init="linear_default",
                                                        lr=0.1, steps=40),
    "logreg-module-adam-bce-logits-d2l": lambda: _preset("logreg-manual", impl="module", loss="bce_logits",
                                                         optimizer="adam", lr=0.01, batch_size=100, loader="d2l",
                                                         epochs=2, beta1=0.8),
    # optimizers (torch.optim), module and manual models
    "module-nesterov-no-shuffle": lambda: _preset("linreg-minibatch", impl="module", optimizer="nesterov",
                                                  momentum=0.8, shuffle=False, init="rand", epochs=2),
    "manual-adagrad": lambda: _preset("linreg-d2l", loss="mse", optimizer="adagrad", lr=0.1, eps=1e-8, epochs=1),
    "module-rmsprop-stochastic-index": lambda: _preset("linreg-module", mode="stochastic", loader="index",
                                                       optimizer="rmsprop", rms_momentum=0.5, weight_decay=0.01,
                                                       lr=0.01, steps=120),
    "manual-half-squared-weight-decay": lambda: _preset("linreg-d2l", weight_decay=0.01, epochs=1),
    # divergence: the run stops at the first non-finite value and keeps the last finite parameters
    "diverging-manual": lambda: _preset("linreg-manual", lr=5.0, steps=300),
    "diverging-module-momentum": lambda: _preset("linreg-minibatch", impl="module", optimizer="momentum",
                                                 lr=1.0, epochs=5),
    # data handed in: an uploaded CSV, and a data set that is not the config's own recipe
    "custom-csv-linreg": lambda: _custom("linreg-d2l", _csv(60, 2), loader="index", batch_size=16,
                                         init="linear_default", epochs=3),
    "custom-csv-logreg": lambda: _custom("logreg-manual", _csv(40, 3, binary=True), shuffle=True, epochs=2,
                                         lr=0.05),
    "data-not-from-recipe": lambda: (preset_config("linreg-d2l", epochs=1),
                                     make_dataset(preset_config("linreg-d2l", n=200))),
    # feature scaling: the script standardises as the engine does and maps w, b back to the raw units
    "scaled-linreg-manual": lambda: _preset("linreg-manual", scaling="standard", lr=0.5, steps=40),
    "scaled-minibatch-val-split": lambda: _preset("linreg-d2l", scaling="standard", loader="index", batch_size=32,
                                                  epochs=1, val_fraction=0.2),
    "scaled-custom-csv-module": lambda: _custom("linreg-manual", _csv(50, 3), scaling="standard", lr=0.1, epochs=60),
    "scaled-logreg": lambda: _preset("logreg-manual", scaling="standard", steps=300),
}

MUST_DIVERGE = {"diverging-manual", "diverging-module-momentum"}
ALLOWED_IMPORTS = {"torch", "numpy", "math", "random"}


def _run_script(path: str, cwd: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    return subprocess.run([sys.executable, "-I", path], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """name -> (config, data, script text, future of the finished subprocess); all started at once."""
    root = tmp_path_factory.mktemp("codegen")
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    out = {}
    for name, make in CASES.items():
        config, data = make()
        text = export_script(config, data)
        path = root / f"{name.replace('-', '_')}.py"
        path.write_text(text, encoding="utf-8")
        out[name] = (config, data, text, pool.submit(_run_script, str(path), str(root)))
    yield out
    pool.shutdown(wait=True, cancel_futures=True)


def _final_params(stdout: str) -> dict[str, list[float]]:
    lines = stdout.strip().splitlines()
    assert len(lines) >= 2, stdout
    w_line, b_line = lines[-2], lines[-1]
    assert w_line.startswith("w = [") and b_line.startswith("b = ["), lines[-2:]
    return {"w": ast.literal_eval(w_line[len("w = "):]), "b": ast.literal_eval(b_line[len("b = "):])}


@pytest.mark.parametrize("name", list(CASES))
def test_script_reproduces_engine_bit_for_bit(exported, name):
    config, data, text, future = exported[name]
    run = Run(config, data)
    run.run()
    expected = run.params()
    assert (run.status == "diverged") == (name in MUST_DIVERGE), run.message
    proc = future.result()
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = _final_params(proc.stdout)
    assert got == expected  # exact float equality, not approx
    raw = [ln for ln in proc.stdout.splitlines() if ln.startswith("in the units of the raw features: ")]
    if config.scaling == "standard":  # the line mapped back to the raw units, also to the last bit
        assert _final_params("\n".join(ln.split(": ", 1)[1] for ln in raw)) == scaling.raw_params(run)
    else:
        assert raw == []
    progress = proc.stdout.strip().splitlines()[:-2]
    assert len(progress) <= 110  # modest output
    if run.status == "diverged":
        assert any(ln.startswith(f"diverged at step {run.divergence.step}:") for ln in progress), progress


@pytest.mark.parametrize("name", list(CASES))
def test_script_is_plain_standalone_python(exported, name):
    config, _, text, _ = exported[name]
    tree = ast.parse(compile(text, "script.py", "exec", flags=ast.PyCF_ONLY_AST))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots = {(node.module or "").split(".")[0]}
        else:
            continue
        assert roots <= ALLOWED_IMPORTS, roots
    for word in ("gdcore", "streamlit", "pandas"):
        assert word not in text
    code = [ln.split("#", 1)[0] for ln in text.splitlines()]
    assert not any("torch.manual_seed" in ln or "np.random.seed" in ln or "random.seed" in ln for ln in code)
    assert isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant)  # docstring
    doc = tree.body[0].value.value
    assert (config.preset or "custom settings") in doc
    assert f"lr            {config.lr!r}" in doc
    for comment in ("# forward", "# backward", "# update"):
        assert comment in text
    assert text.rstrip().endswith('print("b =", b_final.reshape(-1).tolist())')


def test_every_preset_is_in_the_table():
    assert set(PRESETS) <= set(CASES)


def test_same_script_with_or_without_the_recipe_data():
    config = preset_config("linreg-d2l", val_fraction=0.1)
    assert export_script(config, make_dataset(config)) == export_script(config)
    assert "rows = [" not in export_script(config)


def test_custom_data_needs_a_data_set():
    config = preset_config("linreg-d2l", data="custom")
    with pytest.raises(DataError):
        export_script(config)


def test_too_large_a_table_is_refused_in_one_sentence():
    rows = MAX_EMBEDDED_VALUES // 3 + 1
    config, data = _custom("linreg-d2l", _csv(rows, 2), epochs=1)
    with pytest.raises(ConfigError) as err:
        export_script(config, data)
    msg = str(err.value)
    assert "20,000" in msg and msg.count(". ") == 0 and isinstance(err.value, GdError)
    small_config, small = _custom("linreg-d2l", _csv(MAX_EMBEDDED_VALUES // 3, 2), epochs=1)
    assert "rows = [" in export_script(small_config, small)


def test_invalid_config_is_refused():
    with pytest.raises(ConfigError):
        export_script(Config(lr=-1.0))


def test_script_filename():
    assert script_filename(PRESETS["linreg-minibatch"]) == "linreg_minibatch.py"
    assert script_filename(Config(preset=None, task="logreg", impl="module", data="logistic_rule",
                                  loss="bce", true_w=(1.0, 2.0))) == "logreg_module.py"
    assert script_filename(Config(preset='../x"y')) == "x_y.py"
