"""The per-ballot key that keeps pending secret votes unreadable in the database.

A secret vote is stored in the voter's transaction, beside the Participation that says who
voted (DESIGN.md §4). Anything readable in that row would be linkable to the voter through
PostgreSQL's hidden columns (same xmin, neighbouring ctid) in any dump or backup taken while
the ballot is open, and through dead tuples afterwards. So the row holds only ciphertext:
AES-256-GCM under a random key made when the ballot opens and kept in a file outside the
database (settings.BALLOT_KEY_DIR), never in a table. The count at closing decrypts the
pending votes, writes them shuffled, and then deletes the key file: from then on the dead
pending tuples and every dump taken while voting was open are noise.

Every plaintext is padded to one fixed length, so the ciphertexts' sizes say nothing about
the choice (a choice id with more digits, a split vote). The ballot id is bound in as
associated data: a ciphertext moved to another ballot does not decrypt.
"""

import json
import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PLAINTEXT_BYTES = 1024  # every pending vote is this long before encryption (a ranking of ~100)
_NONCE_BYTES = 12
_lock = threading.Lock()
_cache: dict[str, AESGCM] = {}


class KeyMissing(Exception):
    """The ballot's key file is not on this server (or was already destroyed)."""


class VoteTooLarge(ValueError):
    pass


def _directory() -> Path:
    return Path(settings.BALLOT_KEY_DIR)


def _path(key_id: str) -> Path:
    if not key_id or not key_id.isalnum():
        raise KeyMissing("Deze stemming heeft geen sleutel voor geheime stemmen.")
    return _directory() / f"{key_id}.key"


def create_key() -> str:
    """Write a new random key to its own file (0600, fsynced) and return its id."""
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_id = secrets.token_hex(16)
    descriptor = os.open(_path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, AESGCM.generate_key(bit_length=256))
        os.fsync(descriptor)  # an acknowledged vote must never outlive its key
    finally:
        os.close(descriptor)
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)
    return key_id


def _cipher(key_id: str) -> AESGCM:
    with _lock:
        cipher = _cache.get(key_id)
    if cipher is not None:
        return cipher
    try:
        key = _path(key_id).read_bytes()
    except FileNotFoundError:
        raise KeyMissing(f"De sleutel {key_id[:8]}… staat niet op deze server.") from None
    cipher = AESGCM(key)
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key_id] = cipher
    return cipher


def key_exists(key_id: str) -> bool:
    try:
        return _path(key_id).exists()
    except KeyMissing:
        return False


def destroy_key(key_id: str) -> None:
    """Delete the key file: pending ciphertexts (dead tuples, old dumps) become unreadable."""
    with _lock:
        _cache.pop(key_id, None)
    try:
        _path(key_id).unlink(missing_ok=True)
    except KeyMissing:
        return


def _associated_data(ballot_id: int) -> bytes:
    return f"ledenstem-pending-vote:{ballot_id}".encode()


def seal(key_id: str, ballot_id: int, vote: dict) -> bytes:
    """Encrypt one pending vote (a small JSON-able dict) to nonce + ciphertext."""
    body = json.dumps(vote, separators=(",", ":"), sort_keys=True).encode()
    if len(body) > PLAINTEXT_BYTES - 2:
        raise VoteTooLarge("Deze stem is te groot om op te slaan.")
    padded = len(body).to_bytes(2, "big") + body + bytes(PLAINTEXT_BYTES - 2 - len(body))
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + _cipher(key_id).encrypt(nonce, padded, _associated_data(ballot_id))


def open_sealed(key_id: str, ballot_id: int, sealed: bytes) -> dict:
    """Decrypt a pending vote; ValueError if it was altered or belongs to another ballot."""
    sealed = bytes(sealed)
    nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    try:
        padded = _cipher(key_id).decrypt(nonce, ciphertext, _associated_data(ballot_id))
    except InvalidTag:
        raise ValueError("a pending vote does not decrypt: altered or not of this ballot") from None
    length = int.from_bytes(padded[:2], "big")
    return json.loads(padded[2 : 2 + length])
