"""AppTest: the sidebar's precision reaches every lesson's run and its link; the linear-regression page
says when rounding stopped a run (in both languages) and stops promising a pace then."""
from __future__ import annotations

import pytest
from apptest_util import open_link, open_page
from precision_data import bmi_like

from gdcore.i18n import translator
from gdcore.reference import stability_limit

LINREG = "pages/views/linear_regression.py"


@pytest.mark.parametrize("page, lesson", [
    (LINREG, "linear_regression"), ("pages/views/logistic_regression.py", "logistic_regression"),
    ("pages/views/mini_batches.py", "mini_batches"), ("pages/views/optimizers.py", "optimizers"),
])
def test_sidebar_precision_reaches_the_run(page, lesson):
    at = open_page(page)
    assert at.session_state[f"_lesson.{lesson}"].run.config.dtype == "float32"  # the tutorials' default
    at.selectbox(key="w.dtype").set_value("float64").run()
    assert not at.exception
    run = at.session_state[f"_lesson.{lesson}"].run
    assert run.config.dtype == "float64" and run.X.dtype.itemsize == 8


def test_link_carries_the_precision():
    at = open_link(LINREG, {"dtype": "float64", "lr": "0.02"})
    assert not at.exception
    assert at.session_state["w.dtype"] == "float64"
    assert at.session_state["_lesson.linear_regression"].run.config.dtype == "float64"
    at.button(key="b.linear_regression.step").click().run()
    assert at.query_params["dtype"] in ("float64", ["float64"])
    bad = open_link(LINREG, {"dtype": "float16"})
    assert bad.session_state["w.dtype"] == "float32"
    assert any("dtype" in w.value and "float16" in w.value for w in bad.warning)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stall_sentence_and_no_more_pace_promise(lang):
    T = translator(lang)
    ds = bmi_like(mean=18.0)  # float32 stalls near step 36,000 at 0.9x the stability limit
    lr = 0.9 * stability_limit(ds.X)
    at = open_page(LINREG)
    at.selectbox(key="w.lang").set_value(lang).run()
    at.radio(key="w.linear_regression.recipe").set_value("upload").run()
    at.file_uploader(key="u.linear_regression.csv").set_value(("bmi.csv", ds.to_csv().encode(), "text/csv")).run()
    at.number_input(key="w.linear_regression.lr").set_value(lr).run()
    at.number_input(key="w.linear_regression.steps").set_value(40_000).run()
    assert not at.exception
    run = at.session_state["_lesson.linear_regression"].run
    pace_head = T("linear_regression.lr.sentence.pace", k="")[:12]
    assert any(pace_head in m.value for m in at.markdown)  # the promise, before the run
    run.run()
    at.run()
    assert run.stall is not None
    assert any(w.value == T(run.stall.message()) for w in at.warning)
    stalled = T("linear_regression.lr.sentence.pace_stalled", step=f"{run.stall.step:,}", dtype="float32")
    assert any(stalled in m.value for m in at.markdown)
    assert not any(pace_head in m.value for m in at.markdown)
    # the same data in float64 keeps going: no stall, and the pace still holds
    at.selectbox(key="w.dtype").set_value("float64").run()
    run64 = at.session_state["_lesson.linear_regression"].run
    assert run64.config.dtype == "float64"
    run64.run()
    at.run()
    assert run64.stall is None and not any(T(run.stall.message())[:10] in w.value for w in at.warning)
