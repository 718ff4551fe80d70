"""AppTest: the linear-regression page with feature scaling and with several uploaded features.

Trusted answers: numpy lstsq on the uploaded columns, the closed-form condition number of a z-scored
feature (1), and a run built straight from gdcore for the same link.
"""
from __future__ import annotations

import numpy as np
import pytest
from apptest_util import open_link, open_page

from gdcore.i18n import Message, translator

PAGE = "pages/views/linear_regression.py"
LESSON = "_lesson.linear_regression"


def _csv() -> bytes:
    """A text column, then four numeric ones on different scales, from a fixed Generator; y last."""
    g = np.random.default_rng(2026)
    n = 120
    X = np.c_[g.normal(40, 10, n), g.normal(0.3, 0.1, n), g.normal(-2, 3, n), g.uniform(0, 1, n)]
    y = X[:, :3] @ [0.2, 9.0, -1.1] + 3.0 + g.normal(0, 0.2, n)
    rows = [f"p{i},{','.join(f'{v:.5f}' for v in row)}" for i, row in enumerate(np.c_[X, y])]
    return ("name,age,ratio,temp,noise,y\n" + "\n".join(rows) + "\n").encode()


CSV = _csv()
TARGET = f"u.linear_regression.label.data.csv.{len(CSV)}"
FEATURES = f"u.linear_regression.features.data.csv.{len(CSV)}"


def _run(at):
    return at.session_state[LESSON].run


def _upload(lang: str = "en"):
    at = open_link(PAGE, {"lang": lang}) if lang != "en" else open_page(PAGE)
    at.radio(key="w.linear_regression.recipe").set_value("upload").run()
    at.file_uploader(key="u.linear_regression.csv").set_value(("data.csv", CSV, "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def _run_2000(at) -> None:
    """Run N = 2000 steps: done inside the click (no waiting on the worker)."""
    at.number_input(key="w.linear_regression.run_n").set_value(2000).run()
    at.button(key="b.linear_regression.run_n_btn").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]


def _lstsq(columns):
    table = np.genfromtxt(CSV.decode().splitlines(), delimiter=",", names=True, dtype=None, encoding=None)
    X = np.c_[[np.asarray(table[c], np.float32) for c in columns]].T.astype(np.float64)
    y = np.asarray(table["y"], np.float32).astype(np.float64)
    return np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]


def test_three_features_train_and_the_table_matches_lstsq():
    at = _upload()
    assert _run(at).data.feature_names == ("age", "ratio", "temp", "noise")  # every numeric column but y
    at.multiselect(key=FEATURES).set_value(["age", "ratio", "temp"]).run()
    at.toggle(key="w.linear_regression.scale").set_value(True).run()
    at.number_input(key="w.linear_regression.lr").set_value(0.5).run()
    _run_2000(at)
    run = _run(at)
    assert run.data.feature_names == ("age", "ratio", "temp") and run.step_count == 2000
    best = _lstsq(["age", "ratio", "temp"])
    frame = next(d.value for d in at.dataframe if "least squares" in d.value.columns)
    assert list(frame["parameter"]) == ["w1 (age)", "w2 (ratio)", "w3 (temp)", "b"]
    np.testing.assert_allclose(frame["least squares"].to_numpy(), best, rtol=1e-7)
    np.testing.assert_allclose(frame["now"].to_numpy(), best, rtol=1e-4, atol=1e-4)
    # the landscape over two chosen parameters: the second weight against b
    at.selectbox(key="w.linear_regression.pair_a").set_value(1).run()
    assert not at.exception
    assert any("the MSE as w2 (ratio) and b vary" in c.value for c in at.caption)


BAD = {  # what the learner does -> the sentence's key and values
    "target among the features": ("target", "temp", "errors.target_in_features", {"name": "'temp'"}),
    "no features": ("features", [], "errors.no_features", {}),
    "a text column": ("features", ["name", "age"], "errors.column_not_numeric",
                      {"name": "'name'", "line": 2, "value": "'p0'"}),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_choice_is_one_sentence_and_keeps_the_run(case, lang):
    at = _upload(lang)
    at.multiselect(key=FEATURES).set_value(["age", "ratio", "temp"]).run()
    at.button(key="b.linear_regression.step").click().run()
    run = _run(at)
    assert run.step_count == 1
    what, value, key, values = BAD[case]
    (at.selectbox(key=TARGET) if what == "target" else at.multiselect(key=FEATURES)).set_value(value).run()
    assert not at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    T = translator(lang)
    sentence = T(Message.of(key, **values))
    assert at.error[0].value == T("ui.error_sentence", error=sentence[:1].upper() + sentence[1:]) + T("ui.upload.kept")
    assert _run(at) is run and run.step_count == 1  # nothing lost


def test_scaling_turns_the_valley_into_a_round_bowl_and_maps_back():
    at = open_page(PAGE)
    frame = next(d.value for d in at.dataframe if "condition number λmax/λmin" in d.value.columns)
    raw, z = frame["condition number λmax/λmin"].tolist()
    assert float(raw) > 10 and z == "1"  # one z-scored feature: Hessian 2 I
    assert frame["stability limit 2/λmax"].tolist()[1] == "1"
    at.toggle(key="w.linear_regression.scale").set_value(True).run()
    _run_2000(at)
    run = _run(at)
    assert run.config.scaling == "standard" and run.stability_limit() == pytest.approx(1.0, rel=1e-5)
    X, y = run.data.X.double().numpy().reshape(-1), run.data.y.double().numpy().reshape(-1)
    w_star, b_star = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["w*"]) == pytest.approx(w_star, rel=1e-4)  # raw units, not z units
    assert float(metrics["b*"]) == pytest.approx(b_star, rel=1e-4)
    assert float(metrics["|w − w*|"]) < 1e-3 and float(metrics["|b − b*|"]) < 1e-3


def test_a_link_carries_the_switch():
    at = open_link(PAGE, {"scale": "1", "lr": "0.5", "steps": "5"})
    assert not at.exception and not at.warning
    run = _run(at)
    assert run.config.scaling == "standard" and run.step_count == 5
    assert at.query_params["scale"] == "1"
    from gdcore import Run
    direct = Run(run.config)
    direct.run(5)
    assert direct.params() == run.params()
