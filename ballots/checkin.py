"""Checking in at a hybrid assembly by scanning the QR code shown in the hall.

The code carries a signed, short-lived token for one ballot: it must be scanned from the
screen in the room, and a photo of it forwarded to someone at home stops working within
minutes (the projector page refreshes it).
"""

import io

import segno
from django.core import signing

TOKEN_MAX_AGE = 5 * 60  # seconds
_SALT = "ledenstem.checkin"


def checkin_token(ballot_id: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(ballot_id))


def token_is_valid(ballot_id: int, token: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return value == str(ballot_id)


def qr_svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        scale=6,
        border=2,
        xmldecl=False,
        svgns=True,
        title="QR-code om in te checken",
    )
    return out.getvalue().decode("utf-8")
