"""The printout under a run draws only while its fold is open: folded (as a room of learners keeps it),
a Step costs it nothing; opened, it shows what the tutorial would have printed."""
import pytest
from apptest_util import open_page

PAGES = {  # page, its key prefix (its slug), what its printout shows after 600 steps
    "pages/views/linear_regression.py": ("linear_regression", "tensor("),
    "pages/views/mini_batches.py": ("mini_batches", "epoch("),
    "pages/views/optimizers.py": ("optimizers", "Epoch["),
}


def _printed(at, mark: str) -> list:
    """The printout's text boxes (the tutorial's code, shown as python elsewhere, prints the same words)."""
    return [c for c in at.code if mark in c.value and c.language != "python"]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_folded_printout_is_not_drawn_until_it_is_opened(page):
    key, mark = PAGES[page]
    at = open_page(page, unfolded=False)
    at.number_input(key=f"w.{key}.run_n").set_value(600).run()
    at.button(key=f"b.{key}.run_n_btn").click().run()
    assert not at.exception
    steps = at.session_state[f"_lesson.{key}"].run.step_count
    assert steps == 600 and not _printed(at, mark)
    drawn = len(list(at.main))
    at.session_state[f"layout.{key}.printout"] = True  # what clicking the fold does
    at.run()
    assert not at.exception
    assert _printed(at, mark) and len(list(at.main)) > drawn
    assert at.session_state[f"_lesson.{key}"].run.step_count == steps  # opening it took no step
