"""The exercises page: answers are checked by training, progress is kept, hints on request."""
from apptest_util import away_and_back, open_link, open_page

PAGE = "pages/exercises.py"


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_a_right_answer_is_solved_and_counted():
    at = open_page(PAGE)
    assert "0 of 9 solved" in at.get("progress")[0].proto.text
    at.radio(key="w.ex.fix_full_tensor.choice").set_value("use_batch")
    _button(at, "b.ex.fix_full_tensor.check").click().run()
    assert not at.exception
    assert any("Fixed" in s.value for s in at.success)
    assert "1 of 9 solved" in at.get("progress")[0].proto.text


def test_a_wrong_answer_says_why_and_is_not_counted():
    at = open_page(PAGE)
    at.radio(key="w.ex.fix_no_grad.choice").set_value("zero_first")
    _button(at, "b.ex.fix_no_grad.check").click().run()
    assert any("leaf Variable" in e.value for e in at.error)
    assert "0 of 9 solved" in at.get("progress")[0].proto.text


def test_progress_survives_visiting_another_page():
    at = open_page(PAGE)
    at.number_input(key="w.ex.goldilocks.lr").set_value(0.6)
    _button(at, "b.ex.goldilocks.check").click().run()
    away_and_back(at, PAGE)
    assert "1 of 9 solved" in at.get("progress")[0].proto.text
    assert at.number_input(key="w.ex.goldilocks.lr").value == 0.6


def test_hints_come_one_at_a_time():
    at = open_page(PAGE)
    _button(at, "b.ex.race.hint").click().run()
    hints = [i.value for i in at.info]
    assert any("log scale" in h for h in hints) and not any("shallow valley" in h for h in hints)
    _button(at, "b.ex.race.hint").click().run()
    assert any("shallow valley" in i.value for i in at.info)


def test_empty_answer_gets_a_sentence_not_a_traceback():
    at = open_page(PAGE)
    _button(at, "b.ex.predict.check").click().run()
    assert not at.exception and any("Enter a number" in e.value for e in at.error)


def test_chinese_page():
    at = open_link(PAGE, {"lang": "zh"})
    assert not at.exception
    assert "练习" in at.title[0].value
