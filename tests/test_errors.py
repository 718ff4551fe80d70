"""Errors in the learner's language: `str(exc)` stays the English sentence (the CLI and the API print it),
`T(exc.message)` is the same sentence, with the same numbers and names, in T's language."""
import re
from pathlib import Path

import pytest
import torch
from apptest_util import open_link

from gdcore import Run, i18n, preset_config, weights
from gdcore.config import Config
from gdcore.data import load_csv
from gdcore.devices import resolve_device
from gdcore.errors import ConfigError, DataError, DeviceError, GdError
from gdcore.i18n import translator

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
KEYED = re.compile(r"(?:GdError|ConfigError|DataError|DeviceError)\(key=\"(\w+)\"")


def _errors(lang):
    return {k: v for k, v in i18n.strings(lang).items() if k.startswith("errors.")}


def test_every_error_key_exists_in_both_languages_with_the_same_placeholders():
    en, zh = _errors("en"), _errors("zh")
    assert en and set(en) == set(zh), sorted(set(en) ^ set(zh))
    bad = [k for k in en if i18n.placeholders(en[k]) != i18n.placeholders(zh[k])]
    assert not bad, bad
    assert all(CJK.search(v) for v in zh.values()), [k for k, v in zh.items() if not CJK.search(v)]


def test_every_key_raised_in_the_code_has_its_sentence():
    used = {m for path in (ROOT / "gdcore").rglob("*.py") for m in KEYED.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 50
    missing = sorted(k for k in used if f"errors.{k}" not in _errors("en"))
    assert not missing, missing
    unused = sorted(k for k in _errors("en") if k.removeprefix("errors.") not in used)
    assert not unused, unused


def _raise(f):
    with pytest.raises(GdError) as info:
        f()
    return info.value


def _state_dict():
    return Run(preset_config("linreg-module")).state_dict()


CASES = [  # (id, what raises, error class, the English sentence, words the Chinese one must also contain)
    ("lr 0", lambda: Config().replace(lr=0), ConfigError,
     "lr must be greater than 0, got 0", ["lr"]),
    ("n 0", lambda: Config().replace(n=0), ConfigError,
     "n must be between 1 and 1,000,000, got 0", ["n"]),
    ("n too large", lambda: Config().replace(n=2_000_000), ConfigError,
     "n must be between 1 and 1,000,000, got 2,000,000", ["n"]),
    ("unknown optimizer", lambda: Config().replace(optimizer="lbfgs"), ConfigError,
     "unknown optimizer 'lbfgs'; choose one of: sgd, momentum, nesterov, adagrad, rmsprop, adam", ["optimizer"]),
    ("batch_size 2.5", lambda: Config().replace(batch_size=2.5), ConfigError,
     "batch_size must be a whole number, got 2.5", ["batch_size"]),
    ("lr nan", lambda: Config().replace(lr=float("nan")), ConfigError,
     "lr must be a finite number, got nan", ["lr", "nan"]),
    ("lr too large", lambda: Config().replace(lr=1e308), ConfigError,
     "lr must be at most 1e+06, got 1e+308", ["lr"]),
    ("noise -1", lambda: Config().replace(noise=-1), ConfigError,
     "noise must be between 0 and 1e+06, got -1", ["noise"]),
    ("unknown setting", lambda: Config().replace(foo=1), ConfigError,
     "unknown setting(s): foo", ["foo"]),
    ("batch larger than data", lambda: Run(preset_config("linreg-minibatch", batch_size=500)), ConfigError,
     "batch_size 500 is larger than the 150 training samples; pick at most 150 (or use batch mode)", ["batch_size"]),
    ("csv empty", lambda: load_csv(b""), DataError,
     "the CSV file is empty", ["CSV"]),
    ("csv non-numeric", lambda: load_csv(b"x,y\n1,2\n3,abc\n"), DataError,
     "line 3 has a value that is not a number: 'abc'", []),
    ("csv duplicate columns", lambda: load_csv(b"x,x,y\n1,2,3\n"), DataError,
     "column names must be unique; repeated: x", ["x"]),
    ("csv not UTF-8", lambda: load_csv(b"x,y\n\xff\xfe,1\n"), DataError,
     "the file is not UTF-8 text; save it as 'CSV UTF-8' and upload again", ["UTF-8"]),
    ("csv too many rows", lambda: load_csv(b"x,y\n" + b"1,2\n" * 5, max_rows=3), DataError,
     "the CSV has 5 rows; at most 3 are allowed", ["CSV"]),
    ("csv NaN", lambda: load_csv(b"x,y\n1,nan\n"), DataError,
     "line 2, column 'y' is not a finite number (nan)", ["nan"]),
    ("weights wrong keys", lambda: weights.load(weights.save({"a": torch.zeros(1)}), _state_dict()), DataError,
     "the file has keys a; this model needs linear.bias, linear.weight", ["linear.bias, linear.weight"]),
    ("weights no keys", lambda: weights.load(weights.save({}), _state_dict()), DataError,
     "the file has keys none; this model needs linear.bias, linear.weight", ["linear.bias, linear.weight"]),
    ("weights shape", lambda: weights.load(weights.save({"linear.weight": torch.zeros(1, 1),
                                                         "linear.bias": torch.zeros(3)}), _state_dict()), DataError,
     "linear.bias has shape (3,) in the file; this model needs (1,)", ["linear.bias", "(3,)", "(1,)"]),
    ("unknown device", lambda: resolve_device("tpu"), DeviceError,
     "unknown device 'tpu'; choose one of: auto, cpu", ["auto, cpu"]),
]
if not torch.cuda.is_available():
    CASES.append(("cuda without a GPU", lambda: resolve_device("cuda"), DeviceError,
                  "device 'cuda' is not available on this machine (no CUDA GPU); choose one of: auto, cpu",
                  ["CUDA", "auto, cpu"]))
NO_MPS = not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_english_unchanged_and_chinese_has_the_same_values(case):
    name, f, cls, english, words = case
    if "auto, cpu" in english and not NO_MPS:
        pytest.skip("the device list names mps on this machine")
    exc = _raise(f)
    assert type(exc) is cls
    assert exc.key is not None
    assert str(exc) == english
    assert translator("en")(exc.message) == english
    zh = translator("zh")(exc.message)
    assert CJK.search(zh), zh
    # every number and every quoted name of the English sentence is in the Chinese one
    values = re.findall(r"'[^']*'|\d[\d,.+e]*\d|\d", english) + words
    missing = [v for v in values if v not in zh]
    assert not missing, (missing, zh)


def test_an_error_without_a_key_is_the_same_in_every_language():
    exc = ConfigError("a plain sentence")
    assert exc.key is None and translator("zh")(exc.message) == "a plain sentence" == str(exc)


def test_a_chinese_page_shows_a_bad_csv_in_chinese():
    at = open_link("pages/views/linear_regression.py", {"lang": "zh"})
    assert not at.exception, at.exception
    at.radio(key="w.linear_regression.recipe").set_value("upload").run()
    assert not at.exception and not at.error
    at.file_uploader(key="u.linear_regression.csv").set_value(("bad.csv", b"x,y\n1,2\n3,abc\n", "text/csv")).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    msg = at.error[0].value  # y, the last column, is offered as the target: its typo is named at once
    assert CJK.search(msg) and "'abc'" in msg and "3" in msg, msg
    assert msg == translator("zh")("errors.column_not_numeric", name="'y'", line=3, value="'abc'") + "。", msg
