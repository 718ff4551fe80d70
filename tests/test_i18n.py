"""Both languages have every string, with the same placeholders, and every template formats."""
import re

import pytest

from gdcore import i18n


def test_every_key_exists_in_both_languages():
    en, zh = i18n.strings("en"), i18n.strings("zh")
    missing_zh = sorted(set(en) - set(zh))
    missing_en = sorted(set(zh) - set(en))
    assert not missing_zh, f"missing in zh: {missing_zh[:20]}"
    assert not missing_en, f"missing in en: {missing_en[:20]}"


def test_placeholders_match_between_languages():
    en, zh = i18n.strings("en"), i18n.strings("zh")
    bad = [k for k in en if i18n.placeholders(en[k]) != i18n.placeholders(zh[k])]
    assert not bad, f"placeholders differ: {bad[:20]}"


def test_every_template_formats_with_its_placeholders():
    for lang in i18n.LANGS:
        for template in i18n.strings(lang).values():
            values = {name: 1 for name in i18n.placeholders(template)}
            template.format(**values)  # raises on a stray brace or a bad format spec


def test_chinese_strings_are_translated_not_copied():
    """A Chinese string equal to its English one is fine only when it is code or a name (no English words)."""
    en, zh = i18n.strings("en"), i18n.strings("zh")
    words = re.compile(r"\b[a-z]{4,}\b\s+\b[a-z]{3,}\b\s+\b[a-z]{3,}\b")  # three English words in a row
    copied = [k for k in en if en[k] == zh[k] and words.search(re.sub(r"`[^`]*`", "", en[k]))
              and not en[k].lstrip().startswith(("for ", "x =", "w =", "import", "def ", "#"))
              and "\n" not in en[k]]
    assert not copied, f"untranslated: {copied[:20]}"


def test_translator_formats_and_falls_back_never_silently():
    T = i18n.translator("zh")
    assert T("ui.step") == "单步"
    assert i18n.translator("en")("ui.running", n=1234, total=5000) == "running: step 1,234 of 5,000 (Stop to interrupt)"
    with pytest.raises(KeyError):
        T("ui.no_such_key")


def test_messages_are_translated_where_they_are_shown():
    """The core returns Messages (a key and its values); a page's Translator turns them into words."""
    en, zh = i18n.translator("en"), i18n.translator("zh")
    running = i18n.Message.of("ui.running", n=1234, total=5000)
    assert en(running) == en("ui.running", n=1234, total=5000) == "running: step 1,234 of 5,000 (Stop to interrupt)"
    assert zh(running) == zh("ui.running", n=1234, total=5000)
    assert running == i18n.Message.of("ui.running", n=1234, total=5000) and len({running, running}) == 1  # hashable
    plain = i18n.Message.verbatim("[1, 2]")
    assert en(plain) == zh(plain) == "[1, 2]"
    # a Text: its parts one after another; a Message as a value is put in words first
    assert zh([i18n.Message.of("ui.step"), plain]) == "单步[1, 2]"
    nested = i18n.Message.of("errors.seed", value=i18n.Message.of("ui.step"))
    assert zh(nested) == zh("errors.seed", value="单步") and en(nested) == en("errors.seed", value=en("ui.step"))
    assert en(i18n.joined(" = ", [plain, plain, plain])) == " = ".join(["[1, 2]"] * 3)
    assert en.capitalized(i18n.Message.of("ui.running", n=1, total=2)).startswith("Running: step 1")
    assert i18n.english(running) == en(running) and i18n.labels("zh")["ui.step"] == "单步"
    with pytest.raises(KeyError):
        zh(i18n.Message.of("ui.no_such_key"))


def test_frames_and_records_are_translated_cell_by_cell():
    import pandas as pd
    zh = i18n.translator("zh")
    step = i18n.Message.of("ui.step")
    frame = pd.DataFrame({step: [step, "as is", 3]})
    assert zh.frame(frame).to_dict("list") == {"单步": ["单步", "as is", 3]}
    assert list(frame.columns) == [step]  # the frame itself is left as it was
    assert zh.record({"a": [step, {"b": step}], "c": 1.5, "d": [1, 2]}) == {"a": ["单步", {"b": "单步"}], "c": 1.5,
                                                                           "d": [1, 2]}


@pytest.mark.parametrize("raw, code", [("zh", "zh"), ("zh-CN", "zh"), ("ZH_hans", "zh"), ("en-US", "en"),
                                       ("fr", "en"), ("", "en"), (None, "en")])
def test_normalize_language_codes(raw, code):
    assert i18n.normalize(raw) == code


# Pictographs that render as empty boxes where no emoji font is installed (a fresh Linux desktop, many
# classroom machines): traffic lights, check marks, flags, arrows with the emoji variation selector.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")


def test_no_string_or_page_relies_on_an_emoji_font():
    from pathlib import Path
    found = [(lang, k) for lang in i18n.LANGS for k, v in i18n.strings(lang).items() if EMOJI.search(v)]
    root = Path(__file__).resolve().parents[1]
    for path in [root / "streamlit_app.py", *sorted((root / "pages").glob("*.py"))]:
        found += [(path.name, i) for i, line in enumerate(path.read_text().splitlines(), 1) if EMOJI.search(line)]
    assert not found, f"emoji (use :material/...: icons or :green[...] text): {found[:20]}"
