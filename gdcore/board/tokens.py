"""Room codes, instructor tokens and nicknames: what a visitor types, and what is kept of it."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

# no 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: at the join rate limit, guessing one of 100 open rooms takes centuries
NICKNAME_MAX = 24


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def pretty_code(code: str) -> str:
    """A code as shown and read aloud: two groups of four (ABCD-EFGH); typing it either way works."""
    return f"{code[:4]}-{code[4:]}"


def normalize_code(raw: str) -> str | None:
    """A typed code in canonical form (case, spaces and dashes forgiven), or None if it cannot be one."""
    code = "".join(ch for ch in str(raw)[:32].upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def new_token() -> str:
    """A secret with 192 bits of entropy: a fast hash is enough, nobody can brute-force the preimage."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8", "replace")).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with the stored hash."""
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def clean_nickname(raw: str | None) -> str:
    """A nickname as shown on the board: control characters dropped, spaces collapsed, length capped.

    It is always shown as plain text (never as markup); the empty string means anonymous.
    """
    text = unicodedata.normalize("NFC", str(raw or ""))[: NICKNAME_MAX * 4]
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(kept.split())[:NICKNAME_MAX]
