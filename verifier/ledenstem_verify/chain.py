"""The ledger's hash chain: every entry's hash is SHA-256 over the previous hash (hex, ASCII)
and the entry's canonical JSON (kind, sequence number, payload; sorted keys, no spaces,
UTF-8). The first entry follows GENESIS."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(kind: str, seq: int, payload: dict) -> bytes:
    return json.dumps(
        {"kind": kind, "seq": seq, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def chain_hash(prev_hash: str, kind: str, seq: int, payload: dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(kind, seq, payload)).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    head: str
    entries: int
    problem: str = ""


def check_chain(entries: Iterable[Mapping]) -> ChainCheck:
    """Recompute the chain over entries in sequence order (mappings with seq, kind, payload,
    prev_hash, hash); name the first entry that does not fit."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in entries:
        count += 1
        seq, kind = entry["seq"], entry["kind"]
        if seq != expected_seq:
            return ChainCheck(
                False, prev, count, f"entry #{expected_seq} is missing (found #{seq} next)"
            )
        if entry["prev_hash"] != prev:
            return ChainCheck(
                False, prev, count, f"entry #{seq} ({kind}) does not follow its predecessor"
            )
        if chain_hash(prev, kind, seq, entry["payload"]) != entry["hash"]:
            return ChainCheck(
                False, prev, count, f"entry #{seq} ({kind}) was altered: hash mismatch"
            )
        prev = entry["hash"]
        expected_seq += 1
    return ChainCheck(True, prev, count)
