"""The page registry: one entry per page, each with its script, title, fields and hide groups."""
from pathlib import Path

import pytest

from gdcore import links, registry
from gdcore.i18n import strings
from gdcore.presets import SOURCES

ROOT = Path(__file__).resolve().parents[1]


def test_every_page_has_its_script_and_its_strings_in_both_languages():
    slugs = [p.slug for p in registry.PAGES]
    assert len(slugs) == len(set(slugs))
    assert slugs[0] == registry.DEFAULT == "home"
    for lang in ("en", "zh"):
        text = strings(lang)
        for page in registry.PAGES:
            assert (ROOT / page.script).is_file(), page.slug
            assert page.title in text, (lang, page.slug)
            assert page.section in registry.SECTIONS, page.slug
            if page.slug != "home":
                assert f"home.lesson.{page.slug}.title" in text, (lang, page.slug)
            assert all(p in SOURCES for p in page.follows), page.slug
        for section in registry.SECTIONS:
            assert f"ui.app.section_{section}" in text, (lang, section)


def test_only_page_scripts_live_in_the_views_folder_and_nothing_at_the_top_of_pages():
    """Streamlit's legacy folder mode runs any pages/*.py on its own: there must be none but __init__.py."""
    assert sorted(p.name for p in (ROOT / "pages").glob("*.py")) == ["__init__.py"]
    assert sorted(p.stem for p in (ROOT / registry.VIEWS).glob("*.py")) == sorted(p.slug for p in registry.PAGES)


def test_every_lesson_declares_fields_matching_its_groups_and_labels():
    en = strings("en")
    assert [p.slug for p in registry.lessons()] == ["autograd_basics", "linear_regression", "mini_batches",
                                                    "why_squared_loss", "optimizers", "logistic_regression",
                                                    "lr_explorer"]
    for lesson in registry.lessons():
        fields, groups = lesson.link_fields, lesson.hide_groups
        names = [f.name for f in fields]
        assert fields and groups, lesson.slug
        assert len(names) == len(set(names)), lesson.slug
        assert not set(names) & (set(links.RESERVED) - {"seed"}), lesson.slug
        for g in groups:
            assert f"{lesson.strings}.groups.{g}" in en, (lesson.slug, g)
        for f in fields:
            assert f.key.startswith(("w.", "_")), (lesson.slug, f.key)  # a widget key, or a page-owned one
            if f.kind in ("float", "int", "optional_int"):
                assert f.lo is not None and f.hi is not None, (lesson.slug, f.name)


@pytest.mark.parametrize("name", ["linear_regression", "pages/views/linear_regression.py", "/linear_regression"])
def test_a_page_is_found_by_slug_script_or_url_path(name):
    assert registry.page(name).slug == "linear_regression"


def test_which_pages_own_a_seed():
    owners = {p.slug for p in registry.PAGES if p.owns_seed}
    assert owners == {"linear_regression", "optimizers", "lr_explorer"}
    assert registry.owns_seed("linear_regression") and not registry.owns_seed("mini_batches")
    assert not registry.owns_seed("home") and not registry.owns_seed("no_such_page")
    assert registry.page("").slug == "home"
