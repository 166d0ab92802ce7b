"""Receipt codes: shown to the voter once, stored only as a hash."""

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_receipt_code() -> str:
    """80 bits of randomness as four groups of four, e.g. 'K7QM-2XHD-P9WA-ZT4N'."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def normalise(code: str) -> str:
    cleaned = "".join(char for char in code.upper() if char.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def receipt_hash(ballot_id: int, code: str) -> str:
    return hashlib.sha256(f"ledenstem:{ballot_id}:{normalise(code)}".encode()).hexdigest()
