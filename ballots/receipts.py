"""Receipt codes: shown to the voter once, stored only as a hash."""

import secrets

from ledenstem_verify.receipts import normalise, receipt_hash

__all__ = ["ALPHABET", "new_receipt_code", "normalise", "receipt_hash"]

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_receipt_code() -> str:
    """80 bits of randomness as four groups of four, e.g. 'K7QM-2XHD-P9WA-ZT4N'."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))
