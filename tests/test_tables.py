"""Choosing the target and the features of an uploaded table: what trains, and one sentence (in both
languages) for each bad choice."""
from __future__ import annotations

import numpy as np
import pytest

from gdcore.data import load_csv
from gdcore.errors import DataError
from gdcore.i18n import translator
from gdcore.tables import Table, read_table

CSV = (b"id,name,height,weight,age\n"
       b"1,ann,1.62,55.0,31\n"
       b"2,bo,1.80,81.5,45\n"
       b"3,cy,1.71,70.2,28\n")


def test_a_text_column_is_kept_and_the_numeric_ones_train():
    t = read_table(CSV)
    assert t.header == ("id", "name", "height", "weight", "age")
    assert not t.numeric("name") and t.numeric("age")
    assert t.default_features("weight") == ("id", "height", "age")
    ds = t.dataset("weight", ("height", "age"))
    assert ds.feature_names == ("height", "age") and ds.label_name == "weight"
    np.testing.assert_array_equal(ds.X.numpy(), np.array([[1.62, 31], [1.80, 45], [1.71, 28]], dtype=np.float32))
    assert ds.X.is_contiguous()  # row-major, as the exported script's table


def test_the_offered_target_is_the_last_numeric_column_unless_a_typo_leaves_no_feature():
    assert read_table(CSV).default_target() == "age"  # past the text column, with features left
    assert read_table(b"x,y,name\n1,2,a\n3,4,b\n").default_target() == "y"  # trailing names are skipped
    typo = read_table(b"x,y\n1,2\n3,abc\n")  # y's typo makes it text: offer y itself, so its error shows
    assert typo.default_target() == "y"
    with pytest.raises(DataError) as e:
        typo.dataset("y", typo.default_features("y"))
    assert "'abc'" in translator("en")(e.value.message) and "3" in translator("en")(e.value.message)


def test_load_csv_still_refuses_any_text_cell_with_its_line():
    with pytest.raises(DataError) as exc:
        load_csv(CSV)
    assert str(exc.value) == "line 2 has a value that is not a number: 'ann'"


BAD = {  # choice -> (key of the sentence, English sentence)
    "target among the features": (("age", ("height", "age")),
                                  "the target column 'age' is also among the features; take it out of the "
                                  "features or choose another target"),
    "no features": (("age", ()), "choose at least one feature"),
    "text column": (("age", ("name", "height")),
                    "column 'name' is not all numbers (line 2 has 'ann'); choose numeric columns only"),
    "text target": (("name", ("age",)),
                    "column 'name' is not all numbers (line 2 has 'ann'); choose numeric columns only"),
    "unknown column": (("age", ("shoe",)), "no feature column named 'shoe'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_choice_is_one_sentence_in_both_languages(case):
    (target, features), english = BAD[case]
    with pytest.raises(DataError) as exc:
        read_table(CSV).dataset(target, features)
    assert str(exc.value) == english
    zh = translator("zh")(exc.value.message)
    assert zh and zh != english and "{" not in zh


def test_more_than_64_features_is_refused():
    header = tuple(f"c{i}" for i in range(70))
    t = Table(header, np.zeros((3, 70)), {})
    with pytest.raises(DataError) as exc:
        t.dataset("c0", header[1:])
    assert str(exc.value) == "69 features are chosen; at most 64 are allowed"
    assert "64" in translator("zh")(exc.value.message)
    assert t.dataset("c0", header[1:65]).n_features == 64


def test_non_finite_values_only_matter_in_the_chosen_columns():
    t = read_table(b"a,b,y\n1,nan,2\n2,3,4\n")
    assert t.dataset("y", ("a",)).n == 2
    with pytest.raises(DataError, match="column 'b' is not a finite number"):
        t.dataset("y", ("a", "b"))
