"""The catalogue of bad input: every way a learner can get a setting wrong, one case each, by channel.

Each case names its channel (the CLI, the Python API, a share link's query string, a CSV upload,
a saved-weights upload) and a word the one-sentence message must contain. The CLI must exit 2
with an `error:` line; the API and the parsers raise `GdError` (a ValueError) with one sentence;
a link's bad value becomes a note and is not used. The UI side (st.error with the previous run
kept) is tested per page in test_uploads.py and the test_page_*.py files; this file keeps the
catalogue in one place, and `test_catalogue_size` counts it.
"""
import math

import pytest
import torch
from cli_util import run_cli

from gdcore import Run, links, preset_config, weights
from gdcore.api import run_preset
from gdcore.data import MAX_UPLOAD_BYTES, load_csv
from gdcore.errors import GdError

NO_CUDA = not torch.cuda.is_available()

CLI = [  # (argv, word in the error line)
    (["train", "linreg-module", "--lr", "0"], "lr"),
    (["train", "linreg-module", "--lr", "-0.1"], "lr"),
    (["train", "linreg-module", "--lr", "nan"], "lr"),
    (["train", "linreg-module", "--lr", "inf"], "lr"),
    (["train", "linreg-module", "--lr", "1e308"], "lr"),
    (["train", "linreg-module", "--lr", "abc"], "lr"),
    (["train", "linreg-minibatch", "--batch-size", "0"], "batch"),
    (["train", "linreg-minibatch", "--batch-size", "2.5"], "batch"),
    (["train", "linreg-minibatch", "--batch-size", "1000"], "batch_size"),
    (["train", "linreg-module", "--steps", "0"], "steps"),
    (["train", "linreg-module", "--steps", "99999999"], "steps"),
    (["train", "linreg-module", "--epochs", "-3"], "epochs"),
    (["train", "no-such-preset"], "preset"),
    (["train", "linreg-module", "--optimizer", "lbfgs"], "optimizer"),
    (["train", "linreg-module", "--device", "tpu"], "device"),
    (["sweep", "linreg-module", "--lr-min", "1", "--lr-max", "0.1", "--runs", "4"], "lr"),
    (["sweep", "linreg-module", "--lr-min", "0.01", "--lr-max", "0.1", "--runs", "0"], "runs"),
]
if NO_CUDA:
    CLI.append((["train", "linreg-module", "--device", "cuda"], "CUDA"))

API = [  # (preset, overrides, word in the message)
    ("linreg-minibatch", {"n": 0}, "n must be"),
    ("linreg-minibatch", {"n": 1}, "batch_size"),  # 1 sample cannot fill a batch of 20: says what to pick
    ("linreg-minibatch", {"n": 2_000_000}, "1,000,000"),
    ("linreg-minibatch", {"noise": -1}, "noise"),
    ("linreg-minibatch", {"lr": float("nan")}, "finite"),
    ("linreg-minibatch", {"lr": float("inf")}, "finite"),
    ("linreg-minibatch", {"lr": 0}, "greater than 0"),
    ("linreg-minibatch", {"lr": 1e308}, "at most"),
    ("linreg-minibatch", {"batch_size": 0}, "batch_size"),
    ("linreg-minibatch", {"batch_size": 2.5}, "whole number"),
    ("linreg-minibatch", {"batch_size": 500}, "larger than the 150"),
    ("linreg-minibatch", {"steps": 0}, "steps"),
    ("linreg-minibatch", {"steps": 10**8}, "5,000,000"),
    ("linreg-minibatch", {"optimizer": "lbfgs"}, "unknown optimizer"),
    ("linreg-minibatch", {"device": "tpu"}, "unknown device"),
    ("linreg-minibatch", {"momentum": 1.5, "optimizer": "momentum"}, "momentum"),
]
if NO_CUDA:
    API.append(("linreg-minibatch", {"device": "cuda"}, "not available"))

