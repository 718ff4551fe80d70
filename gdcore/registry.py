"""The app's pages, in order: the one index that navigation, home, share links and exercises read.

A page's slug is its URL path (`/linear_regression`), the stem of its page script
(`pages/views/linear_regression.py`) and the name other modules use for it. Each entry also says
where its title and home-page line live in the locale files, which gdcore module declares its
share-link fields and hide groups, and which tutorials it follows.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from .links import Field

VIEWS = "pages/views"  # the folder of page scripts, relative to the app's root


@dataclass(frozen=True)
class Page:
    """One page of the app."""

    slug: str  # URL path, page script stem, locale file stem; title "ui.app.<slug>", home "home.lesson.<slug>.*"
    icon: str  # a Material icon name
    section: str  # "start", "lessons" or "workshop" (the navigation's group, "ui.app.section_<section>")
    module: str | None = None  # the gdcore module that declares LINK_FIELDS and HIDE_GROUPS (lessons only)
    follows: tuple[str, ...] = ()  # the presets whose tutorials the lesson follows (gdcore.presets.SOURCES)

    @property
    def strings(self) -> str:
        """The lesson's locale file stem (gdcore/locales/<lang>/<slug>.toml; "<slug>.groups.<group>" labels
        its hide groups)."""
        return self.slug

    @property
    def script(self) -> str:
        """The page script, relative to the app's root."""
        return f"{VIEWS}/{self.slug}.py"

    @property
    def title(self) -> str:
        """The key of the page's title."""
        return f"ui.app.{self.slug}"

    @property
    def link_fields(self) -> list[Field]:
        """The settings a share link carries (none for a page without a module)."""
        return list(importlib.import_module(self.module).LINK_FIELDS) if self.module else []

    @property
    def hide_groups(self) -> tuple[str, ...]:
        """The control groups an instructor's link may hide."""
        return tuple(importlib.import_module(self.module).HIDE_GROUPS) if self.module else ()

    @property
    def owns_seed(self) -> bool:
        """True when the page has a seed of its own (a link's ?seed= is then the page's, not the sidebar's)."""
        return any(f.name == "seed" for f in self.link_fields)


PAGES: tuple[Page, ...] = (
    Page("home", "home", "start"),
    Page("autograd_basics", "account_tree", "lessons", "gdcore.lessons.autograd_basics",
         ("linreg-manual",)),
    Page("linear_regression", "show_chart", "lessons", "gdcore.lessons.linear_regression",
         ("linreg-manual", "linreg-minibatch")),
    Page("mini_batches", "view_module", "lessons", "gdcore.lessons.mini_batches",
         ("linreg-minibatch", "linreg-d2l")),
    Page("why_squared_loss", "bar_chart", "lessons", "gdcore.lessons.why_squared_loss", ("linreg-d2l",)),
    Page("optimizers", "sports_score", "lessons", "gdcore.lessons.optimizers", ("linreg-module",)),
    Page("logistic_regression", "scatter_plot", "lessons", "gdcore.lessons.logistic_regression",
         ("logreg-manual",)),
    Page("lr_explorer", "tune", "lessons", "gdcore.lessons.lr_explorer", ("linreg-module",)),
    Page("exercises", "task_alt", "workshop"),
    Page("instructor", "school", "workshop"),
    Page("class_board", "groups", "workshop"),
)
SECTIONS = ("start", "lessons", "workshop")
DEFAULT = "home"  # the page at the app's root URL
BY_SLUG = {p.slug: p for p in PAGES}


def page(slug: str) -> Page:
    """The page with this slug; also accepts its script path (`pages/views/<slug>.py`) or URL path (`/<slug>`)."""
    stem = slug.rsplit("/", 1)[-1].removesuffix(".py")
    return BY_SLUG[stem or DEFAULT]


def section(name: str) -> tuple[Page, ...]:
    """The pages of one navigation group, in order."""
    return tuple(p for p in PAGES if p.section == name)


def lessons() -> tuple[Page, ...]:
    """The pages that carry share links (a gdcore module declares their fields)."""
    return tuple(p for p in PAGES if p.module)


def owns_seed(slug: str) -> bool:
    """True when the page (slug, script path or URL path) has a seed field of its own; False for unknown pages."""
    try:
        return page(slug).owns_seed
    except KeyError:
        return False
