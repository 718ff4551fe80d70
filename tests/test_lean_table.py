"""A small table for st.dataframe goes as Arrow without pandas' notes, its whole numbers in small types."""
import numpy as np
import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from gdcore.charts.vl_columns import lean_table
from gdcore.i18n import translator
from gdcore.lessons import mini_batches


def test_the_values_are_the_frames_and_whole_numbers_take_the_smallest_type():
    frame = pd.DataFrame({"index": [0, 1, 2], "num": [8, None, 300], "s": ["a", "b, c", None],
                          "f": [0.5, 1.0, 2.0], "big": [0, 1, 2 ** 40], "whole_floats": [1.0, 2.0, 3.0]})
    t = lean_table(frame)
    assert t.schema.metadata is None
    # integers, and floats pandas made of integers with a None, shrink; other floats stay floats
    assert [f.type for f in t.schema] == [pa.int8(), pa.int16(), pa.large_string(), pa.float64(), pa.int64(),
                                          pa.float64()]
    assert t.to_pydict() == {"index": [0, 1, 2], "num": [8, None, 300], "s": ["a", "b, c", None],
                             "f": [0.5, 1.0, 2.0], "big": [0, 1, 2 ** 40], "whole_floats": [1.0, 2.0, 3.0]}


def test_the_batch_table_reads_back_as_the_page_showed_it_and_sends_fewer_bytes():
    rng = np.random.default_rng(0)
    batches = [list(map(int, b)) for b in rng.permutation(64).reshape(8, 8)] + [None]
    frame = translator("en").frame(mini_batches.batch_table(batches))
    t = lean_table(frame)
    back = t.to_pandas()
    assert list(back.columns) == list(frame.columns)
    assert back["index"].tolist() == frame["index"].tolist()
    assert back["num"].tolist()[:-1] == frame["num"].tolist()[:-1] and back["num"].isna().tolist()[-1]
    assert back.iloc[:, 2].tolist() == frame.iloc[:, 2].tolist()
    sent, before = (len(dataframe_util.convert_arrow_table_to_arrow_bytes(t)),
                    len(dataframe_util.convert_pandas_df_to_arrow_bytes(frame)))
    assert sent < before - 500, (sent, before)
