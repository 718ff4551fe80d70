"""Share-link parsing: every value is validated, nothing is evaluated, and encode/decode round-trip."""
import math

import pytest

from gdcore import links
from gdcore.links import Field, decode, note_text

FIELDS = [
    Field("lr", "w.p.lr", "float", 1e-6, 1000.0),
    Field("batch_size", "w.p.bs", "int", 1, 1000),
    Field("optimizer", "w.p.opt", "choice", choices=("sgd", "adam")),
    Field("shuffle", "w.p.shuffle", "bool"),
    Field("seed", "w.p.seed", "optional_int", 0, 2**31 - 1),
]
GROUPS = ("presets", "lr", "controls")


def test_round_trip_is_exact_for_floats_and_ints():
    values = {"w.p.lr": 0.1 + 0.2, "w.p.bs": 20, "w.p.opt": "adam", "w.p.shuffle": False, "w.p.seed": 7}
    params = links.encode(values, FIELDS, steps=12, hide=("lr",), lock=True, lang="zh")
    back = links.decode(params, FIELDS, GROUPS)
    assert back.values == values and back.values["w.p.lr"] == 0.1 + 0.2  # bit-for-bit
    assert (back.steps, back.hide, back.lock, back.lang, back.notes) == (12, ("lr",), True, "zh", [])


def test_english_is_not_written_into_the_link():
    assert "lang" not in links.encode({}, FIELDS, lang="en")


@pytest.mark.parametrize("name, raw, reason", [
    ("lr", "abc", "not_a_number"), ("lr", "nan", "not_finite"), ("lr", "inf", "not_finite"),
    ("lr", "-1", "out_of_range"), ("lr", "0", "out_of_range"), ("lr", "1e308", "out_of_range"),
    ("lr", "__import__('os')", "not_a_number"), ("batch_size", "2.5", "not_integer"),
    ("batch_size", "0", "out_of_range"), ("batch_size", "1e9", "out_of_range"),
    ("optimizer", "foo", "unknown_choice"), ("shuffle", "maybe", "not_bool"), ("seed", "-3", "out_of_range"),
    ("steps", "-5", "out_of_range"), ("steps", "1.5", "not_integer"),
    ("steps", str(links.MAX_LINK_STEPS + 1), "out_of_range"),
    ("lock", "2", "not_bool"), ("lang", "fr", "unknown_choice"), ("hide", "everything", "unknown_choice"),
    ("nonsense", "1", "unknown_name"), ("lr", "1" * 500, "too_long"),
])
def test_bad_values_become_notes_and_are_not_used(name, raw, reason):
    link = links.decode({name: raw, "shuffle": "1"} if name != "shuffle" else {name: raw, "lr": "0.5"},
                        FIELDS, GROUPS)
    assert [(n.name, n.reason) for n in link.notes] == [(name[:links.MAX_VALUE_CHARS], reason)]
    assert link.values.get("w.p.shuffle") is True or link.values.get("w.p.lr") == 0.5  # the good value is used
    assert not any(f.name == name and f.key in link.values for f in FIELDS)  # the bad one is not


def test_choice_is_case_insensitive_and_bool_accepts_words():
    link = links.decode({"optimizer": "ADAM", "shuffle": "true"}, FIELDS)
    assert link.values == {"w.p.opt": "adam", "w.p.shuffle": True}


def test_optional_int_can_be_empty():
    assert links.decode({"seed": ""}, FIELDS).values == {"w.p.seed": None}


def test_list_values_use_the_last_one():
    assert links.decode({"lr": ["0.1", "0.2"]}, FIELDS).values["w.p.lr"] == 0.2


def test_float_format_is_shortest_round_trip():
    f = FIELDS[0]
    for x in (0.01, 1e-6, 0.1 + 0.2, 123.456, 5e-324 * 1e300):
        assert float(f.format(x)) == x and math.isfinite(float(f.format(x)))


def test_parse_link_accepts_full_urls_and_bare_queries():
    assert links.parse_link("http://h:8501/linear_regression?lr=0.3&steps=10") == {"lr": "0.3", "steps": "10"}
    assert links.parse_link("?lr=0.3") == {"lr": "0.3"}
    assert links.parse_link("lr=0.3&hide=lr%2Cseed") == {"lr": "0.3", "hide": "lr,seed"}
    assert links.parse_link("") == {}


def test_page_url_swaps_the_last_path_segment():
    assert links.page_url("https://x.app/sub/instructor", "mini_batches") == "https://x.app/sub/mini_batches"
    assert links.page_url(None, "lr_explorer") == "/lr_explorer"


def test_number_choice_matches_by_value():
    f = Field("lr_min", "w.x", "number_choice", choices=(1e-5, 1e-4, 0.01))
    assert f.parse("0.00001") == 1e-5 and f.parse("1e-05") == 1e-5 and f.parse("1E-4") == 1e-4
    for raw, reason in (("inf", "not_finite"), ("abc", "not_a_number"), ("0.5", "unknown_choice")):
        with pytest.raises(ValueError, match=reason):
            f.parse(raw)
    assert f.parse(f.format(0.01)) == 0.01


def test_sidebar_seed_travels_unless_the_page_has_its_own():
    params = links.encode({"w.p.lr": 0.5}, FIELDS[:1], seed=7)
    assert params == {"lr": "0.5", "seed": "7"}
    back = links.decode(params, FIELDS[:1])
    assert back.seed == 7 and back.values == {"w.p.lr": 0.5} and not back.notes
    own = links.encode({"w.p.seed": 3}, FIELDS, seed=7)
    assert own["seed"] == "3"  # the page's own seed field wins
    assert links.decode({"seed": "x"}, FIELDS[:1]).notes[0].reason == "not_a_number"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_skipped_value_names_the_bounds_it_broke(lang):
    """`steps=-5 is outside the allowed range 0 to 1,000,000`, never `... range to .`."""
    from gdcore.i18n import translator
    from gdcore.lessons import linear_regression, mini_batches, optimizers
    T = translator(lang)
    link = decode({"steps": "-5", "lock": "maybe", "lang": "fr", "hide": "nothing"}, [], groups=("lr",))
    texts = {n.name: note_text(n, T) for n in link.notes}
    assert "0" in texts["steps"] and f"{links.MAX_LINK_STEPS:,}" in texts["steps"] and "-5" in texts["steps"]
    assert "en, zh" in texts["lang"] and "lr" in texts["hide"]
    assert not [t for t in texts.values() if "()" in t or " to ." in t or "（）" in t]
    for fields in (linear_regression.LINK_FIELDS, mini_batches.LINK_FIELDS, optimizers.LINK_FIELDS):
        for f in fields:
            if f.kind in ("int", "float"):
                (note,) = decode({f.name: str(f.hi * 2 + 1)}, fields).notes
                text = note_text(note, T)
                assert note.reason == "out_of_range" and links._bound(f.lo) in text and links._bound(f.hi) in text


def test_dtype_is_a_reserved_choice_left_out_when_float32():
    link = links.decode({"dtype": "float64"}, FIELDS, GROUPS)
    assert link.dtype == "float64" and not link.notes
    bad = links.decode({"dtype": "float16"}, FIELDS, GROUPS)
    assert bad.dtype is None and [(n.name, n.reason) for n in bad.notes] == [("dtype", "unknown_choice")]
    assert links.encode({}, FIELDS, dtype="float64") == {"dtype": "float64"}
    assert links.encode({}, FIELDS, dtype="float32") == {}  # the default: older links stay as they were
