"""Small helpers for the browser tests."""

import time

import pyotp

_used_codes: dict[str, str] = {}


def fresh_totp_code(secret: str) -> str:
    """A TOTP code with time left to type and submit it: near the end of a 30-second window,
    wait for the next one (a code computed at 29.9 s may be stale when the server checks).
    allauth refuses a code that was already used, so a second code for the same secret
    (login, then reauthentication) waits for the next window too."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.2)
    code = pyotp.TOTP(secret).now()
    if _used_codes.get(secret) == code:
        time.sleep(30 - time.time() % 30 + 0.2)
        code = pyotp.TOTP(secret).now()
    _used_codes[secret] = code
    return code


def log_in(page, email: str, password: str, totp_secret: str | None = None) -> None:
    """Log in through the real login page (and the TOTP step when the user has one)."""
    import re

    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    if totp_secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label(re.compile("code", re.IGNORECASE)).fill(fresh_totp_code(totp_secret))
        page.get_by_role("button", name=re.compile("aanmelden|inloggen", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(r"/$"))
