"""Receipt codes as the ledger and the ballot box hold them: only a hash, bound to the ballot."""

import hashlib


def normalise(code: str) -> str:
    """'k7qm 2xhd-p9wa zt4n' -> 'K7QM-2XHD-P9WA-ZT4N': case, spaces and dashes do not matter."""
    cleaned = "".join(char for char in code.upper() if char.isalnum())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def receipt_hash(ballot_id: int, code: str) -> str:
    return hashlib.sha256(f"ledenstem:{ballot_id}:{normalise(code)}".encode()).hexdigest()
