"""AppTest: the linear-regression page's charts read the same in both languages: the landscape's
caption names its colour scale's direction, and each line keeps its colour."""

import pytest
from apptest_util import open_link

PAGE = "pages/views/linear_regression.py"


def _specs(at) -> list[dict]:
    import json
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _colour_scales(spec) -> list[dict]:
    """Every quantitative colour scale in a Vega-Lite spec (the landscape's loss colours)."""
    found = []
    def walk(o):
        if isinstance(o, dict):
            c = o.get("color")
            if isinstance(c, dict) and c.get("type") == "quantitative" and "scale" in c:
                found.append(c["scale"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(spec)
    return found


@pytest.mark.parametrize("lang, low_bright, low_dark", [("en", "yellow = low", "dark purple = low"),
                                                         ("zh", "越黄越低", "越暗（深紫）越低")])
def test_landscape_caption_names_the_colour_scales_direction(lang, low_bright, low_dark):
    """viridis runs from dark purple (its first colour, #440154) to yellow (#fde725): with reverse the low
    end is yellow. The caption under the landscape must say what the colour bar shows."""
    at = open_link(PAGE, {"lang": lang})
    assert not at.exception
    scales = [s for spec in _specs(at) for s in _colour_scales(spec)]
    assert scales and all(s["scheme"] == "viridis" for s in scales)
    low_is_yellow = bool(scales[0].get("reverse", False))
    captions = [c.value for c in at.caption if "◆" in c.value]
    assert captions, "no landscape caption"
    assert (low_bright if low_is_yellow else low_dark) in captions[0]
    assert (low_dark if low_is_yellow else low_bright) not in captions[0]


def _line_colours(at) -> dict:
    """label -> colour of the straight lines in the page's data chart."""
    for spec in _specs(at):
        for layer in spec.get("layer", []):
            color = layer.get("encoding", {}).get("color", {})
            if color.get("field") == "line":
                return dict(zip(color["scale"]["domain"], color["scale"]["range"]))
    raise AssertionError("no chart with straight lines")


def test_line_colours_are_the_same_in_both_languages():
    """The fitted line, the true line and the least-squares line keep their colours when the labels are
    translated (before, the colours followed the labels' sort order and swapped in Chinese)."""
    from gdcore.i18n import translator
    seen = {}
    for lang in ("en", "zh"):
        T = translator(lang)
        at = open_link(PAGE, {"lang": lang, "show_ls": "1"})
        assert not at.exception
        colours = _line_colours(at)
        seen[lang] = {series: colours[T(f"linear_regression.train.line_{series}")] for series in ("now", "true", "ls")}
    assert seen["en"] == seen["zh"]
    assert len(set(seen["en"].values())) == 3


def test_optimizer_page_line_colours_are_the_same_in_both_languages():
    from gdcore.i18n import translator
    seen = {}
    for lang in ("en", "zh"):
        at = open_link("pages/views/optimizers.py", {"lang": lang})
        assert not at.exception
        colours = _line_colours(at)
        seen[lang] = (colours[translator(lang)("optimizers.train.model")], colours["y = 3x + 0.8"])
    assert seen["en"] == seen["zh"] and seen["en"][0] != seen["en"][1]