CSV = [  # (bytes, kwargs, word in the message)
    (b"", {}, "empty"),
    (b"x,y\n", {}, "no data rows"),
    (b"x,y\n1,2\n3,abc\n", {}, "abc"),
    (b"x,y\n1,2\nnan,4\n", {}, "NaN"),
    (b"x,y\n1,2\ninf,4\n", {}, "inf"),
    (b"x\n1\n2\n", {}, "column"),
    (b"x,x\n1,2\n3,4\n", {}, "unique"),
    (b"a,b,label\n1,2,0\n3,4,2\n", {"binary_labels": True}, "0 or 1"),
    (b"x,y\n" + b"1" * (10 * 1024 * 1024), {}, "MB"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", {}, "text"),
    (b"x,y\n\xff\xfe,1\n", {}, "UTF-8"),
    (b"x,y,z\n1,2\n", {}, "line 2"),
]
CSV_ACCEPTED = [  # odd but fine: parsed, with the columns a learner meant
    (b"\xef\xbb\xbfx,y\n1,2\n3,4\n", ("x",), "y"),  # a BOM
    (b"x;y\n1;2\n3;4\n", ("x",), "y"),  # semicolons
    (b"x\ty\n1\t2\n3\t4\n", ("x",), "y"),  # tabs
]

LINK_FIELDS = [links.Field("lr", "w.lr", "float", 1e-6, 1000.0), links.Field("batch_size", "w.bs", "int", 1, 1000),
               links.Field("optimizer", "w.opt", "choice", choices=("sgd", "adam"))]
QUERY = [  # (params, the name noted)
    ({"lr": "abc"}, "lr"), ({"lr": "-1"}, "lr"), ({"lr": "nan"}, "lr"), ({"lr": "1e308"}, "lr"),
    ({"batch_size": "0"}, "batch_size"), ({"batch_size": "2.5"}, "batch_size"), ({"optimizer": "foo"}, "optimizer"),
    ({"steps": "-5"}, "steps"), ({"steps": "10000000000"}, "steps"), ({"lang": "fr"}, "lang"),
    ({"hide": "everything"}, "hide"), ({"lock": "yes please"}, "lock"), ({"__class__": "x"}, "__class__"),
    ({"lr": "__import__('os').system('ls')"}, "lr"),
]


@pytest.mark.parametrize("argv, word", CLI, ids=[" ".join(a) for a, _ in CLI])
def test_cli(argv, word):
    code, out, err = run_cli(*argv)
    lines = [line for line in err.splitlines() if "error:" in line]
    assert code == 2 and len(lines) == 1 and word.lower() in lines[0].lower(), err
    assert "Traceback" not in err + out


@pytest.mark.parametrize("preset, overrides, word", API, ids=[str(o) for _, o, _ in API])
def test_api(preset, overrides, word):
    with pytest.raises(GdError) as info:
        run_preset(preset, **overrides)
    msg = str(info.value)
    assert word in msg and "\n" not in msg


@pytest.mark.parametrize("raw, kwargs, word", CSV, ids=[repr(r[:12]) for r, _, _ in CSV])
def test_csv(raw, kwargs, word):
    with pytest.raises(GdError) as info:
        load_csv(raw, max_bytes=MAX_UPLOAD_BYTES, **kwargs)
    assert word.lower() in str(info.value).lower(), str(info.value)


@pytest.mark.parametrize("raw, features, label", CSV_ACCEPTED)
def test_csv_accepted(raw, features, label):
    ds = load_csv(raw)
    assert ds.feature_names == features and ds.label_name == label and ds.n == 2


@pytest.mark.parametrize("params, name", QUERY, ids=[str(p) for p, _ in QUERY])
def test_query(params, name):
    link = links.decode({**params, "lr": params.get("lr", "0.5")} if "lr" not in params else params,
                        LINK_FIELDS, groups=("lr",))
    assert [n.name for n in link.notes] == [name]
    assert all(math.isfinite(v) for v in link.values.values() if isinstance(v, float))


def test_weights_upload_of_another_models_state_dict():
    module = Run(preset_config("linreg-module")).state_dict()
    with pytest.raises(GdError, match="keys"):
        weights.load(weights.save(module), Run(preset_config("linreg-manual")).state_dict())


def test_catalogue_size():
    """At least 30 cases across the channels (the UI cases live in the page tests)."""
    size = len(CLI) + len(API) + len(CSV) + len(CSV_ACCEPTED) + len(QUERY) + 1
    assert size >= 30
    print(f"bad-input catalogue: {size} cases")
