"""The ballot box file: its layout, its fingerprint, and where a receipt sits in it.

Specified in docs/ballot-box.md. One JSON object, written so that a person can read it and a
line number means something: the header keys first, then one counted vote per line, then the
rest, one ledger entry per line. The server writes it with `dump`, the verifier reads it with
`json.loads`; neither depends on the layout for the checks.

The fingerprint (`box_sha256`) is the SHA-256 of the canonical JSON of the box without its
"certified_document" member (sorted keys, no spaces, UTF-8). That member is the only part
added after signing (the SHA-256 of the signed proces-verbaal), so the fingerprint printed in
the document and the box embedded in it stay the same box a member later downloads.
"""

import hashlib
import json

FORMAT = "ledenstem-ballot-box"
VERSION = 1
EMBEDDED_NAME = "stembus.json"  # the box's file name inside the proces-verbaal
AFTER_SIGNING = "certified_document"

# The lines before the first vote: "{", "format", "version", "box_sha256 note", "votes": [
HEADER_LINES = 4


def _line(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def canonical_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def box_sha256(box: dict) -> str:
    core = {key: value for key, value in box.items() if key != AFTER_SIGNING}
    return hashlib.sha256(canonical_bytes(core)).hexdigest()


def vote_line(position: int) -> int:
    """The line of the file that holds the vote at `position` (1-based) of "votes"."""
    return HEADER_LINES + position


def dump(box: dict) -> bytes:
    """The box as a file: header, one vote per line (vote n on line HEADER_LINES + n), then
    the other members, the ledger one entry per line."""
    lines = [
        "{",
        f'"format": {_line(box["format"])},',
        f'"version": {_line(box["version"])},',
        '"votes": [',
    ]
    votes = box["votes"]
    lines += [_line(v) + ("," if n < len(votes) - 1 else "") for n, v in enumerate(votes)]
    lines.append("],")
    rest = [k for k in sorted(box) if k not in ("format", "version", "votes")]
    for n, key in enumerate(rest):
        comma = "," if n < len(rest) - 1 else ""
        value = box[key]
        if key == "ledger":
            lines.append('"ledger": [')
            lines += [_line(e) + ("," if i < len(value) - 1 else "") for i, e in enumerate(value)]
            lines.append("]" + comma)
        else:
            lines.append(f"{_line(key)}: {_line(value)}{comma}")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def find_receipt(box: dict, digest: str) -> int | None:
    """The 1-based position in "votes" of the first vote with this receipt hash, or None."""
    for position, vote in enumerate(box["votes"], start=1):
        if vote.get("receipt") == digest:
            return position
    return None
