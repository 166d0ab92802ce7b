"""Small helpers for the browser tests."""

import time

import pyotp


def fresh_totp_code(secret: str) -> str:
    """A TOTP code with time left to type and submit it: near the end of a 30-second window,
    wait for the next one (a code computed at 29.9 s may be stale when the server checks)."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.2)
    return pyotp.TOTP(secret).now()
