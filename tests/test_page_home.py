"""AppTest for pages/views/home.py: both languages, every lesson and workshop page listed with a working link."""
from __future__ import annotations

from pathlib import Path

import pytest
from apptest_util import open_link, open_page

from gdcore.exercises import EXERCISES
from gdcore.i18n import translator

PAGE = "pages/views/home.py"
ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["autograd_basics", "linear_regression", "mini_batches", "why_squared_loss", "optimizers",
           "logistic_regression", "lr_explorer"]
WORKSHOP = ["exercises", "instructor", "class_board"]
NAMES = {slug: slug for slug in LESSONS + WORKSHOP}  # a page's locale names are its slug


def _links(at) -> list:
    return [el.proto for el in at.get("page_link")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_lists_every_lesson_and_the_workshop_pages(lang):
    at = open_page(PAGE) if lang == "en" else open_link(PAGE, {"lang": "zh"})
    assert not at.exception, at.exception
    T = translator(lang)
    assert at.title[0].value == ":material/trending_down: " + T("home.title")
    links = _links(at)
    assert [p.page for p in links] == LESSONS + WORKSHOP  # in order: the lessons, then the workshop group
    for p in links:
        assert (ROOT / "pages" / "views" / f"{p.page}.py").is_file()
        assert p.page_script_hash  # resolved to a page the app's navigation knows
        assert p.label == f"**{T(f'home.lesson.{NAMES[p.page]}.title')}**"
    assert len({p.page_script_hash for p in links}) == len(links)
    assert [s.value for s in at.subheader] == [T("home.lessons"), T("home.workshop")]
    captions = [c.value for c in at.caption]
    for name in NAMES.values():  # one line each, in this language
        assert any(c.startswith(T(f"home.lesson.{name}.line", n=len(EXERCISES))) for c in captions), name
    assert sum("*" in c for c in captions) >= len(LESSONS)  # the lessons name the tutorial they follow
    assert at.info[0].value == T("home.device", device="cpu")


def test_chinese_home_has_chinese_words():
    at = open_link(PAGE, {"lang": "zh"})
    assert at.title[0].value.endswith("一步一步看懂梯度下降")
    assert [s.value for s in at.subheader] == ["课程", "工作坊"]
    assert any("自动求导基础" in p.label for p in _links(at))
    assert "当前设备" in at.info[0].value



@pytest.mark.parametrize("lang, words", [("en", "{n} short tasks"), ("zh", "{n} 个小任务")])
def test_the_exercise_count_comes_from_the_exercise_list(lang, words):
    at = open_page(PAGE) if lang == "en" else open_link(PAGE, {"lang": "zh"})
    assert any(words.format(n=len(EXERCISES)) in c.value for c in at.caption)
