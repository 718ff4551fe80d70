"""The exercises page: answers are checked by training, progress is kept, hints on request."""
import re

from apptest_util import away_and_back, open_link, open_page

from gdcore import Run
from gdcore import exercises as ex
from gdcore.lessons.optimizers import LABELS as OPTIMIZER_LABELS

PAGE = "pages/views/exercises.py"


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


def _page_text(at) -> str:
    return "\n".join(str(x.value) for kind in (at.markdown, at.error, at.info, at.warning, at.success, at.caption)
                     for x in kind)


def test_a_first_wrong_answer_brings_a_hint_and_the_answer_comes_after_several_tries():
    run = Run(ex.manual_config())
    run.run(2)
    actual = f"{float(run.losses()[1]):.6g}"  # the loss after one update: the answer to exercise 1
    at = open_page(PAGE)
    at.number_input(key="w.ex.predict.loss").set_value(0.5).run()
    _button(at, "b.ex.predict.check").click().run()
    assert any(e.value.startswith("Too low") for e in at.error)
    assert actual not in _page_text(at)
    assert any("lr·(w.grad² + b.grad²)" in i.value for i in at.info)  # the first hint, unasked
    assert not at.warning
    for _ in range(ex.ANSWER_AFTER_TRIES - 1):
        _button(at, "b.ex.predict.check").click().run()
    answer = [w.value for w in at.warning]
    assert len(answer) == 1 and actual in answer[0]
    assert "0 of 9 solved" in at.get("progress")[0].proto.text


def test_show_answer_on_request():
    at = open_page(PAGE)
    at.selectbox(key="w.ex.race.winner").set_value("sgd").run()
    at.radio(key="w.ex.race.reason").set_value("velocity").run()
    _button(at, "b.ex.race.check").click().run()
    finals = ex.race_results()
    best = OPTIMIZER_LABELS[min(finals, key=finals.get)]
    assert best not in "\n".join(e.value for e in at.error)  # the winner is not given away
    _button(at, "b.ex.race.answer").click().run()
    assert any(best in w.value for w in at.warning)


def test_task_texts_read_cleanly():
    at = open_page(PAGE)
    doubled = re.compile(r"(?<!\.)\.\.(?!\.)")
    assert not [m.value for m in at.markdown if doubled.search(m.value)]
    assert f"{len(ex.EXERCISES)} short tasks" in at.markdown[0].value
