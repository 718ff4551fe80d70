"""The instructor page builds a workshop link: the lesson's settings, hidden groups, a locked preset."""
from urllib.parse import parse_qsl, urlsplit

from apptest_util import open_link, open_page

from gdcore import registry

PAGE = "pages/views/instructor.py"


def _link(at) -> tuple[str, dict]:
    url = at.code[-1].value
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def test_builds_a_link_from_a_pasted_share_link():
    at = open_page(PAGE)
    at.selectbox(key="w.instructor.page").set_value("linear_regression").run()
    at.text_area(key="w.instructor.paste.linear_regression").set_value(
        "http://localhost:8501/linear_regression?lr=0.3&num_epochs=500&steps=5&bogus=1").run()
    assert not at.exception
    assert any("bogus" in w.value for w in at.warning)
    at.checkbox(key="w.instructor.hide.linear_regression.lr").check().run()
    at.checkbox(key="w.instructor.keep_steps").check().run()
    path, q = _link(at)
    assert path.endswith("linear_regression")
    assert q == {"lr": "0.3", "num_epochs": "500", "steps": "5", "hide": "lr", "lock": "1"}


def test_the_built_link_opens_the_lesson_as_promised():
    at = open_page(PAGE)
    at.selectbox(key="w.instructor.page").set_value("linear_regression").run()
    at.text_area(key="w.instructor.paste.linear_regression").set_value("?lr=0.2&steps=3").run()
    at.checkbox(key="w.instructor.hide.linear_regression.lr").check().run()
    at.checkbox(key="w.instructor.keep_steps").check().run()
    _, q = _link(at)
    lesson = open_link("pages/views/linear_regression.py", q)
    assert not lesson.exception
    run = lesson.session_state["_lesson.linear_regression"].run
    assert run.config.lr == 0.2 and run.step_count == 3
    assert not [n for n in lesson.number_input if n.key == "w.linear_regression.lr"]  # hidden
    assert not [b for b in lesson.button if b.key == "b.linear_regression.preset003"]  # locked


def test_every_lesson_offers_its_groups_in_both_languages():
    for lang in ("en", "zh"):
        at = open_link(PAGE, {"lang": lang})
        for lesson in registry.lessons():
            at.selectbox(key="w.instructor.page").set_value(lesson.slug).run()
            assert not at.exception, (lang, lesson.slug)
            boxes = [c for c in at.checkbox if c.key and c.key.startswith(f"w.instructor.hide.{lesson.slug}.")]
            assert len(boxes) == len(lesson.hide_groups), (lang, lesson.slug)
