"""AppTest of the CSV upload on the linear and logistic regression pages: good files train, bad ones are refused
with one sentence and the previous data and run are kept."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")

LIN_CSV = b"x,y\n" + b"".join(f"{i / 10},{3 * i / 10 + 1}\n".encode() for i in range(30))
LOG_CSV = b"a,b,c,label\n" + b"".join(f"{i % 7 - 3},{i % 5 - 2},{i},{int((i % 7 - 3) > (i % 5 - 2))}\n".encode()
                                      for i in range(40))

BAD_COMMON = {
    "empty": b"",
    "header only": b"x,y\n",
    "non-numeric": b"x,y\n1,2\n3,abc\n",
    "NaN": b"x,y\n1,2\nnan,4\n",
    "single column": b"x\n1\n2\n",
    "duplicate names": b"x,x\n1,2\n3,4\n",
    "binary": b"x,y\n\x00\x01\x02\x03,1\n",
    "not UTF-8": b"x,y\n\xff\xfe,1\n",
    "6 MB": b"x,y\n" + b"1.000000,2.000000\n" * (6 * 1024 * 1024 // 18 + 1),
}


def _app(page):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def _upload(at, key, name, content):
    at.file_uploader(key=key).set_value((name, content, "text/csv")).run()
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def lin():
    at = _app("pages/views/linear_regression.py")
    at.radio(key="w.linear_regression.recipe").set_value("upload").run()
    assert not at.exception and not at.error
    assert any("Upload a CSV" in i.value for i in at.info)
    _upload(at, "u.linear_regression.csv", "line.csv", LIN_CSV)
    assert not at.error
    return at


def _lin_run(at):
    return at.session_state["_lesson.linear_regression"].run


def test_good_csv_trains_on_the_linear_page(lin):
    run = _lin_run(lin)
    assert run.config.data == "custom" and run.data.n == 30 and run.data.true_w is None
    before = run.step_count
    lin.button(key="b.linear_regression.step").click().run()
    assert not lin.exception
    assert _lin_run(lin) is run and run.step_count == before + 1
    assert any("30 rows" in c.value for c in lin.caption)


@pytest.mark.parametrize("case", list(BAD_COMMON))
def test_bad_file_keeps_the_previous_run_linear(lin, case):
    _upload(lin, "u.linear_regression.csv", "line.csv", LIN_CSV)
    run = _lin_run(lin)
    steps = run.step_count
    _upload(lin, "u.linear_regression.csv", f"bad_{case}.csv", BAD_COMMON[case])
    assert len(lin.error) == 1, [e.value for e in lin.error]
    msg = lin.error[0].value
    assert msg.endswith("Your previous data and run are kept.") and msg.count(". ") <= 1, msg
    assert _lin_run(lin) is run and run.step_count == steps


def test_semicolon_bom_csv_and_feature_choice(lin):
    content = "\ufeffa;b;y\n".encode() + b"".join(f"{i};{2 * i};{i + 1}\n".encode() for i in range(12))
    _upload(lin, "u.linear_regression.csv", "semi.csv", content)
    assert not lin.error
    run = _lin_run(lin)
    assert run.data.n == 12 and run.data.feature_names == ("a", "b")  # every numeric column but y, until chosen
    lin.multiselect(key=f"u.linear_regression.features.semi.csv.{len(content)}").set_value(["b"]).run()
    run2 = _lin_run(lin)
    assert run2 is not run and run2.data.feature_names == ("b",) and run2.data.X[3, 0] == 6
    lin.run()  # a rerun keeps the same data object and so the same run
    assert _lin_run(lin) is run2


def test_code_for_an_upload(lin):
    _upload(lin, "u.linear_regression.csv", "line.csv", LIN_CSV)
    from gdcore.codegen import export_script
    run = _lin_run(lin)
    script = export_script(run.config, run.data)  # what "Show the code" shows: the table is embedded
    assert any(c.value.strip() == script.strip() for c in lin.code) and "2.8" in script
    from gdcore.data import load_csv
    from gdcore.errors import ConfigError
    big = load_csv(b"x,y\n" + b"1,2\n" * 10_001)
    with pytest.raises(ConfigError):
        export_script(run.config.replace(n=big.n), big)


@pytest.fixture(scope="module")
def log():
    at = _app("pages/views/logistic_regression.py")
    at.radio(key="w.logistic_regression.source").set_value("upload").run()
    assert not at.exception and not at.error
    _upload(at, "u.logistic_regression.csv", "cls.csv", LOG_CSV)
    assert not at.error, [e.value for e in at.error]
    return at


def _log_run(at):
    return at.session_state["_lesson.logistic_regression"].run


def test_good_csv_trains_on_the_logistic_page(log):
    run = _log_run(log)
    assert run.config.data == "custom" and run.data.n == 40 and run.data.feature_names == ("a", "b")
    log.multiselect(key=f"u.logistic_regression.f2.cls.csv.{len(LOG_CSV)}.label").set_value(["c", "a"]).run()
    run = _log_run(log)
    assert run.data.feature_names == ("c", "a")
    log.button(key="b.logistic_regression.step").click().run()
    assert not log.exception and _log_run(log) is run and run.step_count == 1


@pytest.mark.parametrize("case", ["labels not 0/1", "one feature", "not UTF-8", "header only"])
def test_bad_file_keeps_the_previous_run_logistic(log, case):
    bad = {"labels not 0/1": b"a,b,y\n1,2,0\n3,4,2\n", "one feature": b"a,y\n1,0\n2,1\n",
           "not UTF-8": BAD_COMMON["not UTF-8"], "header only": BAD_COMMON["header only"]}[case]
    _upload(log, "u.logistic_regression.csv", "cls.csv", LOG_CSV)
    run = _log_run(log)
    steps = run.step_count
    _upload(log, "u.logistic_regression.csv", "bad.csv", bad)
    assert len(log.error) == 1, [e.value for e in log.error]
    assert log.error[0].value.endswith("Your previous data and run are kept.")
    assert _log_run(log) is run and run.step_count == steps
