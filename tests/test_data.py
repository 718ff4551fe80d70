"""gdcore.data: the tutorials' generators against their own recipes, splits, CSV loading."""
from __future__ import annotations

import csv
import io
import random

import numpy as np
import pytest
import torch

from gdcore.config import Config
from gdcore.data import (
    Dataset,
    check_for_task,
    linear_1d,
    load_csv,
    logistic_rule,
    make_dataset,
    split,
    synthetic_data,
    uniform_1d,
)
from gdcore.errors import DataError


def _one_sentence(msg: str) -> None:
    assert msg and "\n" not in msg and len(msg) < 250, msg
    assert ". " not in msg.rstrip("."), f"more than one sentence: {msg!r}"
    assert "Traceback" not in msg and "Error" not in msg, msg


# -- generators against the tutorials' own code -----------------------------------------------

def test_linear_1d_is_seed_000s_numpy_recipe():
    """np.random.seed(100); x = 5*rand(150, 1); y = 2x + 6 + randn(150, 1)*0.3, then .float()."""
    saved = np.random.get_state()
    try:
        np.random.seed(100)
        x_glob = 5 * np.random.rand(150, 1)
        y_glob = 2 * x_glob + 6 + np.random.randn(150, 1) * 0.3
    finally:
        np.random.set_state(saved)
    rs = np.random.RandomState(100)
    x_own = 5 * rs.rand(150, 1)
    y_own = 2 * x_own + 6 + rs.randn(150, 1) * 0.3
    assert np.array_equal(x_glob, x_own) and np.array_equal(y_glob, y_own)  # the two recipes agree

    ds = linear_1d(150, 2.0, 6.0, 0.3, 5.0, seed=100)
    assert ds.X.dtype == torch.float32 and ds.X.shape == (150, 1) and ds.y.shape == (150, 1)
    assert torch.equal(ds.X, torch.from_numpy(x_own).float())
    assert torch.equal(ds.y, torch.from_numpy(y_own).float())
    assert ds.feature_names == ("x",) and ds.true_w == (2.0,) and ds.true_b == 6.0


def test_uniform_1d_is_seed_002_and_003s_recipe(restore_global_rngs):
    for seed in (0, 5):
        torch.manual_seed(seed)
        x = torch.rand([50, 1])
        y = 3 * x + 0.8
        ds = uniform_1d(50, 3.0, 0.8, 0.0, 1.0, seed=seed)
        assert torch.equal(ds.X, x) and torch.equal(ds.y, y)
        # the stream continues where the data left off: seed 003 then draws w, b = torch.rand(1) each
        g = torch.Generator()
        g.set_state(ds.gen_state)
        assert torch.equal(torch.rand(1, generator=g), torch.rand(1))


def test_synthetic_data_is_d2ls_recipe(restore_global_rngs):
    def d2l_synthetic_data(w, b, num_examples):  # d2l, as in seed 001
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    torch.manual_seed(3)
    X, y = d2l_synthetic_data(torch.tensor([2, -3.4]), 4.2, 1000)
    ds = synthetic_data((2.0, -3.4), 4.2, 1000, 0.01, seed=3)
    assert torch.equal(ds.X, X) and torch.equal(ds.y, y)
    assert ds.feature_names == ("x1", "x2")


def test_logistic_rule_is_seed_004s_recipe(restore_global_rngs):
    torch.manual_seed(123)
    data_x = torch.randn(size=(1000, 2)).float()
    data_y = torch.where(torch.subtract(data_x[:, 0] * 0.5, data_x[:, 1] * 1.5) > 0, 1., 0.).float()
    w = torch.randn(size=(2, 1))
    ds = logistic_rule(1000, (0.5, -1.5), 0.0, seed=123)
    assert torch.equal(ds.X, data_x)
    assert torch.equal(ds.y, data_y.reshape(-1, 1))
    assert ds.is_binary
    g = torch.Generator()
    g.set_state(ds.gen_state)
    assert torch.equal(torch.randn((2, 1), generator=g), w)


