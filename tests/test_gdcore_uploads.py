"""gdcore.uploads: parse once per file and label, the same Dataset object per choice, errors cached."""
import pytest

from gdcore import uploads
from gdcore.errors import DataError
from gdcore.uploads import Upload

CSV = b"a,b,y\n1,10,0\n2,20,1\n3,30,1\n"


def test_table_is_cached_per_file_and_label(monkeypatch):
    up = Upload()
    calls = []
    real = uploads.load_csv
    monkeypatch.setattr(uploads, "load_csv", lambda *a, **k: calls.append(a) or real(*a, **k))
    t1 = up.table("f.csv", CSV, None)
    assert up.table("f.csv", CSV, None) is t1 and len(calls) == 1
    assert up.columns("f.csv", CSV) == ("a", "b", "y")
    t2 = up.table("f.csv", CSV, "a")
    assert t2.label_name == "a" and t2.feature_names == ("b", "y") and len(calls) == 2
    up.table("g.csv", CSV, None)  # another file: parsed again
    assert len(calls) == 3


def test_errors_are_cached_and_raised_again():
    up = Upload()
    for _ in range(2):
        with pytest.raises(DataError, match="binary file"):
            up.table("x.csv", b"x,y\n\x00,1\n", None)
    with pytest.raises(DataError, match="0 or 1"):
        up.table("f.csv", b"a,y\n1,2\n", None, binary_labels=True)
    assert up.accepted is None


def test_accept_keeps_the_same_object_per_choice():
    up = Upload()
    ds = up.table("f.csv", CSV, None)
    assert up.accept("f.csv", ds) is ds and up.accepted is ds
    v = up.accept("f.csv", ds, ("b",))
    assert v.feature_names == ("b",) and v.X[:, 0].tolist() == [10, 20, 30] and v.y is ds.y
    assert up.accept("f.csv", ds, ("b",)) is v and up.accepted is v and up.accepted_name == "f.csv"
    v2 = up.accept("f.csv", ds, ("b", "a"))
    assert v2.X[0].tolist() == [10, 1]
    with pytest.raises(DataError):
        up.accept("f.csv", ds, ("zz",))
    assert up.accepted is v2  # a refused choice keeps the last accepted data


def test_summary():
    ds = Upload().table("f.csv", CSV, None)
    assert uploads.summary(ds, "f.csv") == "f.csv: 3 rows · features a, b · label y"
