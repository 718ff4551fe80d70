"""Every refusal the store can raise has its sentence, in every language, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

from gdcore.i18n import LANGS, placeholders, translator

STORE = Path(__file__).resolve().parents[1] / "gdcore" / "board" / "store.py"


def test_every_board_error_key_has_a_sentence():
    keys = set(re.findall(r'BoardError\("(\w+)"', STORE.read_text()))
    assert {"store_down", "bad_token", "no_room", "too_many_joins", "room_closed", "room_full", "too_fast",
            "not_yours", "bad_name"} <= keys
    for lang in LANGS:
        T = translator(lang)
        for key in keys:
            assert T.has(f"board.errors.{key}"), (lang, key)
    assert placeholders(translator("zh")("board.errors.too_many_joins", seconds=60)) == set()
    assert "60" in translator("zh")("board.errors.too_many_joins", seconds=60)