GENERATORS = {
    "linear_1d": lambda seed: linear_1d(seed=seed),
    "uniform_1d": lambda seed: uniform_1d(seed=seed, noise=0.1),
    "synthetic_data": lambda seed: synthetic_data(seed=seed),
    "logistic_rule": lambda seed: logistic_rule(seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_deterministic_per_seed_and_seeds_differ(name):
    make = GENERATORS[name]
    a, b, c = make(11), make(11), make(12)
    assert torch.equal(a.X, b.X) and torch.equal(a.y, b.y)
    assert not torch.equal(a.X, c.X)
    assert a.X.dtype == torch.float32 and a.y.shape == (a.n, 1)


def test_generators_leave_global_generators_alone():
    t, n, p = torch.random.get_rng_state(), np.random.get_state(), random.getstate()
    for make in GENERATORS.values():
        make(4)
    split(linear_1d(seed=4), 0.2, 4)
    assert torch.equal(t, torch.random.get_rng_state())
    n2 = np.random.get_state()
    assert n[0] == n2[0] and np.array_equal(n[1], n2[1]) and n[2:] == n2[2:]
    assert random.getstate() == p


def test_make_dataset_follows_the_config():
    ds = make_dataset(Config(data="linear", n=40, true_w=(-1.5,), true_b=2.0, noise=0.0, x_range=3.0, seed=9))
    rs = np.random.RandomState(9)
    x = 3.0 * rs.rand(40, 1)
    assert torch.equal(ds.X, torch.from_numpy(x).float())
    assert torch.allclose(ds.y, -1.5 * ds.X + 2.0, atol=1e-5)  # noise 0: exactly on the line (float32)
    with pytest.raises(DataError, match="CSV"):
        make_dataset(Config(data="custom"))


# -- splits -----------------------------------------------------------------------------------

def _rows(X, y) -> list[tuple]:
    return [tuple(r) for r in torch.cat([X, y], 1).tolist()]


@pytest.mark.parametrize("n,frac", [(150, 0.2), (1000, 0.1), (7, 0.5), (3, 0.34)])
def test_split_sizes_disjoint_and_complete(n, frac):
    ds = linear_1d(n=n, seed=1)
    sp = split(ds, frac, seed=5)
    n_val = int(round(n * frac))
    assert sp.X_val.shape == (n_val, 1) and sp.y_val.shape == (n_val, 1)
    assert sp.n == n - n_val
    train, val, full = _rows(sp.X, sp.y), _rows(sp.X_val, sp.y_val), _rows(ds.X, ds.y)
    assert len(set(full)) == n  # continuous data: every row unique, so row sets identify samples
    assert set(train).isdisjoint(val)
    assert sorted(train + val) == sorted(full)
    again = split(ds, frac, seed=5)
    assert torch.equal(again.X_val, sp.X_val)
    other = split(linear_1d(n=150, seed=1), 0.2, seed=6)
    assert not torch.equal(other.X_val, split(linear_1d(n=150, seed=1), 0.2, seed=5).X_val)


def test_make_dataset_holds_out_validation():
    ds = make_dataset(Config(n=150, val_fraction=0.2, seed=3))
    assert ds.n == 120 and ds.X_val.shape[0] == 30


@pytest.mark.parametrize("frac", [0.0, 1.0, -0.1, 1.5])
def test_split_rejects_bad_fraction(frac):
    with pytest.raises(DataError) as info:
        split(linear_1d(n=10, seed=1), frac, seed=0)
    _one_sentence(str(info.value))


def test_split_rejects_too_few_samples():
    with pytest.raises(DataError, match="too few"):
        split(linear_1d(n=1, seed=1), 0.5, seed=0)


# -- check_for_task ---------------------------------------------------------------------------

def test_check_for_task():
    check_for_task(logistic_rule(seed=1), "logreg")
    check_for_task(linear_1d(seed=1), "linreg")
    with pytest.raises(DataError, match="0 or 1"):
        check_for_task(linear_1d(seed=1), "logreg")
    bad = Dataset(torch.tensor([[1.0], [float("nan")]]), torch.tensor([[0.0], [1.0]]), ("x",))
    with pytest.raises(DataError, match="NaN"):
        check_for_task(bad, "linreg")


# -- CSV --------------------------------------------------------------------------------------

def _reference_parse(text: str, delimiter: str = ","):
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, body = rows[0], [[float(c) for c in r] for r in rows[1:] if r]
    return header, np.asarray(body, dtype=np.float64)


GOOD = "x1,x2,y\n0.5,1.25,3\n-2,3e-2,0.125\n7,8,9\n"


def test_load_csv_good_file_matches_csv_module():
    header, table = _reference_parse(GOOD)
    ds = load_csv(GOOD)
    assert ds.feature_names == tuple(header[:-1]) and ds.label_name == header[-1]
    assert torch.equal(ds.X, torch.from_numpy(table[:, :-1]).float())
    assert torch.equal(ds.y, torch.from_numpy(table[:, -1:]).float())
    assert ds.n == 3 and ds.n_features == 2


def test_load_csv_bytes_path_and_text_agree(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(GOOD, encoding="utf-8")
    a, b, c = load_csv(GOOD), load_csv(GOOD.encode()), load_csv(str(p))
    d = load_csv(p)
    for other in (b, c, d):
        assert torch.equal(a.X, other.X) and torch.equal(a.y, other.y)


def test_load_csv_missing_path():
    with pytest.raises(DataError, match="cannot read") as info:
        load_csv("/nonexistent/dir/file.csv")
    _one_sentence(str(info.value))


@pytest.mark.parametrize("sep", [";", "\t"])
def test_load_csv_other_separators(sep):
    text = GOOD.replace(",", sep)
    header, table = _reference_parse(text, delimiter=sep)
    ds = load_csv(text)
    assert ds.feature_names == ("x1", "x2")
    assert torch.equal(ds.X, torch.from_numpy(table[:, :-1]).float())
    assert torch.equal(ds.y, torch.from_numpy(table[:, -1:]).float())


def test_load_csv_semicolon_with_decimal_points_and_quotes_and_crlf():
    text = '"a";"b"\r\n1.5;2\r\n3;4.25\r\n'
    ds = load_csv(text.encode())
    assert ds.feature_names == ("a",) and ds.label_name == "b"
    assert ds.X.reshape(-1).tolist() == [1.5, 3.0] and ds.y.reshape(-1).tolist() == [2.0, 4.25]


def test_load_csv_strips_the_utf8_bom():
    ds = load_csv(b"\xef\xbb\xbf" + GOOD.encode())
    assert ds.feature_names == ("x1", "x2")
    assert torch.equal(ds.X, load_csv(GOOD).X)


def test_load_csv_label_column_choice():
    header, table = _reference_parse(GOOD)
    ds = load_csv(GOOD, label="x1")
    assert ds.label_name == "x1" and ds.feature_names == ("x2", "y")
    assert torch.equal(ds.y, torch.from_numpy(table[:, :1]).float())
    assert torch.equal(ds.X, torch.from_numpy(table[:, 1:]).float())
    with pytest.raises(DataError, match="no column named 'z'") as info:
        load_csv(GOOD, label="z")
    _one_sentence(str(info.value))


def test_load_csv_binary_labels_accepted():
    ds = load_csv("a,b,label\n1,2,0\n3,4,1\n5,6,1\n", binary_labels=True)
    assert ds.is_binary and ds.y.reshape(-1).tolist() == [0.0, 1.0, 1.0]


BAD_CSV = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n \n\n", "empty"),
    "header only": (b"x,y\n", "no data rows"),
    "non-numeric": (b"x,y\n1,2\n3,abc\n", "line 3 has a value that is not a number: 'abc'"),
    "nan": (b"x,y\n1,2\nnan,4\n", "line 3, column 'x' is not a finite number"),
    "inf": (b"x,y\n1,inf\n3,4\n", "line 2, column 'y' is not a finite number"),
    "single column": (b"x\n1\n2\n", "at least two columns"),
    "duplicate names": (b"x,x,y\n1,2,3\n", "repeated: x"),
    "empty name": (b"x,,y\n1,2,3\n", "needs a name"),
    "ragged row": (b"x,y\n1,2\n3,4,5\n", "line 3 has 3 values but the header names 2 columns"),
    "short row": (b"x,y,z\n1,2,3\n4,5\n", "line 3 has 2 values"),
    "binary (NUL bytes)": (b"x,y\n1,\x002\n", "binary file"),
    "not UTF-8": ("caf\u00e9,y\n1,0\n".encode("latin-1"), "not UTF-8"),
    "huge values": (b"x,y\n1e300,2\n", "1e15"),
    "too many columns": ((",".join(f"c{i}" for i in range(70)) + "\n" + ",".join("1" * 70) + "\n").encode(),
                         "at most 65"),
}


@pytest.mark.parametrize("case", BAD_CSV)
def test_load_csv_bad_input_one_sentence(case):
    raw, words = BAD_CSV[case]
    with pytest.raises(DataError) as info:
        load_csv(raw)
    msg = str(info.value)
    assert words in msg, msg
    _one_sentence(msg)


def test_load_csv_labels_not_binary():
    with pytest.raises(DataError, match="0 or 1, but column 'y'") as info:
        load_csv(b"x,y\n1,0\n2,2\n", binary_labels=True)
    _one_sentence(str(info.value))
    assert load_csv(b"x,y\n1,0\n2,2\n").y.reshape(-1).tolist() == [0.0, 2.0]  # fine for regression


def test_load_csv_size_and_row_limits(tmp_path):
    raw = b"x,y\n" + b"1,2\n" * 100
    assert load_csv(raw, max_bytes=len(raw)).n == 100
    with pytest.raises(DataError, match="larger than") as info:
        load_csv(raw, max_bytes=len(raw) - 1)
    _one_sentence(str(info.value))
    p = tmp_path / "big.csv"
    p.write_bytes(raw)
    with pytest.raises(DataError, match="larger than"):
        load_csv(p, max_bytes=100)
    with pytest.raises(DataError, match="100 rows; at most 99"):
        load_csv(raw, max_rows=99)


@pytest.mark.parametrize("make", [lambda: linear_1d(seed=3), lambda: synthetic_data(seed=3, n=200),
                                  lambda: logistic_rule(seed=3, n=300), lambda: uniform_1d(seed=3)])
def test_to_csv_round_trips_through_load_csv(make):
    ds = make()
    text = ds.to_csv()
    back = load_csv(text, binary_labels=ds.kind == "logistic_rule")
    assert back.feature_names == ds.feature_names and back.label_name == ds.label_name
    # 9 significant digits identify a float32 exactly, so the round trip is lossless
    assert torch.equal(back.X, ds.X) and torch.equal(back.y, ds.y)
